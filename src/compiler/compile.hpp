// The compiler's one entry point: filter text -> validated classic BPF program.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

#include "cbpf_vm/program.hpp"
#include "compiler/link_type.hpp"
#include "compiler/span.hpp"
#include "compiler/set_map_options.hpp"
#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace sniff {

struct CompileOptions {
    int dlt = 1;                      // link type (DLT_*), EN10MB by default
    std::uint32_t snaplen = 262144;   // returned for accepted packets, like pcap_compile
    bool optimize = true;             // -O turns the IR optimizer off; the program stays correct
    // For a live capture on Ethernet: Linux takes the outer VLAN tag out of received frames before
    // the kernel filter runs, so the first `vlan` also tests the kernel's VLAN fields (as libpcap
    // does live). Off for files, where tags are in the frames.
    bool kernel_vlan = false;
    // The IPv4 netmask `ip broadcast` needs (pcap_compile's netmask argument): tcpdump passes the
    // capture interface's, or 0 when reading a file. Unknown (absent, or 0xffffffff as libpcap's
    // PCAP_NETMASK_UNKNOWN), `ip broadcast` is an error.
    std::optional<std::uint32_t> netmask = std::nullopt;
    // Set when the packets come from a capture file (-r). libpcap compiles a savefile's filter
    // differently from a live or dead (-y) handle's (gencode.c, libpcap 1.10):
    //  - NULL's 4-byte address family is in the byte order of the machine that wrote the file;
    //  - `ip6` on NULL and LOOP tests all three BSD values of AF_INET6 (24, 28, 30), not Linux's 10;
    //  - `inbound`, `outbound` and `ifindex` need the kernel's packet metadata, which a file does
    //    not have: an error, except on the cooked link types that carry it in the frame.
    std::optional<SavefileContext> savefile = std::nullopt;
};

std::expected<cbpf::Program, Diagnostic> compile(std::string_view text, const CompileOptions& options = {});

// The same filter as eBPF for `hook` (emit_ebpf.hpp), from the same optimized graph; every
// diagnostic compile() gives, it gives too. For the socket filter, `options` as for compile();
// at TC the kernel's VLAN fields are as on a live capture (kernel_vlan), at XDP the tags are
// in the frame.
// Sets of at least maps.from_ranges members are map lookups (SetMapOptions, emit_ebpf.hpp); the
// Filter's maps hold them, for the loader to create.
std::expected<ebpf::Filter, Diagnostic> compile_ebpf(std::string_view text, const CompileOptions& options, ebpf::Hook hook,
                                                     const SetMapOptions& maps = {});

}  // namespace sniff
