// sniff's eBPF against sniff's reference VM: every expression of the differential suite, on every
// link type, compiled to eBPF, loaded into the kernel and run with BPF_PROG_TEST_RUN over sampled
// real packets, packets cut short and packets mutated towards the program's comparisons. The
// socket filter on every link type; XDP and TC on Ethernet. Every program must pass the verifier
// and every answer must be the VM's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "differential_expressions.hpp"
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

class EbpfDifferential : public ::testing::TestWithParam<int> {};

TEST_P(EbpfDifferential, EveryHookAgreesWithTheReferenceVm) {
    if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
    const int dlt = GetParam();
    const bool sanitized = std::getenv("SNIFF_SANITIZED") != nullptr;
    const std::vector<StoredPacket> packets = sample_packets(dlt, sanitized ? 40 : 160);
    std::vector<ebpf::Hook> hooks{ebpf::Hook::Socket};
    if (dlt == 1) hooks.push_back(ebpf::Hook::Xdp), hooks.push_back(ebpf::Hook::Tc);

    std::map<ebpf::Hook, std::size_t> programs, accepted, runs, not_runnable;
    std::size_t mismatches = 0, refused = 0;
    int reported = 0;
    for (const char* expr : all_expressions()) {
        auto classic = sniff::compile(expr, {dlt, kSnaplen});
        if (!classic) {
            ++refused;  // refused on this link type (the differential suite checks why)
            continue;
        }
        std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*classic}, sanitized ? 10 : 40, 1);
        for (ebpf::Hook hook : hooks) {
            auto program = sniff::compile_ebpf(expr, {dlt, kSnaplen}, hook);
            ASSERT_TRUE(program.has_value()) << expr << " at " << ebpf::hook_name(hook) << ": " << program.error().message;
            ++programs[hook];
            auto loaded = ebpf::load(*program, hook);
            if (!loaded) {
                ADD_FAILURE() << fmt::format("the verifier refused '{}' at {} ({} instructions): {}\n{}\n{}", expr, ebpf::hook_name(hook),
                                             program->size(), loaded.error().message, loaded.error().verifier_log,
                                             program->size() < 400 ? ebpf::dump(*program) : std::string("(long)"));
                continue;
            }
            ++accepted[hook];
            for (const auto* set : {&packets, &mutated}) {
                for (const StoredPacket& p : *set) {
                    if (!ebpf::test_runnable(hook, p.bytes.size())) {
                        ++not_runnable[hook];
                        continue;
                    }
                    // The kernel's skb->len is the bytes given: the VM sees the same length.
                    const std::uint32_t vm = cbpf::run(*classic, p.bytes, static_cast<std::uint32_t>(p.bytes.size()));
                    auto run = ebpf::test_run(*loaded, p.bytes);
                    ASSERT_TRUE(run.has_value()) << expr << " on " << p.origin << ": " << run.error().message;
                    ++runs[hook];
                    if (run->retval != ebpf::hook_return(hook, vm)) {
                        ++mismatches;
                        if (reported++ < 5)
                            ADD_FAILURE() << fmt::format("'{}' at {} on {} ({} bytes): eBPF returned {}, the VM {}\n{}", expr,
                                                         ebpf::hook_name(hook), p.origin, p.bytes.size(), run->retval, vm,
                                                         program->size() < 400 ? ebpf::dump(*program) : std::string("(long)"));
                    }
                }
            }
        }
    }
    for (ebpf::Hook hook : hooks)
        std::printf("link type %d, %s: %zu of %zu programs accepted by the verifier, %zu test runs (%zu packets the kernel cannot "
                    "test-run at this hook), %zu expressions refused on the link type\n",
                    dlt, std::string(ebpf::hook_name(hook)).c_str(), accepted[hook], programs[hook], runs[hook], not_runnable[hook], refused);
    EXPECT_EQ(mismatches, 0u);
    for (ebpf::Hook hook : hooks) EXPECT_EQ(accepted[hook], programs[hook]) << ebpf::hook_name(hook);
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, EbpfDifferential, ::testing::ValuesIn(differential_cases::kLinkTypes),
                         [](const auto& info) { return testing_support::link_type_name(info.param); });

}  // namespace
