// The eBPF module: the dumper against hand-written expectations and against the kernel verifier's
// own log, and the loader with hand-written programs for each hook, test-run in the kernel.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "ebpf/dump.hpp"
#include "ebpf/loader.hpp"
#include "ebpf/program.hpp"

namespace {

using namespace ebpf;
using namespace ebpf::op;

constexpr Insn mov64_imm(std::uint8_t dst, std::int32_t imm) { return alu64_imm(MOV, dst, imm); }

// Both slots of `dst = imm64` (BPF_LD_IMM64 in include/linux/filter.h).
void push_ld_imm64(Program& p, std::uint8_t dst, std::uint64_t imm) {
    p.push_back(insn(LD | IMM | DW, dst, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(imm))));
    p.push_back(insn(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(imm >> 32))));
}

// ---------------------------------------------------------------------------------------------
// dump(): one row per encoding.

struct DumpRow {
    Insn insn;
    const char* text;  // after "(%02x) "
};

const DumpRow kDumpRows[] = {
    // ALU32 and ALU64, register and immediate (immediates in decimal, negative ones signed)
    {alu32_reg(ADD, R1, R2), "w1 += w2"},
    {alu64_imm(ADD, R1, 5), "r1 += 5"},
    {alu64_imm(ADD, R4, -1), "r4 += -1"},
    {alu32_imm(SUB, R3, 7), "w3 -= 7"},
    {alu64_reg(MUL, R0, R9), "r0 *= r9"},
    {alu32_imm(DIV, R0, 10), "w0 /= 10"},
    {alu64_reg(OR, R1, R7), "r1 |= r7"},
    {alu32_imm(AND, R1, 15), "w1 &= 15"},
    {alu32_imm(AND, R1, 0xffff), "w1 &= 65535"},
    {alu64_imm(LSH, R2, 32), "r2 <<= 32"},
    {alu32_imm(RSH, R2, 4), "w2 >>= 4"},
    {alu64_imm(MOD, R5, 3), "r5 %= 3"},
    {alu32_reg(XOR, R0, R0), "w0 ^= w0"},
    {alu64_imm(ARSH, R3, 1), "r3 s>>= 1"},
    {mov32_imm(R0, 96), "w0 = 96"},
    {mov32_reg(R0, R7), "w0 = w7"},
    {mov64_reg(R6, R1), "r6 = r1"},
    {mov64_imm(R0, -1), "r0 = -1"},
    {alu32_imm(NEG, R1, 0), "w1 = -w1"},
    {alu64_imm(NEG, R3, 0), "r3 = -r3"},
    // signed division and sign-extending moves (v4 encodings, off != 0)
    {insn(ALU64 | DIV | X, R1, R2, 1, 0), "r1 s/= r2"},
    {insn(ALU | MOD | K, R1, 0, 1, 3), "w1 s%= 3"},
    {insn(ALU64 | MOV | X, R1, R2, 16, 0), "r1 = (s16)r2"},
    // END: "r" even in the 32-bit class, as disasm.c prints it; ALU64 | END is bswap
    {to_big_endian(R1, 16), "r1 = be16 r1"},
    {to_big_endian(R2, 32), "r2 = be32 r2"},
    {insn(ALU | END | K, R3, 0, 0, 64), "r3 = le64 r3"},
    {insn(ALU64 | END | K, R3, 0, 0, 16), "r3 = bswap16 r3"},
    // loads and stores, offsets signed with a space before them
    {load_mem(H, R0, R6, 12), "r0 = *(u16 *)(r6 +12)"},
    {load_mem(DW, R2, R10, -16), "r2 = *(u64 *)(r10 -16)"},
    {load_mem(B, R3, R2, 0), "r3 = *(u8 *)(r2 +0)"},
    {store_mem(W, R10, R1, -8), "*(u32 *)(r10 -8) = r1"},
    {store_imm(W, R10, -8, 0), "*(u32 *)(r10 -8) = 0"},
    {store_imm(B, R10, -1, -2), "*(u8 *)(r10 -1) = -2"},
    {insn(LDX | 0x80 | H, R1, R2, 4, 0), "r1 = *(s16 *)(r2 +4)"},
    // atomics: add, and add with BPF_FETCH (0x01), as the XDP verdict counters use it
    {insn(STX | 0xc0 | DW, R1, R2, 0, ADD), "lock *(u64 *)(r1 +0) += r2"},
    {insn(STX | 0xc0 | DW, R1, R2, 8, ADD | 0x01), "r2 = atomic64_fetch_add((u64 *)(r1 +8), r2)"},
    {insn(STX | 0xc0 | W, R3, R4, -4, ADD | 0x01), "r4 = atomic_fetch_add((u32 *)(r3 -4), r4)"},
    // the legacy packet loads
    {load_abs(B, 23), "r0 = *(u8 *)skb[23]"},
    {load_abs(W, 26), "r0 = *(u32 *)skb[26]"},
    {load_ind(H, R1, 14), "r0 = *(u16 *)skb[r1 + 14]"},
    // jumps: immediates in hex (their 32-bit pattern), offsets relative and signed
    {jmp64_imm(JGT, R1, 0xffff, 3), "if r1 > 0xffff goto pc+3"},
    {jmp32_imm(JEQ, R0, 0x800, 5), "if w0 == 0x800 goto pc+5"},
    {jmp32_imm(JSET, R1, 1, 2), "if w1 & 0x1 goto pc+2"},
    {jmp64_imm(JNE, R2, 0, 1), "if r2 != 0x0 goto pc+1"},
    {jmp64_imm(JSLT, R2, -1, 1), "if r2 s< 0xffffffff goto pc+1"},
    {jmp64_reg(JGE, R4, R3, 7), "if r4 >= r3 goto pc+7"},
    {jmp32_reg(JSLE, R4, R3, -2), "if w4 s<= w3 goto pc-2"},
    {jmp64_reg(JLT, R1, R2, 0), "if r1 < r2 goto pc+0"},
    {jmp32_imm(JLE, R1, 9, 1), "if w1 <= 0x9 goto pc+1"},
    {jmp64_imm(JSGE, R1, 2, 1), "if r1 s>= 0x2 goto pc+1"},
    {jmp64_imm(JSGT, R1, 2, 1), "if r1 s> 0x2 goto pc+1"},
    {jmp64_imm(JSLE, R1, 2, 1), "if r1 s<= 0x2 goto pc+1"},
    {jump_always(-4), "goto pc-4"},
    {jump_always(2), "goto pc+2"},
    {insn(JMP32 | JA, 0, 0, 0, 70000), "gotol pc+70000"},
    // helpers by name and id, as the verifier log names them
    {call_helper(39), "call bpf_skb_pull_data#39"},
    {call_helper(7), "call bpf_get_prandom_u32#7"},
    {call_helper(211), "call bpf_cgrp_storage_delete#211"},
    {call_helper(100000), "call unknown#100000"},
    {insn(JMP | CALL, 0, 1, 0, 3), "call pc+3"},
    {exit_insn(), "exit"},
};

