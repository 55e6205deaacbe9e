// ebpf::from_cbpf, the kernel's classic-to-eBPF conversion that the eBPF benchmarks use as their
// baseline: hand-written programs for each conversion rule, then libpcap's program for every
// Ethernet expression of the differential suite, converted, loaded as a socket filter and
// test-run in the kernel, its answer compared with libpcap's bpf_filter on the same bytes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <string>
#include <vector>

#include "differential_expressions.hpp"
#include "ebpf/dump.hpp"
#include "ebpf/from_cbpf.hpp"
#include "ebpf/loader.hpp"
#include "libpcap_programs.hpp"
#include "packet_corpus.hpp"

namespace {

using namespace cbpf::op;
using cbpf::jump;
using cbpf::stmt;

constexpr std::uint32_t kSnaplen = 262144;

// ---------------------------------------------------------------------------------------------
// One row per conversion rule: a classic program, a frame, what the program returns on it
// (bpf_filter's answer, checked too), and the size of the conversion (3 prologue instructions
// plus the kernel's expansion of each instruction).
struct Row {
    const char* name;
    cbpf::Program program;
    std::vector<std::uint8_t> frame;
    std::uint32_t expected;
    std::size_t ebpf_insns;
};

std::vector<std::uint8_t> frame_of(std::size_t n, std::uint8_t first = 0x45) {
    std::vector<std::uint8_t> f(n, 0);
    for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<std::uint8_t>(i * 7 + 1);
    f[0] = first;
    return f;
}

std::vector<Row> rows() {
    const auto f = frame_of(64);  // f[0] = 0x45, f[i] = 7i + 1 after
    return {
        {"ret k", {stmt(RET | K, 96)}, f, 96, 5},
        {"ret a after ld imm", {stmt(LD | IMM, 7), stmt(RET | RET_A, 0)}, f, 7, 5},
        {"ld len", {stmt(LD | W | LEN, 0), stmt(RET | RET_A, 0)}, f, 64, 5},
        {"ldx len, txa", {stmt(LDX | W | LEN, 0), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, f, 64, 6},
        {"ld abs b", {stmt(LD | B | ABS, 2), stmt(RET | RET_A, 0)}, f, 15, 5},
        {"ld abs h", {stmt(LD | H | ABS, 1), stmt(RET | RET_A, 0)}, f, (8u << 8) | 15u, 5},
        {"ld abs past the end returns 0", {stmt(LD | W | ABS, 62), stmt(RET | K, 1)}, f, 0, 6},
        {"ld ind", {stmt(LDX | IMM, 3), stmt(LD | B | IND, 1), stmt(RET | RET_A, 0)}, f, 29, 6},
        // X = 4 * (0x45 & 0xf) = 20; A is kept.
        {"ldx msh keeps A", {stmt(LD | IMM, 9), stmt(LDX | B | MSH, 0), stmt(ALU | ADD | X, 0), stmt(RET | RET_A, 0)}, f, 29, 13},
        {"scratch memory", {stmt(LD | IMM, 11), stmt(ST, 3), stmt(LD | IMM, 0), stmt(LDX | MEM, 3), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, f, 11, 9},
        {"stx, ld mem", {stmt(LDX | IMM, 5), stmt(STX, 15), stmt(LD | MEM, 15), stmt(RET | RET_A, 0)}, f, 5, 7},
        {"alu k, 32-bit wrap", {stmt(LD | IMM, 0xffffffff), stmt(ALU | ADD | K, 2), stmt(RET | RET_A, 0)}, f, 1, 6},
        {"neg", {stmt(LD | IMM, 1), stmt(ALU | NEG, 0), stmt(RET | RET_A, 0)}, f, 0xffffffff, 6},
        {"div x", {stmt(LD | IMM, 100), stmt(LDX | IMM, 7), stmt(ALU | DIV | X, 0), stmt(RET | RET_A, 0)}, f, 14, 11},
        {"div by X = 0 returns 0", {stmt(LD | IMM, 100), stmt(ALU | DIV | X, 0), stmt(RET | K, 9)}, f, 0, 11},
        {"mod x", {stmt(LD | IMM, 100), stmt(LDX | IMM, 7), stmt(ALU | MOD | X, 0), stmt(RET | RET_A, 0)}, f, 2, 11},
        {"jeq, jf = 0", {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0x45, 1, 0), stmt(RET | K, 0), stmt(RET | K, 3)}, f, 3, 9},
        {"jeq, jt = 0 becomes jne", {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0x45, 0, 1), stmt(RET | K, 3), stmt(RET | K, 0)}, f, 3, 9},
        {"jgt, jt = 0 becomes jle", {stmt(LD | B | ABS, 0), jump(JMP | JGT | K, 0x44, 0, 1), stmt(RET | K, 3), stmt(RET | K, 0)}, f, 3, 9},
        {"jge, jt = 0 becomes jlt", {stmt(LD | B | ABS, 0), jump(JMP | JGE | K, 0x45, 0, 1), stmt(RET | K, 3), stmt(RET | K, 0)}, f, 3, 9},
        {"jset, jt = 0: jset and ja", {stmt(LD | B | ABS, 0), jump(JMP | JSET | K, 0x04, 0, 1), stmt(RET | K, 3), stmt(RET | K, 0)}, f, 3, 10},
        // (every instruction reachable, or the verifier refuses the program)
        {"both non-zero: jxx and ja",
         {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0x99, 1, 0), jump(JMP | JGT | K, 0x40, 1, 2), stmt(RET | K, 1),
          stmt(RET | K, 3), stmt(RET | K, 2)},
         f, 3, 13},
        // k = 0xffffffff would be sign-extended as an immediate: compared through TMP.
        {"negative k through tmp", {stmt(LD | IMM, 0xffffffff), jump(JMP | JEQ | K, 0xffffffff, 0, 1), stmt(RET | K, 4), stmt(RET | K, 0)}, f, 4, 10},
        {"jgt x", {stmt(LD | IMM, 5), stmt(LDX | IMM, 4), jump(JMP | JGT | X, 0, 0, 1), stmt(RET | K, 6), stmt(RET | K, 0)}, f, 6, 10},
        {"ja", {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0x99, 1, 0), stmt(JMP | JA, 1), stmt(RET | K, 0), stmt(RET | K, 8)}, f, 8, 10},
    };
}

