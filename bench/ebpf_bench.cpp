// The eBPF figures, side by side in one run: for each filter, the instruction counts of sniff's
// eBPF (socket filter and XDP), libpcap's classic program and that program converted to eBPF by
// the kernel's rules (ebpf::from_cbpf, what SO_ATTACH_FILTER runs), and ns per packet of the
// three eBPF programs through BPF_PROG_TEST_RUN over captures/mixed.pcap.
// Usage: ebpf_bench [REPEAT [ROUNDS]]   (run from the source tree, or set SNIFF_SOURCE_ROOT)
#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bench_expressions.hpp"
#include "cbpf_vm/program.hpp"
#include "compiler/compile.hpp"
#include "ebpf/from_cbpf.hpp"
#include "ebpf/loader.hpp"

namespace {

constexpr std::uint32_t kSnaplen = 262144;

struct Filter {
    std::string label;  // what the table shows
    std::string text;
};

// Address i of a long host list, spread over 10.0.0.0/8 as compile_scale spreads them (odd
// multiplier, so distinct and never a run a set compiler could merge into a range).
std::string spread_host(std::uint64_t i) {
    const auto a = (10u << 24) | static_cast<std::uint32_t>(((i + 1) * 2654435761u) & 0xffffff);
    return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

std::string host_list(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? " or host " : "host ") + spread_host(i);
    return out;
}

std::vector<std::vector<std::uint8_t>> read_packets(const std::string& path, std::string& error) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
    if (!p) {
        error = errbuf;
        return {};
    }
    std::vector<std::vector<std::uint8_t>> out;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &h, &data) == 1) out.emplace_back(data, data + h->caplen);
    if (pcap_datalink(p) != DLT_EN10MB) error = "not an Ethernet capture";
    pcap_close(p);
    return out;
}

// The three eBPF programs of one filter, loaded; the counts of all four.
struct Programs {
    std::size_t sniff_socket = 0, sniff_xdp = 0, libpcap = 0, baseline = 0;
    ebpf::ProgramInfo socket_info, xdp_info, baseline_info;  // after the verifier, and JIT bytes
    ebpf::LoadedProgram socket, xdp, converted;
};