TEST(EbpfDump, EveryEncodingInTheVerifierNotation) {
    for (const auto& row : kDumpRows) {
        std::string expected = fmt::format("   0: ({:02x}) {}\n", row.insn.code, row.text);
        EXPECT_EQ(dump({row.insn}), expected) << row.text;
    }
}

TEST(EbpfDump, NumbersLinesAndPrintsLdImm64Once) {
    Program p = {mov64_reg(R6, R1)};
    push_ld_imm64(p, R1, 0x123456789abcdefull);
    p.push_back(exit_insn());
    push_ld_imm64(p, R2, 0xffffffffffffffffull);
    EXPECT_EQ(dump(p),
              "   0: (bf) r6 = r1\n"
              "   1: (18) r1 = 0x123456789abcdef\n"
              "   3: (95) exit\n"
              "   4: (18) r2 = 0xffffffffffffffff\n");
    // A first half with nothing after it is no valid instruction.
    EXPECT_EQ(dump({insn(LD | IMM | DW, R1, 0, 0, 1)}), "   0: (18) BUG_ld_18\n");
}

TEST(EbpfDump, CArrayOfStructBpfInsn) {
    Program p = {load_abs(H, 12), jmp32_imm(JNE, R0, 0x800, -3), store_mem(W, R10, R1, -8), mov64_imm(R0, -1)};
    EXPECT_EQ(dump_c_array(p),
              "{ 0x28, 0, 0, 0, 0x0000000c }, /* 0 */\n"
              "{ 0x56, 0, 0, -3, 0x00000800 }, /* 1 */\n"
              "{ 0x63, 10, 1, -8, 0x00000000 }, /* 2 */\n"
              "{ 0xb7, 0, 0, 0, 0xffffffff }, /* 3 */\n");
}