std::vector<bpf_insn> insns_of(const cbpf::Program& p) { return testing_support::to_insns(p); }

TEST(FromCbpf, EachRuleAsTheKernelConvertsIt) {
    const bool kernel = !ebpf::bpf_unavailable();
    for (const Row& row : rows()) {
        SCOPED_TRACE(row.name);
        auto insns = insns_of(row.program);
        ASSERT_EQ(bpf_filter(insns.data(), row.frame.data(), static_cast<u_int>(row.frame.size()), static_cast<u_int>(row.frame.size())),
                  row.expected)
            << "the row's expectation is not libpcap's";
        auto converted = ebpf::from_cbpf(row.program);
        ASSERT_TRUE(converted) << converted.error();
        EXPECT_EQ(converted->size(), row.ebpf_insns) << ebpf::dump(*converted);
        if (!kernel) continue;
        auto loaded = ebpf::load(*converted, ebpf::Hook::Socket, "from_cbpf");
        ASSERT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log << ebpf::dump(*converted);
        auto run = ebpf::test_run(*loaded, row.frame);
        ASSERT_TRUE(run) << run.error().message;
        EXPECT_EQ(run->retval, row.expected) << ebpf::dump(*converted);
    }
}

TEST(FromCbpf, AncillaryLoadsPassTheVerifier) {
    if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << *why;
    // SKF_AD_OFF + n: protocol, pkt_type, ifindex, mark, queue, rxhash, cpu, xor, vlan tci,
    // vlan present, random, vlan tpid.
    for (std::uint32_t n : {0u, 4u, 8u, 20u, 24u, 32u, 36u, 40u, 44u, 48u, 56u, 60u}) {
        SCOPED_TRACE(n);
        const cbpf::Program p = {stmt(LD | W | ABS, 0xfffff000u + n), stmt(RET | RET_A, 0)};
        auto converted = ebpf::from_cbpf(p);
        ASSERT_TRUE(converted) << converted.error();
        auto loaded = ebpf::load(*converted, ebpf::Hook::Socket, "from_cbpf");
        ASSERT_TRUE(loaded) << loaded.error().verifier_log;
        ASSERT_TRUE(ebpf::test_run(*loaded, frame_of(60)));
    }
    // The test run's Ethernet header (loader.cpp) has EtherType 0x88b5 and destination 0, which
    // makes the packet PACKET_HOST (0): the protocol comes out in host order, as cBPF reads it.
    struct Field {
        std::uint32_t n, value;
    };
    for (Field f : {Field{0, 0x88b5}, Field{4, 0}}) {
        const cbpf::Program p = {stmt(LD | H | ABS, 0xfffff000u + f.n), stmt(RET | RET_A, 0)};
        auto loaded = ebpf::load(*ebpf::from_cbpf(p), ebpf::Hook::Socket, "from_cbpf");
        ASSERT_TRUE(loaded);
        auto run = ebpf::test_run(*loaded, frame_of(60));
        ASSERT_TRUE(run);
        EXPECT_EQ(run->retval, f.value) << "SKF_AD_OFF+" << f.n;
    }
}

