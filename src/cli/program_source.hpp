// Where the filter program comes from: an expression (-F or arguments) compiled for a link
// type, or a tcpdump -ddd text given with --bpf. Errors are printed here, with positions.
#pragma once

#include <optional>
#include <string>

#include "cbpf_vm/program.hpp"
#include "cli/options.hpp"

namespace cli {

// The filter expression text (empty when none was given).
std::optional<std::string> filter_text(const Options& o);

// The program for link type `dlt`; nullopt after printing the reason.
// `live`: the program is for a live capture (see CompileOptions::kernel_vlan). The netmask for
// `ip broadcast` is 0, as tcpdump 4.99 passes it (it looks the interface's up only for -f).
std::optional<cbpf::Program> load_program(const Options& o, int dlt, bool live = false);

// True when the user gave a filter (expression, -F or --bpf).
bool has_filter(const Options& o);

}  // namespace cli