// ---------------------------------------------------------------------------------------------
// Hand-written programs, one per hook, all answering "is this an IPv4 frame?" (bytes 12..13).

// Socket filter with the legacy loads: 96 bytes kept for IPv4, 0 otherwise.
Program socket_ipv4() {
    return {mov64_reg(R6, R1),                    // LD_ABS needs the context in r6
            load_abs(H, 12),                      // r0 = ntohs(frame[12..13])
            jmp32_imm(JNE, R0, 0x800, 2),
            mov64_imm(R0, 96),
            exit_insn(),
            mov64_imm(R0, 0),
            exit_insn()};
}

// Direct packet access between ctx->data and ctx->data_end, the bounds check first; `data_off`
// and `end_off` are the context's fields (xdp_md: 0, 4; __sk_buff: 76, 80).
Program direct_ipv4(std::int16_t data_off, std::int16_t end_off, std::int32_t match, std::int32_t other) {
    return {load_mem(W, R2, R1, data_off),
            load_mem(W, R3, R1, end_off),
            mov64_reg(R4, R2),
            alu64_imm(ADD, R4, 14),
            jmp64_reg(JGT, R4, R3, 5),            // shorter than an Ethernet header: no match
            load_mem(H, R5, R2, 12),
            to_big_endian(R5, 16),
            jmp32_imm(JNE, R5, 0x800, 2),
            mov32_imm(R0, match),
            exit_insn(),
            mov32_imm(R0, other),
            exit_insn()};
}
constexpr std::int32_t kXdpPass = 2, kXdpDrop = 1, kTcOk = 0, kTcShot = 2;
static_assert(hook_return(Hook::Xdp, 96) == kXdpPass && hook_return(Hook::Xdp, 0) == kXdpDrop &&
              hook_return(Hook::Tc, 96) == kTcOk && hook_return(Hook::Tc, 0) == kTcShot);
Program xdp_ipv4() { return direct_ipv4(0, 4, kXdpPass, kXdpDrop); }
Program tc_ipv4() { return direct_ipv4(76, 80, kTcOk, kTcShot); }

// Reaches every class the emitter uses, with both sides of each branch open to the verifier (the
// values come from the packet), so that a level-2 log prints every instruction.
Program every_class() {
    Program p = {
        mov64_reg(R6, R1),                 //  0
        load_abs(H, 12),                   //  1
        mov64_reg(R7, R0),                 //  2
        load_abs(B, 14),                   //  3
        alu32_imm(AND, R0, 15),            //  4
        alu32_imm(LSH, R0, 2),             //  5
        mov64_reg(R1, R0),                 //  6
        load_ind(B, R1, 23),               //  7
        store_mem(W, R10, R0, -8),         //  8
        store_imm(W, R10, -4, 0),          //  9
        load_mem(W, R2, R10, -8),          // 10
        load_mem(W, R3, R6, 0),            // 11  skb->len
        alu32_reg(SUB, R3, R2),            // 12
        alu32_imm(NEG, R3, 0),             // 13
        alu64_imm(NEG, R3, 0),             // 14
    };
    push_ld_imm64(p, R4, 0x123456789ull);  // 15, 16
    Program rest = {
        alu64_reg(ADD, R4, R3),            // 17
        alu64_imm(RSH, R4, 3),             // 18
        alu64_imm(ADD, R4, -1),            // 19
        to_big_endian(R7, 16),             // 20
        mov64_reg(R8, R4),                 // 21  the call clobbers r1-r5
        call_helper(7),                    // 22  bpf_get_prandom_u32
        jmp32_imm(JEQ, R7, 0x8, 4),        // 23 → 28
        jmp64_imm(JGT, R0, 0xffff, 2),     // 24 → 27
        jmp32_imm(JSET, R8, 1, 1),         // 25 → 27
        jmp32_reg(JGE, R0, R7, 2),         // 26 → 29
        mov32_imm(R0, 96),                 // 27
        exit_insn(),                       // 28
        mov64_imm(R0, 0),                  // 29
        exit_insn(),                       // 30
    };
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}

