// The compiler's one entry point: filter text -> validated classic BPF program.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

#include "cbpf_vm/program.hpp"
#include "compiler/span.hpp"

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
};

std::expected<cbpf::Program, Diagnostic> compile(std::string_view text, const CompileOptions& options = {});

}  // namespace sniff
