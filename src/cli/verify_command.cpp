// --verify: every packet through sniff's reference VM, its fast path, libpcap's bpf_filter and
// (when privileged) the kernel; report each disagreement and exit non-zero if there was any.
#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>

#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/explain.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/kernel_runner.hpp"
#include "cli/commands.hpp"
#include "cli/file_reading.hpp"

namespace cli {
namespace {

// The kernel sees only the bytes we can send, so its leg is judged against the reference run on
// exactly those bytes: accept keeps min(verdict, length) bytes.
std::uint32_t expected_kernel_bytes(const cbpf::Program& prog, std::span<const std::uint8_t> sent) {
    std::uint32_t r = cbpf::run(prog, sent, static_cast<std::uint32_t>(sent.size()));
    return std::min<std::uint32_t>(r, static_cast<std::uint32_t>(sent.size()));
}

}  // namespace

int run_verify(const Options& o) {
    auto in = open_file_and_program(o, true);
    if (!in) return 1;
    const cbpf::Program& prog = *in->program;
    const int dlt = in->source.dlt();
    cbpf::FastFilter fast(prog);
    std::vector<bpf_insn> pcap_prog;
    for (const auto& insn : prog) pcap_prog.push_back({insn.code, insn.jt, insn.jf, insn.k});

    std::optional<cbpf::KernelRunner> kernel;
    // The kernel only makes sense for Ethernet frames replayed on a veth.
    if (dlt != 1) {
        fmt::print(stderr, "sniff: kernel leg skipped: link type {} cannot be replayed on a veth (Ethernet only)\n", dlt);
    } else if (prog.size() > cbpf::kMaxInsns) {
        fmt::print(stderr, "sniff: kernel leg skipped: the program has {} instructions; the kernel takes at most {}\n", prog.size(),
                   cbpf::kMaxInsns);
    } else if (auto k = cbpf::KernelRunner::start(prog)) {
        kernel.emplace(std::move(*k));
    } else {
        fmt::print(stderr, "sniff: kernel leg skipped: {}\n", k.error());
    }

    std::uint64_t packets = 0, disagreements = 0, kernel_checked = 0, kernel_unsendable = 0;
    int status = for_each_packet(in->source, o, [&](const capture::Packet& pkt) {
        ++packets;
        std::uint32_t ref = cbpf::run(prog, pkt.data, pkt.wire_length);
        std::uint32_t quick = fast.run(pkt.data, pkt.wire_length);
        std::uint32_t lib = bpf_filter(pcap_prog.data(), pkt.data.data(), pkt.wire_length, static_cast<u_int>(pkt.data.size()));
        std::optional<std::uint32_t> kern, kern_expected;
        if (kernel) {
            kern = kernel->run(pkt.data);
            if (kern) {
                ++kernel_checked;
                kern_expected = expected_kernel_bytes(prog, pkt.data);
            } else {
                ++kernel_unsendable;
            }
        }
        if (ref == quick && ref == lib && (!kern || *kern == *kern_expected)) return true;
        ++disagreements;
        std::string kernel_text = kern ? fmt::format(", kernel kept {} bytes (expected {})", *kern, *kern_expected) : "";
        fmt::print("packet {} (captured {} of {} bytes): sniff VM {}, fast path {}, libpcap {}{}\n", packets, pkt.data.size(),
                   pkt.wire_length, ref, quick, lib, kernel_text);
        auto trace = cbpf::run_traced(prog, pkt.data, pkt.wire_length);
        fmt::print("  sniff's path (the executors part at or before its last step):\n{}", cbpf::explain(prog, trace, pkt.data.size()));
        return true;
    });
    std::string kernel_summary = kernel ? fmt::format("; kernel checked {} ({} could not be sent on a veth)", kernel_checked, kernel_unsendable)
                                        : "; kernel not checked";
    fmt::print(stderr, "sniff: verified {} packets: {} disagreement{}{}\n", packets, disagreements, disagreements == 1 ? "" : "s",
               kernel_summary);
    return disagreements ? 1 : status;
}

}  // namespace cli