// ---------------------------------------------------------------------------------------------
// dump() against the kernel: each line must be one the verifier printed for the same index.

// The instructions a level-2 log prints, by index: as the verifier walks them,
// "12: (1c) w3 -= w2   ; R2_w=... R3_w=..." (the register state after ';' dropped), and, since 6.13,
// first for the whole program under "Live regs before insn:", "     12: 0.23...... (1c) w3 -= w2"
// (which also covers instructions the walk never reaches).
std::map<int, std::set<std::string>> verifier_lines(const std::string& log) {
    std::map<int, std::set<std::string>> out;
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        std::size_t digits = line.find_first_not_of(' ');
        std::size_t colon = line.find(": ", digits);
        if (digits == std::string::npos || colon == std::string::npos || colon == digits ||
            line.find_first_not_of("0123456789", digits) != colon)
            continue;
        std::size_t text = colon + 2;
        if (digits > 0) {  // live registers: ten characters, one per register, then a space
            if (line.size() < text + 11 || line.find_first_not_of("0123456789.", text) != text + 10) continue;
            text += 11;
        }
        if (line.compare(text, 1, "(") != 0) continue;
        std::string insn = line.substr(text);
        if (auto semi = insn.find(';'); semi != std::string::npos) insn.erase(semi);
        while (!insn.empty() && insn.back() == ' ') insn.pop_back();
        out[std::stoi(line.substr(digits, colon - digits))].insert(insn);
    }
    return out;
}

struct CrossCheckRow {
    const char* name;
    Program program;
    Hook hook;
};

TEST(EbpfDump, AgreesWithTheVerifierLog) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    const CrossCheckRow rows[] = {
        {"every class", every_class(), Hook::Socket},
        {"socket", socket_ipv4(), Hook::Socket},
        {"xdp", xdp_ipv4(), Hook::Xdp},
        {"tc", tc_ipv4(), Hook::Tc},
    };
    for (const auto& row : rows) {
        auto log = verifier_log(row.program, row.hook, 2);
        ASSERT_TRUE(log) << row.name << ": " << log.error().message << "\n" << log.error().verifier_log;
        auto kernel = verifier_lines(*log);
        std::istringstream ours(dump(row.program));
        std::string line;
        std::size_t compared = 0;
        while (std::getline(ours, line)) {
            std::size_t colon = line.find(':');
            int index = std::stoi(line.substr(0, colon));
            std::string text = line.substr(colon + 2);
            const auto& seen = kernel[index];
            EXPECT_TRUE(seen.contains(text)) << row.name << ": ours \"" << line << "\", the kernel's at " << index << ": "
                                             << (seen.empty() ? "(none)" : *seen.begin()) << "\n" << *log;
            ++compared;
        }
        EXPECT_GT(compared, 0u) << row.name;
    }
}

// ---------------------------------------------------------------------------------------------
// load() and test_run().

std::vector<std::uint8_t> ipv4_frame() {
    std::vector<std::uint8_t> f(60, 0);
    for (int i = 0; i < 6; ++i) {
        f[i] = 0x02;
        f[6 + i] = 0x04;
    }
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = 0x45;
    return f;
}

