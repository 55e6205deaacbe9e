// Where the filter program comes from: an expression (-F or arguments) compiled for a link
// type, or a tcpdump -ddd text given with --bpf. Errors are printed here, with positions.
#pragma once

#include <optional>
#include <string>

#include "cbpf_vm/program.hpp"
#include "cli/options.hpp"
#include "compiler/compile.hpp"
#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace cli {

// The filter expression text (empty when none was given).
std::optional<std::string> filter_text(const Options& o);

// The program for where the packets come from: `context` gives the link type, the snapshot
// length the program returns, and whether it is for a live capture (kernel_vlan) or a capture
// file (savefile). The optimizer follows -O; the netmask for `ip broadcast` is 0, as tcpdump 4.99
// passes it (it looks the interface's up only for -f). nullopt after printing the reason.
std::optional<cbpf::Program> load_program(const Options& o, sniff::CompileOptions context);

// The filter as eBPF for `hook` (compile_ebpf, its sets in maps as `maps` says), with the same
// diagnostics; nullopt after printing the reason.
std::optional<ebpf::Filter> load_ebpf_program(const Options& o, sniff::CompileOptions context, ebpf::Hook hook,
                                              const sniff::SetMapOptions& maps = {});

// The hook --hook names (the socket filter when none).
ebpf::Hook hook_of(const Options& o);

// True when the user gave a filter (expression, -F or --bpf).
bool has_filter(const Options& o);

}  // namespace cli
