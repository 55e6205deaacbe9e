// Interpreter speed per packet: cbpf::run beside libpcap's bpf_filter, both running the program
// libpcap compiles, over every packet of captures/mixed.pcap.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"

#include "bench_expressions.hpp"

namespace {

using bench::kExpressions;

struct StoredPacket {
    std::vector<std::uint8_t> bytes;
    std::uint32_t wire_length;
};

// Loaded once; the benchmarks measure filtering, not file reading.
const std::vector<StoredPacket>& packets() {
    static const std::vector<StoredPacket> all = [] {
        const char* root = std::getenv("SNIFF_SOURCE_ROOT");
        const std::string path = std::string(root && *root ? root : ".") + "/captures/mixed.pcap";
        std::vector<StoredPacket> out;
        auto source = capture::PcapFileSource::open(path);
        if (!source) {
            fmt::print(stderr, "vm_bench: {} (set SNIFF_SOURCE_ROOT to the source tree)\n", source.error());
            return out;
        }
        capture::Packet p;
        while (source->next(p) == capture::PcapFileSource::Status::Packet)
            out.push_back({{p.data.begin(), p.data.end()}, p.wire_length});
        return out;
    }();
    return all;
}

// libpcap's program for the expression, so both interpreters run identical instructions.
std::vector<bpf_insn> pcap_program(const char* expr) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
    bpf_program fp{};
    std::vector<bpf_insn> out;
    if (pcap_compile(dead, &fp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        out.assign(fp.bf_insns, fp.bf_insns + fp.bf_len);
        pcap_freecode(&fp);
    }
    pcap_close(dead);
    return out;
}

bool prepare(benchmark::State& state, std::vector<bpf_insn>& insns) {
    const char* expr = kExpressions[state.range(0)];
    state.SetLabel(expr);
    insns = pcap_program(expr);
    if (insns.empty()) {
        state.SkipWithError("pcap_compile failed");
        return false;
    }
    if (packets().empty()) {
        state.SkipWithError("no packets (captures/mixed.pcap not found)");
        return false;
    }
    return true;
}

void BM_SniffRun(benchmark::State& state) {
    std::vector<bpf_insn> insns;
    if (!prepare(state, insns)) return;
    cbpf::Program prog;
    for (const auto& in : insns) prog.push_back({in.code, in.jt, in.jf, in.k});
    const auto& pkts = packets();
    std::uint64_t accepted = 0;
    for (auto _ : state)
        for (const auto& p : pkts) accepted += cbpf::run(prog, p.bytes, p.wire_length) != 0;
    benchmark::DoNotOptimize(accepted);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pkts.size()));
}

// The fast path sniff uses for offline filtering (pre-decoded, threaded, fused pairs).
void BM_SniffFastRun(benchmark::State& state) {
    std::vector<bpf_insn> insns;
    if (!prepare(state, insns)) return;
    cbpf::Program prog;
    for (const auto& in : insns) prog.push_back({in.code, in.jt, in.jf, in.k});
    const cbpf::FastFilter fast(prog);
    const auto& pkts = packets();
    std::uint64_t accepted = 0;
    for (auto _ : state)
        for (const auto& p : pkts) accepted += fast.run(p.bytes, p.wire_length) != 0;
    benchmark::DoNotOptimize(accepted);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pkts.size()));
}

void BM_PcapRun(benchmark::State& state) {
    std::vector<bpf_insn> insns;
    if (!prepare(state, insns)) return;
    const auto& pkts = packets();
    std::uint64_t accepted = 0;
    for (auto _ : state)
        for (const auto& p : pkts)
            accepted += bpf_filter(insns.data(), p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size())) != 0;
    benchmark::DoNotOptimize(accepted);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pkts.size()));
}

constexpr int kCount = static_cast<int>(std::size(kExpressions));

}  // namespace

BENCHMARK(BM_SniffRun)->DenseRange(0, kCount - 1);
BENCHMARK(BM_SniffFastRun)->DenseRange(0, kCount - 1);
BENCHMARK(BM_PcapRun)->DenseRange(0, kCount - 1);

BENCHMARK_MAIN();