std::vector<std::uint8_t> arp_frame() {
    std::vector<std::uint8_t> f(42, 0);
    for (int i = 0; i < 6; ++i) f[i] = 0xff;
    f[12] = 0x08;
    f[13] = 0x06;
    return f;
}

std::vector<std::uint8_t> short_frame() {
    auto f = ipv4_frame();
    f.resize(13);
    return f;
}

struct RunRow {
    const char* frame_name;
    std::vector<std::uint8_t> frame;
    std::optional<std::uint32_t> verdict;  // none: the kernel does not test-run such a frame
};

struct HookRow {
    Hook hook;
    Program program;
    std::vector<RunRow> runs;
};

TEST(EbpfLoader, HandWrittenProgramsOnEachHook) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    const HookRow rows[] = {
        // 13 bytes: the socket filter's load runs past the end, which ends it with 0
        {Hook::Socket, socket_ipv4(), {{"ipv4", ipv4_frame(), 96}, {"arp", arp_frame(), 0}, {"13 bytes", short_frame(), 0}}},
        {Hook::Xdp, xdp_ipv4(), {{"ipv4", ipv4_frame(), kXdpPass}, {"arp", arp_frame(), kXdpDrop}, {"13 bytes", short_frame(), {}}}},
        {Hook::Tc, tc_ipv4(), {{"ipv4", ipv4_frame(), kTcOk}, {"arp", arp_frame(), kTcShot}, {"13 bytes", short_frame(), {}}}},
    };
    for (const auto& row : rows) {
        auto loaded = load(row.program, row.hook, "sniff_test");
        ASSERT_TRUE(loaded) << hook_name(row.hook) << ": " << loaded.error().message << "\n" << loaded.error().verifier_log;
        EXPECT_GE(loaded->fd(), 0);
        EXPECT_EQ(loaded->hook(), row.hook);
        EXPECT_EQ(loaded->insns(), row.program.size());
        for (const auto& run : row.runs) {
            SCOPED_TRACE(fmt::format("{} on {}", hook_name(row.hook), run.frame_name));
            EXPECT_EQ(test_runnable(row.hook, run.frame.size()), run.verdict.has_value());
            EXPECT_EQ(test_runnable(row.hook, run.frame), run.verdict.has_value());
            auto result = test_run(*loaded, run.frame, 3);
            if (run.verdict) {
                ASSERT_TRUE(result) << result.error().message;
                EXPECT_EQ(result->retval, *run.verdict);
            } else {
                ASSERT_FALSE(result);
                EXPECT_EQ(result.error().error_number, EINVAL);
                EXPECT_NE(result.error().message.find("bpf(BPF_PROG_TEST_RUN)"), std::string::npos) << result.error().message;
            }
        }
    }
}

TEST(EbpfLoader, RefusedProgramCarriesTheVerifierLog) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    const Program bad = {mov64_reg(R0, R2), exit_insn()};  // r2 is never written
    for (Hook hook : {Hook::Socket, Hook::Xdp, Hook::Tc}) {
        auto loaded = load(bad, hook);
        ASSERT_FALSE(loaded) << hook_name(hook);
        const LoadError& e = loaded.error();
        EXPECT_EQ(e.error_number, EACCES);
        EXPECT_EQ(e.message, fmt::format("bpf(BPF_PROG_LOAD) refused the {} program: Permission denied", hook_name(hook)));
        EXPECT_NE(e.verifier_log.find("0: (bf) r0 = r2"), std::string::npos) << e.verifier_log;
        EXPECT_NE(e.verifier_log.find("R2 !read_ok"), std::string::npos) << e.verifier_log;
        EXPECT_LE(std::count(e.verifier_log.begin(), e.verifier_log.end(), '\n'), 20);
    }
    // verifier_log() refuses it the same way.
    auto log = verifier_log(bad, Hook::Socket);
    ASSERT_FALSE(log);
    EXPECT_NE(log.error().verifier_log.find("R2 !read_ok"), std::string::npos);
}