TEST(FromCbpf, RefusalsNameTheInstruction) {
    struct Case {
        cbpf::Program program;
        const char* says;
    };
    const Case cases[] = {
        {{stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffeu), stmt(RET | K, 0)}, "instruction 1"},  // backward, as protochain's loop
        {{jump(JMP | JEQ | K, 0, 5, 0), stmt(RET | K, 0)}, "outside the program"},
        {{stmt(LD | W | ABS, 0xfffff000u + 28), stmt(RET | RET_A, 0)}, "SKF_AD_HATYPE"},
        {{stmt(ALU | DIV | K, 0), stmt(RET | RET_A, 0)}, "division by the constant 0"},
        {{stmt(ST, 16), stmt(RET | RET_A, 0)}, "M[15]"},
        {{}, "1 to 4096"},
    };
    for (const Case& c : cases) {
        auto r = ebpf::from_cbpf(c.program);
        ASSERT_FALSE(r) << c.says;
        EXPECT_NE(r.error().find(c.says), std::string::npos) << r.error();
    }
}

// ---------------------------------------------------------------------------------------------
// libpcap's programs for the Ethernet expressions, converted, against bpf_filter.

// libpcap's program with Linux's ancillary loads (inbound, outbound, ifindex, vlan on a live
// handle) replaced by what BPF_PROG_TEST_RUN gives a socket filter: the loopback device
// (ifindex 1), PACKET_HOST (the 14 zero bytes put in front), no VLAN tag. bpf_filter has no
// packet metadata and fails such loads; with this the expected answer is the kernel's.
std::vector<bpf_insn> with_test_run_metadata(const cbpf::Program& prog) {
    cbpf::Program out = prog;
    for (cbpf::Insn& in : out) {
        if (cls(in.code) != LD || mode(in.code) != ABS || in.k < 0xfffff000u) continue;
        const std::uint32_t field = in.k - 0xfffff000u;
        in = stmt(LD | IMM, field == 8 ? 1 : 0);  // ifindex 1; pkt_type, VLAN tag and presence 0
    }
    return testing_support::to_insns(out);
}

bool has_backward_jump(const cbpf::Program& p) {
    return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& in) { return in.code == (JMP | JA) && in.k >= 0x80000000u; });
}

TEST(FromCbpf, LibpcapProgramsAnswerAsBpfFilterOnEthernet) {
    if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << *why;
    using namespace differential_cases;
    std::vector<const char*> expressions;
    for (auto* table : {&kExpressions}) expressions.insert(expressions.end(), std::begin(*table), std::end(*table));
    expressions.insert(expressions.end(), std::begin(kArithmetic), std::end(kArithmetic));
    expressions.insert(expressions.end(), std::begin(kEthernetOnly), std::end(kEthernetOnly));

    // Every k-th Ethernet packet, about 100, kept to what BPF_PROG_TEST_RUN takes.
    const auto all = testing_support::packets_for_link_type(DLT_EN10MB, true);
    ASSERT_FALSE(all.empty());
    std::vector<testing_support::StoredPacket> packets;
    const std::size_t step = std::max<std::size_t>(1, all.size() / 100);
    for (std::size_t i = 0; i < all.size(); i += step)
        if (ebpf::test_runnable(ebpf::Hook::Socket, all[i].bytes.size())) packets.push_back(all[i]);

    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
    std::size_t compared = 0, backward = 0, refused_by_libpcap = 0, unusable = 0, runs = 0;
    for (const char* expr : expressions) {
        SCOPED_TRACE(expr);
        bpf_program bp{};
        if (pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            ++refused_by_libpcap;
            continue;
        }
        const cbpf::Program theirs = testing_support::to_program(bp);
        if (has_backward_jump(theirs)) {
            ++backward;
            EXPECT_FALSE(ebpf::from_cbpf(theirs)) << "a backward jump must be refused, as the kernel refuses it";
            pcap_freecode(&bp);
            continue;
        }
        if (testing_support::unusable_reference(theirs)) {
            ++unusable;
            pcap_freecode(&bp);
            continue;
        }
        auto converted = ebpf::from_cbpf(theirs);
        ASSERT_TRUE(converted) << converted.error();
        auto loaded = ebpf::load(*converted, ebpf::Hook::Socket, "from_cbpf");
        ASSERT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log;
        const auto reference = with_test_run_metadata(theirs);
        for (const auto& p : packets) {
            const auto caplen = static_cast<u_int>(p.bytes.size());
            const u_int want = bpf_filter(reference.data(), p.bytes.data(), caplen, caplen);
            auto run = ebpf::test_run(*loaded, p.bytes);
            ASSERT_TRUE(run) << p.origin << ": " << run.error().message;
            EXPECT_EQ(run->retval, want) << p.origin;
            ++runs;
        }
        ++compared;
        pcap_freecode(&bp);
    }
    pcap_close(dead);
    std::printf("from_cbpf: %zu expressions compared over %zu packets (%zu runs); skipped %zu with backward jumps "
                "(protochain), %zu refused by libpcap, %zu unusable references\n",
                compared, packets.size(), runs, backward, refused_by_libpcap, unusable);
    EXPECT_GT(compared, 100u);
    EXPECT_GT(backward, 0u) << "the suite's protochain expressions should be seen and skipped";
}

}  // namespace
