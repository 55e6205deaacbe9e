// sniff's eBPF against sniff's reference VM: every expression of the differential suite, on every
// link type, compiled to eBPF, loaded into the kernel and run with BPF_PROG_TEST_RUN over sampled
// real packets, packets cut short and packets mutated towards the program's comparisons. The
// socket filter on every link type; XDP and TC on Ethernet. Every program must pass the verifier
// and every answer must be the VM's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "differential_expressions.hpp"
#include "filter_generator.hpp"
#include "ebpf/dump.hpp"
#include "ebpf/loader.hpp"
#include "libpcap_programs.hpp"
#include "packet_corpus.hpp"

namespace {

using testing_support::StoredPacket;
constexpr std::uint32_t kSnaplen = 262144;

std::vector<const char*> all_expressions() {
    using namespace differential_cases;
    std::vector<const char*> e;
    e.insert(e.end(), std::begin(kExpressions), std::end(kExpressions));
    e.insert(e.end(), std::begin(kArithmetic), std::end(kArithmetic));
    e.insert(e.end(), std::begin(kEthernetOnly), std::end(kEthernetOnly));
    e.insert(e.end(), std::begin(kWireless), std::end(kWireless));
    e.insert(e.end(), std::begin(kPflog), std::end(kPflog));
    e.insert(e.end(), std::begin(kArcnet), std::end(kArcnet));
    e.insert(e.end(), std::begin(kSs7), std::end(kSs7));
    e.insert(e.end(), std::begin(kSunAtm), std::end(kSunAtm));
    // protochain over many headers, and a program long enough for far jumps.
    e.push_back("ip6 protochain 6 or ip protochain 17 or protochain 58");
    static const std::string long_filter = [] {
        std::string t = "host 10.0.0.1";
        for (int i = 0; i < 300; ++i) t += " or host 192.168." + std::to_string(i / 200) + "." + std::to_string(i % 200) + " or port " + std::to_string(1000 + i);
        return t;
    }();
    e.push_back(long_filter.c_str());
    return e;
}

// A deterministic sample of the link type's packets: up to `n` of them, every k-th; then each of
// the first ones cut short at several lengths (reads past the end must reject).
std::vector<StoredPacket> sample_packets(int dlt, std::size_t n) {
    std::vector<StoredPacket> all = testing_support::packets_for_link_type(dlt, true), out;
    if (dlt == 108) {  // LOOP: NULL captures with the address family in network byte order
        for (auto p : testing_support::packets_for_link_type(0, true)) {
            if (p.bytes.size() >= 4) std::reverse(p.bytes.begin(), p.bytes.begin() + 4);
            p.origin += " (as LOOP)";
            all.push_back(std::move(p));
        }
    }
    const std::size_t step = all.size() > n ? all.size() / n : 1;
    for (std::size_t i = 0; i < all.size() && out.size() < n; i += step) out.push_back(all[i]);
    const std::size_t whole = out.size();
    for (std::size_t i = 0; i < whole && i < 40; ++i) {
        for (std::size_t cut : {std::size_t{1}, std::size_t{13}, std::size_t{14} + i % 30, std::size_t{34} + i % 40}) {
            if (cut >= out[i].bytes.size()) continue;
            StoredPacket p = out[i];
            p.bytes.resize(cut);
            p.origin += fmt::format(" cut to {}", cut);
            out.push_back(std::move(p));
        }
    }
    return out;
}

// The classic program with Linux's ancillary loads replaced by what BPF_PROG_TEST_RUN gives the
// eBPF program for `frame`, so the VM can judge the metadata paths too. The test run's packet
// arrives on the loopback device (ifindex 1, address 00:00:00:00:00:00), untagged; its type is
// what eth_type_trans() makes of a destination address (net/ethernet/eth.c): the socket
// filter's is the 14 zero bytes put in front (PACKET_HOST); TC's is the frame's own; XDP has no
// skb and sniff reads every frame there as received (PACKET_HOST).
cbpf::Program with_test_run_metadata(const cbpf::Program& prog, ebpf::Hook hook, std::span<const std::uint8_t> frame) {
    std::uint32_t pkt_type = 0;  // PACKET_HOST
    if (hook == ebpf::Hook::Tc && frame.size() >= 6) {
        const bool broadcast = std::all_of(frame.begin(), frame.begin() + 6, [](std::uint8_t b) { return b == 0xff; });
        const bool zero = std::all_of(frame.begin(), frame.begin() + 6, [](std::uint8_t b) { return b == 0; });
        pkt_type = broadcast ? 1 : frame[0] & 1 ? 2 : zero ? 0 : 3;  // BROADCAST, MULTICAST, HOST, OTHERHOST
    }
    cbpf::Program out = prog;
    for (cbpf::Insn& in : out) {
        if (cbpf::op::cls(in.code) != cbpf::op::LD || cbpf::op::mode(in.code) != cbpf::op::ABS || in.k < 0xfffff000u) continue;
        const std::uint32_t field = in.k - 0xfffff000u;
        const std::uint32_t value = field == 4 ? pkt_type : field == 8 ? 1 /* ifindex */ : 0 /* VLAN tag and presence */;
        in = cbpf::stmt(cbpf::op::LD | cbpf::op::IMM, value);
    }
    return out;
}

bool has_ancillary_loads(const cbpf::Program& prog) {
    return std::any_of(prog.begin(), prog.end(), [](const cbpf::Insn& in) {
        return cbpf::op::cls(in.code) == cbpf::op::LD && cbpf::op::mode(in.code) == cbpf::op::ABS && in.k >= 0xfffff000u;
    });
}

// Counts over one link type's expressions.
struct Tally {
    std::map<ebpf::Hook, std::size_t> programs, accepted, runs, not_runnable;
    std::size_t mismatches = 0, refused = 0;
    int reported = 0;
};

// `expr` compiled for `dlt` (optimized, or not with `optimize` false): the classic program runs
// in the VM and the eBPF one at each hook through BPF_PROG_TEST_RUN, over `packets` and packets
// mutated towards the classic program's comparisons.
void check_expression(const std::string& expr, int dlt, bool optimize, const std::vector<ebpf::Hook>& hooks,
                      const std::vector<StoredPacket>& packets, std::size_t mutation_seeds, Tally& tally,
                      const sniff::SetMapOptions& maps = {}) {
    const sniff::CompileOptions options{.dlt = dlt, .snaplen = kSnaplen, .optimize = optimize};
    auto classic = sniff::compile(expr, options);
    if (!classic) {
        ++tally.refused;  // refused on this link type (the differential suite checks why)
        return;
    }
    const std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*classic}, mutation_seeds, 1);
    const bool metadata = has_ancillary_loads(*classic);
    for (ebpf::Hook hook : hooks) {
        auto program = sniff::compile_ebpf(expr, options, hook, maps);
        ASSERT_TRUE(program.has_value()) << expr << " at " << ebpf::hook_name(hook) << ": " << program.error().message;
        ++tally.programs[hook];
        auto loaded = ebpf::load(*program, hook);
        if (!loaded) {
            ADD_FAILURE() << fmt::format("the verifier refused '{}' at {} ({} instructions): {}\n{}\n{}", expr, ebpf::hook_name(hook),
                                         program->insns.size(), loaded.error().message, loaded.error().verifier_log,
                                         program->insns.size() < 400 ? ebpf::dump(program->insns) : std::string("(long)"));
            continue;
        }
        ++tally.accepted[hook];
        for (const std::vector<StoredPacket>* set : {&packets, &mutated}) {
            for (const StoredPacket& p : *set) {
                if (!ebpf::test_runnable(hook, p.bytes)) {
                    ++tally.not_runnable[hook];
                    continue;
                }
                // The kernel's skb->len is the bytes given: the VM sees the same length.
                const std::uint32_t vm = cbpf::run(metadata ? with_test_run_metadata(*classic, hook, p.bytes) : *classic, p.bytes,
                                                   static_cast<std::uint32_t>(p.bytes.size()));
                auto run = ebpf::test_run(*loaded, p.bytes);
                ASSERT_TRUE(run.has_value()) << expr << " on " << p.origin << ": " << run.error().message;
                ++tally.runs[hook];
                if (run->retval == ebpf::hook_return(hook, vm)) continue;
                ++tally.mismatches;
                if (tally.reported++ < 5)
                    ADD_FAILURE() << fmt::format("'{}'{} at {} on {} ({} bytes): eBPF returned {}, the VM {}\n{}", expr, optimize ? "" : " (-O)",
                                                 ebpf::hook_name(hook), p.origin, p.bytes.size(), run->retval, vm,
                                                 program->insns.size() < 400 ? ebpf::dump(program->insns) : std::string("(long)"));
            }
        }
    }
}