TEST(EbpfLoader, LoadedProgramOwnsItsDescriptor) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    auto loaded = load(socket_ipv4(), Hook::Socket);
    ASSERT_TRUE(loaded) << loaded.error().message;
    int fd = loaded->fd();
    LoadedProgram moved = std::move(*loaded);
    EXPECT_EQ(moved.fd(), fd);
    EXPECT_EQ(loaded->fd(), -1);
    { LoadedProgram gone = std::move(moved); }
    EXPECT_EQ(fcntl(fd, F_GETFD), -1);  // closed with its owner
}

// Whether test_run() takes `frame`; any refusal other than EINVAL fails the test.
bool runs(const LoadedProgram& program, std::span<const std::uint8_t> frame) {
    auto r = test_run(program, frame);
    if (!r && r.error().error_number != EINVAL) ADD_FAILURE() << r.error().message;
    return r.has_value();
}
bool runs(const LoadedProgram& program, std::size_t size) { return runs(program, std::vector<std::uint8_t>(size, 0)); }

Program return_constant(Hook hook) { return {mov64_imm(R0, hook == Hook::Xdp ? kXdpPass : 0), exit_insn()}; }

// test_runnable()'s size limits are test_run()'s: at each edge, and at the largest size taken
// (found by bisection, so that a kernel with other limits names them).
TEST(EbpfLoader, TestRunnableSizesAreTheKernels) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    for (Hook hook : {Hook::Socket, Hook::Xdp, Hook::Tc}) {
        auto loaded = load(return_constant(hook), hook);
        ASSERT_TRUE(loaded) << loaded.error().message;
        std::size_t lo = 14, hi = 1 << 20;  // taken, refused
        ASSERT_TRUE(runs(*loaded, lo)) << hook_name(hook);
        ASSERT_FALSE(runs(*loaded, hi)) << hook_name(hook);
        while (hi - lo > 1) {
            std::size_t mid = (lo + hi) / 2;
            (runs(*loaded, mid) ? lo : hi) = mid;
        }
        std::cout << "[ limits   ] " << hook_name(hook) << ": frames up to " << lo << " bytes are test-run\n";
        const std::size_t sizes[] = {0, 1, 13, 14, 15, 60, lo - 1, lo, lo + 1, 4096, 9000, 65535};
        for (std::size_t size : sizes) {
            EXPECT_EQ(test_runnable(hook, size), runs(*loaded, size)) << hook_name(hook) << ", " << size << " bytes";
        }
    }
}

// Why xdp stops at one buffer: the kernel takes longer inputs but puts the bytes after 3520 in
// fragments, and the program's data..data_end covers the first buffer only.
TEST(EbpfLoader, XdpSeesOneBuffer) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    const Program linear_length = {load_mem(W, R2, R1, 0), load_mem(W, R3, R1, 4), mov64_reg(R0, R3),
                                   alu64_reg(SUB, R0, R2), exit_insn()};
    auto loaded = load(linear_length, Hook::Xdp);
    ASSERT_TRUE(loaded) << loaded.error().message;
    for (std::size_t size : {std::size_t{3520}, std::size_t{3521}, std::size_t{9000}}) {
        std::vector<std::uint8_t> frame(size, 0);
        bpf_test_run_opts opts{};
        opts.sz = sizeof opts;
        opts.data_in = frame.data();
        opts.data_size_in = static_cast<__u32>(frame.size());
        ASSERT_EQ(bpf_prog_test_run_opts(loaded->fd(), &opts), 0) << size << ": " << std::strerror(errno);
        EXPECT_EQ(opts.retval, 3520u) << size;
    }
    auto r = test_run(*loaded, std::vector<std::uint8_t>(3521, 0));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error_number, EINVAL);
}

