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
#include "cli/program_source.hpp"
#include "ebpf/loader.hpp"

namespace cli {
namespace {

// The kernel sees only the bytes we can send, so its leg is judged against the reference run on
// exactly those bytes: accept keeps min(verdict, length) bytes.
std::uint32_t expected_kernel_bytes(const cbpf::Program& prog, std::span<const std::uint8_t> sent) {
    std::uint32_t r = cbpf::run(prog, sent, static_cast<std::uint32_t>(sent.size()));
    return std::min<std::uint32_t>(r, static_cast<std::uint32_t>(sent.size()));
}

// One eBPF leg: the filter compiled for a hook, loaded, and run on each packet with
// BPF_PROG_TEST_RUN; judged against the reference VM on the bytes the kernel was given.
struct EbpfLeg {
    ebpf::Hook hook;
    ebpf::LoadedProgram program;
    std::uint64_t checked = 0, not_runnable = 0;
};

// The legs that apply: the socket filter on every link type, XDP and TC on Ethernet, for a
// filter given as an expression. Each leg that cannot run says why on stderr; `failed` gets the
// hooks whose program sniff could not make or the kernel refused (a failure of sniff's, unlike a
// machine where bpf() is unavailable).
std::vector<EbpfLeg> ebpf_legs(const Options& o, const FileAndProgram& in, std::vector<ebpf::Hook>& failed) {
    std::vector<EbpfLeg> legs;
    if (o.bpf_file) {
        fmt::print(stderr, "sniff: eBPF legs skipped: --bpf gives a classic BPF program, and sniff compiles eBPF from expressions\n");
        return legs;
    }
    if (auto why = ebpf::bpf_unavailable()) {
        fmt::print(stderr, "sniff: eBPF legs skipped: {}\n", *why);
        return legs;
    }
    std::vector<ebpf::Hook> hooks{ebpf::Hook::Socket};
    if (in.source.dlt() == 1) hooks.push_back(ebpf::Hook::Xdp), hooks.push_back(ebpf::Hook::Tc);
    for (ebpf::Hook hook : hooks) {
        // Compile errors were reported for the classic program already; these are eBPF's own.
        auto program = load_ebpf_program(o, in.compile_options, hook);
        if (!program) {
            failed.push_back(hook);
            continue;
        }
        auto loaded = ebpf::load(*program, hook);
        if (!loaded) {
            fmt::print(stderr, "sniff: eBPF {} leg: {}\n{}\n", ebpf::hook_name(hook), loaded.error().message, loaded.error().verifier_log);
            failed.push_back(hook);
            continue;
        }
        legs.push_back({hook, std::move(*loaded)});
    }
    return legs;
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

    std::vector<ebpf::Hook> failed_legs;
    std::vector<EbpfLeg> legs = ebpf_legs(o, *in, failed_legs);
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
        std::string ebpf_text;
        for (EbpfLeg& leg : legs) {
            if (!ebpf::test_runnable(leg.hook, pkt.data)) {
                ++leg.not_runnable;
                continue;
            }
            // The kernel's packet is the captured bytes: its length is theirs.
            const std::uint32_t expected = ebpf::hook_return(leg.hook, cbpf::run(prog, pkt.data, static_cast<std::uint32_t>(pkt.data.size())));
            auto run = ebpf::test_run(leg.program, pkt.data);
            if (!run) {
                ebpf_text += fmt::format(", eBPF {} could not run: {}", ebpf::hook_name(leg.hook), run.error().message);
                continue;
            }
            ++leg.checked;
            if (run->retval != expected)
                ebpf_text += fmt::format(", eBPF {} returned {} (expected {})", ebpf::hook_name(leg.hook), run->retval, expected);
        }
        if (ref == quick && ref == lib && (!kern || *kern == *kern_expected) && ebpf_text.empty()) return true;
        ++disagreements;
        std::string kernel_text = (kern ? fmt::format(", kernel kept {} bytes (expected {})", *kern, *kern_expected) : "") + ebpf_text;
        fmt::print("packet {} (captured {} of {} bytes): sniff VM {}, fast path {}, libpcap {}{}\n", packets, pkt.data.size(),
                   pkt.wire_length, ref, quick, lib, kernel_text);
        auto trace = cbpf::run_traced(prog, pkt.data, pkt.wire_length);
        fmt::print("  sniff's path (the executors part at or before its last step):\n{}", cbpf::explain(prog, trace, pkt.data.size()));
        return true;
    });
    std::string kernel_summary = kernel ? fmt::format("; kernel checked {} ({} could not be sent on a veth)", kernel_checked, kernel_unsendable)
                                        : "; kernel not checked";
    for (const EbpfLeg& leg : legs)
        kernel_summary += fmt::format("; eBPF {} checked {}{}", ebpf::hook_name(leg.hook) == "socket" ? "socket filter" : ebpf::hook_name(leg.hook) == "xdp" ? "XDP" : "TC",
                                      leg.checked, leg.not_runnable ? fmt::format(" ({} the kernel cannot test-run at this hook)", leg.not_runnable) : "");
    for (ebpf::Hook hook : failed_legs) kernel_summary += fmt::format("; eBPF {} could not be loaded (above)", ebpf::hook_name(hook));
    if (legs.empty() && failed_legs.empty()) kernel_summary += "; eBPF not checked";
    fmt::print(stderr, "sniff: verified {} packets: {} disagreement{}{}\n", packets, disagreements, disagreements == 1 ? "" : "s",
               kernel_summary);
    // A leg that should have run and could not is a failure of sniff's, as a disagreement is.
    return disagreements || !failed_legs.empty() ? 1 : status;
}

}  // namespace cli