void report(int dlt, const std::vector<ebpf::Hook>& hooks, const Tally& t, const char* what) {
    for (ebpf::Hook hook : hooks) {
        auto at = [&](const std::map<ebpf::Hook, std::size_t>& m) { return m.count(hook) ? m.at(hook) : std::size_t{0}; };
        std::printf("link type %d, %s, %s: %zu of %zu programs accepted by the verifier, %zu test runs (%zu packets the kernel "
                    "cannot test-run at this hook), %zu expressions refused on the link type, %zu mismatches\n",
                    dlt, what, std::string(ebpf::hook_name(hook)).c_str(), at(t.accepted), at(t.programs), at(t.runs), at(t.not_runnable),
                    t.refused, t.mismatches);
    }
    EXPECT_EQ(t.mismatches, 0u);
    for (ebpf::Hook hook : hooks) EXPECT_EQ(t.accepted.count(hook) ? t.accepted.at(hook) : 0, t.programs.count(hook) ? t.programs.at(hook) : 0)
        << "programs the verifier refused at " << ebpf::hook_name(hook);
}

std::vector<ebpf::Hook> hooks_for(int dlt) {
    if (dlt == 1) return {ebpf::Hook::Socket, ebpf::Hook::Xdp, ebpf::Hook::Tc};
    return {ebpf::Hook::Socket};
}