// On tc the kernel also wants a whole IPv4 or IPv6 header after an EtherType that announces one;
// socket filters get an EtherType of sniff's choosing in front, so any frame goes.
TEST(EbpfLoader, TestRunnableFramesAreTheKernels) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    struct Row {
        std::uint16_t ether_type;
        std::size_t size;
        bool tc;  // test-run on tc (socket and xdp take them all)
    };
    const Row rows[] = {{0x0800, 33, false}, {0x0800, 34, true}, {0x86dd, 53, false}, {0x86dd, 54, true},
                        {0x0806, 14, true},  {0x8100, 14, true}, {0x8100, 33, true},  {0x0000, 20, true}};
    for (Hook hook : {Hook::Socket, Hook::Xdp, Hook::Tc}) {
        auto loaded = load(return_constant(hook), hook);
        ASSERT_TRUE(loaded) << loaded.error().message;
        for (const Row& row : rows) {
            std::vector<std::uint8_t> frame(row.size, 0);
            frame[12] = row.ether_type >> 8;
            frame[13] = row.ether_type & 0xff;
            std::string what = fmt::format("{}: {} bytes of EtherType {:#06x}", hook_name(hook), row.size, row.ether_type);
            EXPECT_EQ(runs(*loaded, frame), hook != Hook::Tc || row.tc) << what;
            EXPECT_EQ(test_runnable(hook, frame), hook != Hook::Tc || row.tc) << what;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// attach_to_socket(): a UDP socket on the loopback keeps or drops datagrams as its filter says.

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

TEST(EbpfLoader, AttachesToASocket) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    Fd rx{socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)}, tx{socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    ASSERT_GE(rx.fd, 0);
    ASSERT_GE(tx.fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(bind(rx.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(getsockname(rx.fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

    auto received = [&](const char* payload) {
        if (sendto(tx.fd, payload, std::strlen(payload), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return false;
        char buf[64];
        for (int tries = 0; tries < 50; ++tries) {
            if (recv(rx.fd, buf, sizeof buf, MSG_DONTWAIT) > 0) return true;
            usleep(1000);
        }
        return false;
    };
    struct Row {
        const char* name;
        std::int32_t keep;  // the filter's answer: bytes kept
        bool arrives;
    };
    for (const Row& row : {Row{"drop all", 0, false}, Row{"keep all", 0xffff, true}}) {
        auto loaded = load({mov64_imm(R0, row.keep), exit_insn()}, Hook::Socket);
        ASSERT_TRUE(loaded) << loaded.error().message;
        auto attached = attach_to_socket(rx.fd, *loaded);
        ASSERT_TRUE(attached) << attached.error().message;
        EXPECT_EQ(received(row.name), row.arrives) << row.name;
    }

    auto xdp = load(xdp_ipv4(), Hook::Xdp);
    ASSERT_TRUE(xdp) << xdp.error().message;
    auto refused = attach_to_socket(rx.fd, *xdp);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().error_number, EINVAL);
    auto bad_fd = attach_to_socket(-1, *load({mov64_imm(R0, 0), exit_insn()}, Hook::Socket));
    ASSERT_FALSE(bad_fd);
    EXPECT_EQ(bad_fd.error().message, "setsockopt(SO_ATTACH_BPF) failed: Bad file descriptor");
}

TEST(EbpfLoader, ProgramInfoCountsWhatTheVerifierMadeOfIt) {
    if (auto why = bpf_unavailable()) GTEST_SKIP() << *why;
    // Two plain instructions stay two; a legacy packet load is expanded into a helper call with
    // its checks, so the kept program is longer than the one loaded.
    auto plain = load({mov64_imm(R0, 0), exit_insn()}, Hook::Socket);
    ASSERT_TRUE(plain);
    auto info = program_info(*plain);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->xlated_insns, 2u);
    auto with_load = load({mov64_reg(R6, R1), load_abs(B, 0), exit_insn()}, Hook::Socket);
    ASSERT_TRUE(with_load);
    auto expanded = program_info(*with_load);
    ASSERT_TRUE(expanded);
    EXPECT_GT(expanded->xlated_insns, 3u);
    EXPECT_FALSE(program_info(LoadedProgram{}));  // no program (libbpf says EBADFD for fd -1)
}

TEST(EbpfLoader, AvailabilityIsRemembered) {
    auto first = bpf_unavailable();
    EXPECT_EQ(first, bpf_unavailable());
    if (geteuid() == 0) {
        EXPECT_EQ(first, std::nullopt) << *first;
    }
}

}  // namespace