std::optional<Programs> prepare(const Filter& f, pcap_t* dead, std::string& why) {
    const sniff::CompileOptions options{.dlt = DLT_EN10MB, .snaplen = kSnaplen};
    auto socket = sniff::compile_ebpf(f.text, options, ebpf::Hook::Socket);
    auto xdp = sniff::compile_ebpf(f.text, options, ebpf::Hook::Xdp);
    if (!socket || !xdp) {
        why = "sniff refuses it: " + (socket ? xdp.error() : socket.error()).message;
        return std::nullopt;
    }
    bpf_program bp{};
    if (pcap_compile(dead, &bp, f.text.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        why = std::string("libpcap refuses it: ") + pcap_geterr(dead);
        return std::nullopt;
    }
    cbpf::Program classic;
    for (u_int i = 0; i < bp.bf_len; ++i) classic.push_back({bp.bf_insns[i].code, bp.bf_insns[i].jt, bp.bf_insns[i].jf, bp.bf_insns[i].k});
    pcap_freecode(&bp);
    auto converted = ebpf::from_cbpf(classic);
    if (!converted) {
        why = fmt::format("libpcap's {}-instruction program does not convert: {}", classic.size(), converted.error());
        return std::nullopt;
    }
    Programs out;
    out.sniff_socket = socket->insns.size();
    out.sniff_xdp = xdp->insns.size();
    out.libpcap = classic.size();
    out.baseline = converted->size();
    auto load = [&](const ebpf::Filter& p, ebpf::Hook hook, const char* name, ebpf::LoadedProgram& into) {
        auto loaded = ebpf::load(p, hook, name);
        if (!loaded) {
            why = fmt::format("the kernel refuses {}: {}", name, loaded.error().message);
            return false;
        }
        into = std::move(*loaded);
        return true;
    };
    if (!load(*socket, ebpf::Hook::Socket, "sniff_socket", out.socket) || !load(*xdp, ebpf::Hook::Xdp, "sniff_xdp", out.xdp) ||
        !load(ebpf::Filter{*converted, {}}, ebpf::Hook::Socket, "from_cbpf", out.converted))
        return std::nullopt;
    auto socket_info = ebpf::program_info(out.socket), xdp_info = ebpf::program_info(out.xdp),
         baseline_info = ebpf::program_info(out.converted);
    if (!socket_info || !xdp_info || !baseline_info) {
        why = "BPF_OBJ_GET_INFO_BY_FD failed";
        return std::nullopt;
    }
    out.socket_info = *socket_info;
    out.xdp_info = *xdp_info;
    out.baseline_info = *baseline_info;
    return out;
}

// Mean ns per packet of the three programs: every packet through each in turn (the order
// rotating per packet), `rounds` times, keeping the best mean the kernel reports per program and
// packet, then averaged over the packets. Also counts packets on which the answers disagree.
struct Timing {
    std::array<double, 3> ns{};  // socket, xdp, baseline
    std::size_t disagreements = 0;
};

Timing measure(const Programs& p, const std::vector<std::vector<std::uint8_t>>& packets, std::uint32_t repeat, int rounds) {
    const std::array<const ebpf::LoadedProgram*, 3> progs = {&p.socket, &p.xdp, &p.converted};
    std::vector<std::array<std::uint32_t, 3>> best(packets.size(), {UINT32_MAX, UINT32_MAX, UINT32_MAX});
    Timing t;
    for (int r = 0; r < rounds; ++r) {
        for (std::size_t i = 0; i < packets.size(); ++i) {
            std::array<std::uint32_t, 3> ret{};
            for (std::size_t j = 0; j < 3; ++j) {
                const std::size_t k = (i + j + static_cast<std::size_t>(r)) % 3;
                auto run = ebpf::test_run(*progs[k], packets[i], repeat);
                if (!run) {
                    fmt::print(stderr, "ebpf_bench: test run failed: {}\n", run.error().message);
                    std::exit(1);
                }
                best[i][k] = std::min(best[i][k], run->duration_ns);
                ret[k] = run->retval;
            }
            if (r == 0 && (ret[0] != ret[2] || ebpf::hook_return(ebpf::Hook::Xdp, ret[0]) != ret[1])) ++t.disagreements;
        }
    }
    for (std::size_t k = 0; k < 3; ++k) {
        double sum = 0;
        for (const auto& b : best) sum += b[k];
        t.ns[k] = sum / static_cast<double>(packets.size());
    }
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint32_t repeat = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 2000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    if (auto why = ebpf::bpf_unavailable()) {
        fmt::print("ebpf_bench: skipped: {}\n", *why);
        return 0;
    }
    const char* root = std::getenv("SNIFF_SOURCE_ROOT");
    const std::string path = std::string(root && *root ? root : ".") + "/captures/mixed.pcap";
    std::string error;
    auto all = read_packets(path, error);
    if (!error.empty() || all.empty()) {
        fmt::print(stderr, "ebpf_bench: {}: {} (run from the source tree or set SNIFF_SOURCE_ROOT)\n", path, error.empty() ? "no packets" : error);
        return 1;
    }
    // Only frames every hook can test-run, so the three averages are over the same packets.
    std::vector<std::vector<std::uint8_t>> packets;
    for (auto& p : all)
        if (ebpf::test_runnable(ebpf::Hook::Socket, p) && ebpf::test_runnable(ebpf::Hook::Xdp, p)) packets.push_back(std::move(p));

    std::vector<Filter> filters;
    for (const char* e : bench::kExpressions) filters.push_back({e, e});
    filters.push_back({"100-host list", host_list(100)});
    filters.push_back({"500-host list", host_list(500)});
    filters.push_back({"ip6 protochain 6", "ip6 protochain 6"});

    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
    fmt::print("eBPF programs on Ethernet: sniff's socket filter and XDP program beside libpcap's classic program (pcap_compile, "
               "optimize 1) and that program converted to eBPF by the kernel's rules (the baseline: what SO_ATTACH_FILTER runs). "
               "Time: BPF_PROG_TEST_RUN, repeat {}, best of {} per packet, mean over {} of the {} packets of captures/mixed.pcap "
               "(those every hook can test-run); the three programs interleaved per packet.\n\n",
               repeat, rounds, packets.size(), all.size());
    fmt::print("| filter | sniff socket insns | sniff XDP insns | libpcap cBPF insns | baseline eBPF insns | socket/baseline size | "
               "sniff socket ns | sniff XDP ns | baseline ns | baseline/socket | baseline/XDP |\n");
    fmt::print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    std::vector<std::string> after_verifier;
    double log_size = 0, log_socket = 0, log_xdp = 0;
    std::size_t n = 0, disagreements = 0;
    std::vector<std::string> notes;
    for (const Filter& f : filters) {
        std::string why;
        auto p = prepare(f, dead, why);
        if (!p) {
            notes.push_back(fmt::format("`{}` left out: {}", f.label, why));
            continue;
        }
        const Timing t = measure(*p, packets, repeat, rounds);
        disagreements += t.disagreements;
        const double size_ratio = double(p->sniff_socket) / double(p->baseline);
        const double socket_ratio = t.ns[2] / t.ns[0], xdp_ratio = t.ns[2] / t.ns[1];
        if (p->sniff_socket > p->baseline) notes.push_back(fmt::format("`{}`: sniff's socket filter is larger than the baseline", f.label));
        fmt::print("| `{}` | {} | {} | {} | {} | {:.2f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.2f} |\n", f.label, p->sniff_socket,
                   p->sniff_xdp, p->libpcap, p->baseline, size_ratio, t.ns[0], t.ns[1], t.ns[2], socket_ratio, xdp_ratio);
        after_verifier.push_back(fmt::format("| `{}` | {} / {} | {} / {} | {} / {} |\n", f.label, p->socket_info.xlated_insns,
                                             p->socket_info.jited_bytes, p->xdp_info.xlated_insns, p->xdp_info.jited_bytes,
                                             p->baseline_info.xlated_insns, p->baseline_info.jited_bytes));
        log_size += std::log(size_ratio);
        log_socket += std::log(socket_ratio);
        log_xdp += std::log(xdp_ratio);
        ++n;
    }
    pcap_close(dead);
    if (n)
        fmt::print("| geometric mean ({} filters) | | | | | {:.2f} | | | | {:.2f} | {:.2f} |\n", n, std::exp(log_size / double(n)),
                   std::exp(log_socket / double(n)), std::exp(log_xdp / double(n)));
    fmt::print("\nThe same programs as the kernel keeps them: instructions after the verifier's rewrites (legacy packet loads and "
               "__sk_buff fields expanded) / bytes of JIT code.\n\n| filter | sniff socket | sniff XDP | baseline |\n|---|---:|---:|---:|\n");
    for (const auto& row : after_verifier) fmt::print("{}", row);
    fmt::print("\nThe kernel reports each test run's mean in whole ns (rounded down), so figures of a few ns are coarse.\n");
    if (disagreements) notes.push_back(fmt::format("{} (filter, packet) pairs where the three programs' answers disagree", disagreements));
    for (const auto& note : notes) fmt::print("- {}\n", note);
    return 0;
}
