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
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"

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
    auto source = capture::PcapFileSource::open(*o.read_file);
    if (!source) {
        fmt::print(stderr, "sniff: {}\n", source.error());
        return 1;
    }
    if (!o.bpf_file && !sniff::find_link_type(source->dlt())) {
        fmt::print(stderr, "sniff: {}: link type {} is not supported by the filter compiler yet\n", *o.read_file, source->dlt());
        return 1;
    }
    auto prog = load_program(o, source->dlt());
    if (!prog) return 1;
    cbpf::FastFilter fast(*prog);
    std::vector<bpf_insn> pcap_prog;
    for (const auto& in : *prog) pcap_prog.push_back({in.code, in.jt, in.jf, in.k});

    std::optional<cbpf::KernelRunner> kernel;
    // The kernel only makes sense for Ethernet frames replayed on a veth.
    if (source->dlt() != 1) {
        fmt::print(stderr, "sniff: kernel leg skipped: link type {} cannot be replayed on a veth (Ethernet only)\n", source->dlt());
    } else if (auto k = cbpf::KernelRunner::start(*prog)) {
        kernel.emplace(std::move(*k));
    } else {
        fmt::print(stderr, "sniff: kernel leg skipped: {}\n", k.error());
    }

    install_stop_handlers();
    std::uint64_t packets = 0, disagreements = 0, kernel_checked = 0, kernel_unsendable = 0;
    capture::Packet pkt;
    int status = 0;
    while (!stop_requested() && (!o.count || packets < *o.count)) {
        auto st = source->next(pkt);
        if (st == capture::PcapFileSource::Status::End) break;
        if (st == capture::PcapFileSource::Status::Damaged) {
            fmt::print(stderr, "sniff: {}\n", source->damage());
            status = 1;
            break;
        }
        ++packets;
        std::uint32_t ref = cbpf::run(*prog, pkt.data, pkt.wire_length);
        std::uint32_t quick = fast.run(pkt.data, pkt.wire_length);
        std::uint32_t lib = bpf_filter(pcap_prog.data(), pkt.data.data(), pkt.wire_length, static_cast<u_int>(pkt.data.size()));
        std::optional<std::uint32_t> kern, kern_expected;
        if (kernel) {
            kern = kernel->run(pkt.data);
            if (kern) {
                ++kernel_checked;
                kern_expected = expected_kernel_bytes(*prog, pkt.data);
            } else {
                ++kernel_unsendable;
            }
        }
        bool agree = ref == quick && ref == lib && (!kern || *kern == *kern_expected);
        if (agree) continue;
        ++disagreements;
        std::string kernel_text = kern ? fmt::format(", kernel kept {} bytes (expected {})", *kern, *kern_expected) : "";
        fmt::print("packet {} (captured {} of {} bytes): sniff VM {}, fast path {}, libpcap {}{}\n", packets, pkt.data.size(),
                   pkt.wire_length, ref, quick, lib, kernel_text);
        auto trace = cbpf::run_traced(*prog, pkt.data, pkt.wire_length);
        fmt::print("  sniff's path (the executors part at or before its last step):\n{}", cbpf::explain(*prog, trace, pkt.data.size()));
    }
    std::string kernel_summary = kernel ? fmt::format("; kernel checked {} ({} could not be sent on a veth)", kernel_checked, kernel_unsendable)
                                        : "; kernel not checked";
    fmt::print(stderr, "sniff: verified {} packets: {} disagreement{}{}\n", packets, disagreements, disagreements == 1 ? "" : "s",
               kernel_summary);
    return disagreements ? 1 : status;
}

}  // namespace cli