class EbpfDifferential : public ::testing::TestWithParam<int> {};

TEST_P(EbpfDifferential, EveryHookAgreesWithTheReferenceVm) {
    if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
    const int dlt = GetParam();
    const bool sanitized = std::getenv("SNIFF_SANITIZED") != nullptr;
    // SNIFF_EBPF_SAMPLE=N takes N packets per link type (0: every one) for a longer hand run.
    const char* sample_text = std::getenv("SNIFF_EBPF_SAMPLE");
    std::size_t sample = sanitized ? 40 : 160;
    if (sample_text) sample = std::strtoul(sample_text, nullptr, 10) ? std::strtoul(sample_text, nullptr, 10) : SIZE_MAX;
    const std::vector<StoredPacket> packets = sample_packets(dlt, sample);
    Tally tally;
    for (const char* expr : all_expressions()) check_expression(expr, dlt, true, hooks_for(dlt), packets, sanitized ? 10 : 40, tally);
    report(dlt, hooks_for(dlt), tally, "the differential suite's expressions");
    if (dlt != 1) return;
    // Without the optimizer the graph has other shapes (every test loads its value).
    Tally plain;
    for (const char* expr : all_expressions()) check_expression(expr, dlt, false, {ebpf::Hook::Socket}, packets, 10, plain);
    report(dlt, {ebpf::Hook::Socket}, plain, "the same with -O");
    // Every set of two or more ranges in a map (SetMapOptions): the lookups on the same packets.
    Tally maps;
    for (const char* expr : all_expressions())
        check_expression(expr, dlt, true, hooks_for(dlt), packets, sanitized ? 10 : 40, maps, {.from_ranges = 2});
    report(dlt, hooks_for(dlt), maps, "the same with every set in a map");
}

// Random filters of the generator the random-filter suite uses, deeper than libpcap comparisons
// allow: nested arithmetic (registers run out and values go to the stack), divisions, shifts,
// protochain. SNIFF_EBPF_RANDOM=N draws N per link type, from SNIFF_EBPF_SEED
// (scripts/ebpf_random_filters.sh runs a longer campaign).
TEST_P(EbpfDifferential, RandomFiltersAgreeWithTheReferenceVm) {
    if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
    const int dlt = GetParam();
    const char* count_text = std::getenv("SNIFF_EBPF_RANDOM");
    const int count = count_text ? std::atoi(count_text) : std::getenv("SNIFF_SANITIZED") ? 10 : 40;
    const std::vector<StoredPacket> packets = sample_packets(dlt, 60);
    const char* seed_text = std::getenv("SNIFF_EBPF_SEED");
    const std::uint64_t seed = (seed_text ? std::strtoull(seed_text, nullptr, 10) : 0x5eed0000u) + static_cast<unsigned>(dlt);
    std::mt19937_64 rng(seed);
    testing_support::GeneratorOptions options;
    options.family = testing_support::link_family_for(dlt);
    options.max_depth = 4;
    options.protochain_percent = 5;
    Tally tally;
    for (int i = 0; i < count; ++i) {
        const std::string expr = testing_support::generate_filter(rng, options);
        SCOPED_TRACE(fmt::format("{} (SNIFF_EBPF_SEED={}, filter {})", expr, seed - static_cast<unsigned>(dlt), i));
        check_expression(expr, dlt, true, hooks_for(dlt), packets, 10, tally);
    }
    report(dlt, hooks_for(dlt), tally, "random filters");
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, EbpfDifferential, ::testing::ValuesIn(differential_cases::kLinkTypes),
                         [](const auto& info) { return testing_support::link_type_name(info.param); });

}  // namespace
