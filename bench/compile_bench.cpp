// Filter compile time, sniff::compile beside pcap_compile (optimize=1), one pair per expression.
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <cstdlib>

#include "compiler/compile.hpp"

#include "bench_expressions.hpp"

namespace {

using bench::kExpressions;

void BM_SniffCompile(benchmark::State& state) {
    const char* expr = kExpressions[state.range(0)];
    state.SetLabel(expr);
    for (auto _ : state) {
        auto prog = sniff::compile(expr);
        if (!prog) {
            state.SkipWithError(prog.error().message.c_str());
            return;
        }
        benchmark::DoNotOptimize(prog->data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_PcapCompile(benchmark::State& state) {
    const char* expr = kExpressions[state.range(0)];
    state.SetLabel(expr);
    // pcap_compile keeps per-handle state; a dead handle is what tcpdump -d uses too.
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
    for (auto _ : state) {
        bpf_program fp{};
        if (pcap_compile(dead, &fp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            state.SkipWithError(pcap_geterr(dead));
            break;
        }
        benchmark::DoNotOptimize(fp.bf_insns);
        pcap_freecode(&fp);
    }
    pcap_close(dead);
    state.SetItemsProcessed(state.iterations());
}

constexpr int kCount = static_cast<int>(std::size(kExpressions));

}  // namespace

BENCHMARK(BM_SniffCompile)->DenseRange(0, kCount - 1);
BENCHMARK(BM_PcapCompile)->DenseRange(0, kCount - 1);

BENCHMARK_MAIN();
