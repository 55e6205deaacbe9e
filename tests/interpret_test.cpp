// cbpf::run against libpcap's bpf_filter: hand-picked semantic edge cases (each also checked against
// libpcap, so the expected values are libpcap's), then thousands of random valid programs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/validate.hpp"

namespace {

using namespace cbpf::op;
using cbpf::jump;
using cbpf::stmt;
using Bytes = std::vector<std::uint8_t>;

std::vector<bpf_insn> to_pcap(const cbpf::Program& prog) {
    std::vector<bpf_insn> out;
    for (const auto& in : prog) out.push_back(bpf_insn{in.code, in.jt, in.jf, in.k});
    return out;
}

std::uint32_t run_pcap(const cbpf::Program& prog, const Bytes& pkt, std::uint32_t wire_length) {
    auto insns = to_pcap(prog);
    return bpf_filter(insns.data(), pkt.data(), wire_length, static_cast<u_int>(pkt.size()));
}

std::string hex(const Bytes& pkt) {
    std::string out;
    for (std::uint8_t b : pkt) out += fmt::format("{:02x}", b);
    return out.empty() ? "(empty)" : out;
}

// A program that must stop with 0 (a load past the captured bytes, a division by X == 0) is
// wrapped as `ld #kPoison; ...; ret #kAlive`: a VM that carries on returns kAlive, one that
// stops but returns A returns kPoison, and either way the row fails.
constexpr std::uint32_t kAlive = 0xa11e;
constexpr std::uint32_t kPoison = 0xbad;

cbpf::Program dies(std::initializer_list<cbpf::Insn> body) {
    cbpf::Program p{stmt(LD | IMM, kPoison)};
    p.insert(p.end(), body);
    p.push_back(stmt(RET | K, kAlive));
    return p;
}

struct Case {
    std::string_view name;
    cbpf::Program prog;
    Bytes packet;
    std::uint32_t wire_length;
    std::uint32_t expected;
};

const Bytes k4 = {0x01, 0x02, 0x03, 0x04};
const Bytes k8 = {0x45, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

const Case kCases[] = {
    // Loads within and just past the captured bytes (caplen), for each width.
    {"ld word at 0", {stmt(LD | W | ABS, 0), stmt(RET | RET_A, 0)}, k4, 4, 0x01020304},
    {"ld word straddling caplen", dies({stmt(LD | W | ABS, 1)}), k4, 100, 0},
    {"ldh last two bytes", {stmt(LD | H | ABS, 2), stmt(RET | RET_A, 0)}, k4, 4, 0x0304},
    {"ldh straddling caplen", dies({stmt(LD | H | ABS, 3)}), k4, 100, 0},
    {"ldb last byte", {stmt(LD | B | ABS, 3), stmt(RET | RET_A, 0)}, k4, 4, 0x04},
    {"ldb at caplen", dies({stmt(LD | B | ABS, 4)}), k4, 100, 0},
    {"ldb on empty packet", dies({stmt(LD | B | ABS, 0)}), {}, 60, 0},
    // The highest offsets below the Linux ancillary range (validate refuses k >= 0xfffff000).
    {"ld word at 0xffffeffc", dies({stmt(LD | W | ABS, 0xffffeffc)}), k4, 4, 0},
    {"ldh at 0xffffefff", dies({stmt(LD | H | ABS, 0xffffefff)}), k4, 4, 0},
    {"ld word at 0x80000000", dies({stmt(LD | W | ABS, 0x80000000)}), k4, 4, 0},
    {"failed load keeps no A", {stmt(LD | IMM, 7), stmt(LD | B | ABS, 9), stmt(RET | RET_A, 0)}, k4, 4, 0},
    // `len` is the wire length, not the number of captured bytes.
    {"ld len is wire length", {stmt(LD | W | LEN, 0), stmt(RET | RET_A, 0)}, k4, 1514, 1514},
    {"ldx len is wire length", {stmt(LDX | W | LEN, 0), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, k4, 9000, 9000},
    {"ld len on empty capture", {stmt(LD | W | LEN, 0), stmt(RET | RET_A, 0)}, {}, 60, 60},
    // ldxb 4*([k]&0xf): the IPv4 header length idiom.
    {"ldxb msh of 0x45", {stmt(LDX | B | MSH, 0), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, k8, 8, 20},
    {"ldxb msh ignores high nibble", {stmt(LDX | B | MSH, 3), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, {0, 0, 0, 0xf3}, 4, 12},
    {"ldxb msh past caplen", dies({stmt(LDX | B | MSH, 8)}), k8, 100, 0},
    // ALU arithmetic is 32-bit and wraps.
    {"add wraps", {stmt(LD | IMM, 0xffffffff), stmt(ALU | ADD | K, 2), stmt(RET | RET_A, 0)}, {}, 0, 1},
    {"sub wraps", {stmt(LD | IMM, 0), stmt(ALU | SUB | K, 1), stmt(RET | RET_A, 0)}, {}, 0, 0xffffffff},
    {"mul wraps", {stmt(LD | IMM, 0x10000), stmt(ALU | MUL | K, 0x10001), stmt(RET | RET_A, 0)}, {}, 0, 0x10000},
    {"mul -1 * -1", {stmt(LD | IMM, 0xffffffff), stmt(LDX | IMM, 0xffffffff), stmt(ALU | MUL | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 1},
    {"add x", {stmt(LD | IMM, 40), stmt(LDX | IMM, 2), stmt(ALU | ADD | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 42},
    {"sub x wraps", {stmt(LD | IMM, 1), stmt(LDX | IMM, 2), stmt(ALU | SUB | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0xffffffff},
    {"neg", {stmt(LD | IMM, 1), stmt(ALU | NEG, 0), stmt(RET | RET_A, 0)}, {}, 0, 0xffffffff},
    {"neg of 0x80000000", {stmt(LD | IMM, 0x80000000), stmt(ALU | NEG, 0), stmt(RET | RET_A, 0)}, {}, 0, 0x80000000},
    {"div is unsigned", {stmt(LD | IMM, 0xfffffffe), stmt(ALU | DIV | K, 2), stmt(RET | RET_A, 0)}, {}, 0, 0x7fffffff},
    {"mod k", {stmt(LD | IMM, 10), stmt(ALU | MOD | K, 3), stmt(RET | RET_A, 0)}, {}, 0, 1},
    {"div x", {stmt(LD | IMM, 10), stmt(LDX | IMM, 3), stmt(ALU | DIV | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 3},
    {"mod x", {stmt(LD | IMM, 10), stmt(LDX | IMM, 4), stmt(ALU | MOD | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 2},
    // Division by X == 0 ends the program with 0 (the checker cannot see X, so the VM must).
    {"div by x == 0 returns 0", dies({stmt(LD | IMM, 10), stmt(LDX | IMM, 0), stmt(ALU | DIV | X, 0)}), {}, 0, 0},
    {"mod by x == 0 returns 0", dies({stmt(LD | IMM, 10), stmt(LDX | IMM, 0), stmt(ALU | MOD | X, 0)}), {}, 0, 0},
    {"and/or/xor", {stmt(LD | IMM, 0xf0f0), stmt(ALU | AND | K, 0xff00), stmt(ALU | OR | K, 0x3), stmt(ALU | XOR | K, 0xffff0000), stmt(RET | RET_A, 0)}, {}, 0, 0xfffff003},
    {"and/or/xor x", {stmt(LD | IMM, 0xf0), stmt(LDX | IMM, 0x3c), stmt(ALU | XOR | X, 0), stmt(ALU | OR | X, 0), stmt(ALU | AND | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0x3c},
    // Shifts: constants are below 32 (validator rule); by X, 32 and above give 0 in libpcap 1.10.
    {"lsh 31", {stmt(LD | IMM, 3), stmt(ALU | LSH | K, 31), stmt(RET | RET_A, 0)}, {}, 0, 0x80000000},
    {"rsh 31", {stmt(LD | IMM, 0x80000000), stmt(ALU | RSH | K, 31), stmt(RET | RET_A, 0)}, {}, 0, 1},
    {"rsh is logical", {stmt(LD | IMM, 0xf0000000), stmt(ALU | RSH | K, 4), stmt(RET | RET_A, 0)}, {}, 0, 0x0f000000},
    {"lsh x 31", {stmt(LD | IMM, 1), stmt(LDX | IMM, 31), stmt(ALU | LSH | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0x80000000},
    {"lsh x 32 gives 0", {stmt(LD | IMM, 1), stmt(LDX | IMM, 32), stmt(ALU | LSH | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0},
    {"rsh x 33 gives 0", {stmt(LD | IMM, 0xffffffff), stmt(LDX | IMM, 33), stmt(ALU | RSH | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0},
    {"lsh x 0xffffffff gives 0", {stmt(LD | IMM, 1), stmt(LDX | IMM, 0xffffffff), stmt(ALU | LSH | X, 0), stmt(RET | RET_A, 0)}, {}, 0, 0},
    // Conditional jumps compare unsigned; jset tests A & operand.
    {"jset taken", {stmt(LD | IMM, 0x10), jump(JMP | JSET | K, 0x30, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 1},
    {"jset not taken", {stmt(LD | IMM, 0x10), jump(JMP | JSET | K, 0x20, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 2},
    {"jset x", {stmt(LD | IMM, 0x10), stmt(LDX | IMM, 0x11), jump(JMP | JSET | X, 0, 1, 0), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 2},
    {"jgt is unsigned", {stmt(LD | IMM, 0xffffffff), jump(JMP | JGT | K, 1, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 1},
    {"jgt equal is false", {stmt(LD | IMM, 5), jump(JMP | JGT | K, 5, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 2},
    {"jge equal is true", {stmt(LD | IMM, 5), jump(JMP | JGE | K, 5, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 1},
    {"jeq x", {stmt(LD | IMM, 9), stmt(LDX | IMM, 9), jump(JMP | JEQ | X, 0, 1, 0), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 2},
    {"jgt x", {stmt(LD | IMM, 9), stmt(LDX | IMM, 8), jump(JMP | JGT | X, 0, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 1},
    {"jge x", {stmt(LD | IMM, 7), stmt(LDX | IMM, 8), jump(JMP | JGE | X, 0, 0, 1), stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 2},
    {"jump offsets skip", {stmt(LD | IMM, 0), jump(JMP | JEQ | K, 0, 2, 0), stmt(RET | K, 1), stmt(RET | K, 2), stmt(RET | K, 3)}, {}, 0, 3},
    {"ja skips", {jump(JMP | JA, 2, 0, 0), stmt(RET | K, 1), stmt(RET | K, 2), stmt(RET | K, 3)}, {}, 0, 3},
    {"ja 0 falls through", {jump(JMP | JA, 0, 0, 0), stmt(RET | K, 1)}, {}, 0, 1},
    // Returns.
    {"ret a", {stmt(LD | IMM, 0xdeadbeef), stmt(RET | RET_A, 0)}, {}, 0, 0xdeadbeef},
    {"ret k", {stmt(LD | IMM, 0xdeadbeef), stmt(RET | K, 0xffffffff)}, {}, 0, 0xffffffff},
    {"first ret wins", {stmt(RET | K, 1), stmt(RET | K, 2)}, {}, 0, 1},
    // Scratch memory and register moves.
    {"st/ld M[3]", {stmt(LD | IMM, 77), stmt(ST, 3), stmt(LD | IMM, 0), stmt(LD | MEM, 3), stmt(RET | RET_A, 0)}, {}, 0, 77},
    {"stx/ldx M[15]", {stmt(LDX | IMM, 99), stmt(STX, 15), stmt(LDX | IMM, 0), stmt(LDX | MEM, 15), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, {}, 0, 99},
    {"slots are separate", {stmt(LD | IMM, 1), stmt(ST, 0), stmt(LD | IMM, 2), stmt(ST, 1), stmt(LD | MEM, 0), stmt(RET | RET_A, 0)}, {}, 0, 1},
    {"tax", {stmt(LD | IMM, 5), stmt(MISC | TAX, 0), stmt(LD | IMM, 0), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, {}, 0, 5},
    // Indirect loads: X + k is checked without 32-bit wrap-around, never reading outside the buffer.
    {"ldb [x+1]", {stmt(LDX | IMM, 2), stmt(LD | B | IND, 1), stmt(RET | RET_A, 0)}, k4, 4, 0x04},
    {"ldh [x+2]", {stmt(LDX | IMM, 0), stmt(LD | H | IND, 2), stmt(RET | RET_A, 0)}, k4, 4, 0x0304},
    {"ld [x+0]", {stmt(LDX | IMM, 0), stmt(LD | W | IND, 0), stmt(RET | RET_A, 0)}, k4, 4, 0x01020304},
    {"ldb [x+k] at caplen", dies({stmt(LDX | IMM, 2), stmt(LD | B | IND, 2)}), k4, 100, 0},
    {"ldh [x+k] straddling caplen", dies({stmt(LDX | IMM, 2), stmt(LD | H | IND, 1)}), k4, 100, 0},
    {"ld [x+k] straddling caplen", dies({stmt(LDX | IMM, 1), stmt(LD | W | IND, 0)}), k4, 100, 0},
    {"ld [x+4] with x = 2^32-4 (wraps to 0)", dies({stmt(LDX | IMM, 0xfffffffc), stmt(LD | W | IND, 4)}), k4, 4, 0},
    {"ldh [x+2] with x = 2^32-2 (wraps to 0)", dies({stmt(LDX | IMM, 0xfffffffe), stmt(LD | H | IND, 2)}), k4, 4, 0},
    {"ldb [x+1] with x = 2^32-1 (wraps to 0)", dies({stmt(LDX | IMM, 0xffffffff), stmt(LD | B | IND, 1)}), k4, 4, 0},
    {"ldb [x+k] with k = 2^32-1, x = 2 (wraps to 1)", dies({stmt(LDX | IMM, 2), stmt(LD | B | IND, 0xffffffff)}), k4, 4, 0},
    {"ld [x+k] with k = 2^32-3, x = 4 (wraps to 1)", dies({stmt(LDX | IMM, 4), stmt(LD | W | IND, 0xfffffffd)}), k8, 8, 0},
    {"ldh [x+k] both 2^31 (wraps to 0)", dies({stmt(LDX | IMM, 0x80000000), stmt(LD | H | IND, 0x80000000)}), k4, 4, 0},
    {"ldh [x+k] on empty packet", dies({stmt(LDX | IMM, 0), stmt(LD | H | IND, 0)}), {}, 60, 0},
};

TEST(Interpret, SemanticCasesMatchTableAndLibpcap) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(fmt::format("{}\n{}packet {}", c.name, cbpf::dump(c.prog, 1), hex(c.packet)));
        ASSERT_TRUE(cbpf::validate(c.prog).has_value()) << "the table row must be a valid program";
        EXPECT_EQ(cbpf::run(c.prog, c.packet, c.wire_length), c.expected);
        EXPECT_EQ(run_pcap(c.prog, c.packet, c.wire_length), c.expected) << "libpcap disagrees with the table";
    }
}

// ---- Randomized differential test --------------------------------------------------------------

// Generates straight-line programs with forward jumps whose every path ends in a return, built so
// that they pass the kernel checker: scratch slots are read only after a prologue wrote them.
class ProgramGenerator {
public:
    explicit ProgramGenerator(std::uint64_t seed) : rng_(seed) {}

    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }

    // Offsets for packet loads: mostly inside or just past a 0..120 byte packet, sometimes near
    // 2^31 and 2^32 to exercise the overflow checks, never in the Linux ancillary range
    // (k >= 0xfffff000), which libpcap's bpf_filter does not implement.
    std::uint32_t offset() {
        switch (pick(24)) {
            case 0: return 0x7ffffffc + pick(8);
            case 1: return 0xffffefff - pick(8);
            case 2: return 0x80000000u + pick(4);
            case 3: case 4: case 5: return pick(130);
            default: return pick(48);
        }
    }

    std::uint32_t constant() {
        switch (pick(8)) {
            case 0: return static_cast<std::uint32_t>(rng_());
            case 1: return 0xffffffff - pick(4);
            case 2: return 0x80000000u - 2 + pick(4);
            case 3: return pick(2000);
            default: return pick(64);
        }
    }

    cbpf::Program program() {
        cbpf::Program p;
        std::uint16_t written = 0;
        // Prologue: write a random subset of scratch slots, so loads from them are valid.
        for (std::uint32_t slot = 0; slot < cbpf::kMemWords; ++slot) {
            if (pick(4) != 0) continue;
            p.push_back(stmt(pick(2) ? ST : STX, slot));
            written |= static_cast<std::uint16_t>(1u << slot);
        }
        const std::uint32_t body = 1 + pick(40);
        const std::uint32_t returns = 1 + pick(3);
        const std::size_t total = p.size() + body + returns;
        while (p.size() < total - returns) p.push_back(body_insn(p.size(), total, written));
        while (p.size() < total) p.push_back(pick(2) ? stmt(RET | RET_A, 0) : stmt(RET | K, constant()));
        return p;
    }

    std::vector<std::uint8_t> packet() {
        std::vector<std::uint8_t> bytes(pick(121));
        // Small byte values make the IPv4-style ldxb and the jeq constants match now and then.
        for (auto& b : bytes) b = static_cast<std::uint8_t>(pick(3) == 0 ? pick(8) : pick(256));
        return bytes;
    }

private:
    cbpf::Insn body_insn(std::size_t at, std::size_t total, std::uint16_t written) {
        static constexpr std::uint16_t kSizes[] = {W, H, B};
        static constexpr std::uint16_t kAluOps[] = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR};
        static constexpr std::uint16_t kJumpOps[] = {JEQ, JGT, JGE, JSET};
        const std::size_t remaining = total - at - 1;  // instructions after this one
        switch (pick(16)) {
            case 0: return stmt(LD | IMM, constant());
            case 1: case 2: return stmt(LD | kSizes[pick(3)] | ABS, offset());
            case 3: case 4: return stmt(LD | kSizes[pick(3)] | IND, offset());
            case 5: return stmt(pick(2) ? (LD | W | LEN) : (LDX | W | LEN), 0);
            case 6: return stmt(LDX | B | MSH, offset());
            case 7: return stmt(LDX | IMM, constant());
            case 8: {
                std::uint32_t slot = pick(cbpf::kMemWords);
                if (written & (1u << slot)) return stmt(pick(2) ? (LD | MEM) : (LDX | MEM), slot);
                return stmt(pick(2) ? ST : STX, slot);  // stores anywhere; loads only from the prologue's
            }
            case 9: return stmt(MISC | (pick(2) ? TAX : TXA), 0);
            case 10: case 11: case 12: {
                if (pick(12) == 0) return stmt(ALU | NEG, 0);
                std::uint16_t operation = kAluOps[pick(10)];
                if (pick(2)) return stmt(ALU | operation | X, 0);
                std::uint32_t k = constant();
                if (operation == LSH || operation == RSH) k %= 32;          // kernel rule: shift < 32
                if ((operation == DIV || operation == MOD) && k == 0) k = 1;  // kernel rule: no / 0
                return stmt(ALU | operation | K, k);
            }
            case 13: {
                if (remaining == 0) return stmt(RET | RET_A, 0);
                // A mid-program return, so some code is reachable only through jumps.
                if (pick(4) == 0) return stmt(RET | K, constant());
                return jump(JMP | JA, pick(static_cast<std::uint32_t>(std::min<std::size_t>(remaining, 8))), 0, 0);
            }
            default: {
                const auto span = static_cast<std::uint32_t>(std::min<std::size_t>(remaining, 256));
                if (span == 0) return stmt(RET | RET_A, 0);
                std::uint16_t operation = kJumpOps[pick(4)];
                std::uint16_t source = pick(3) == 0 ? X : K;
                return jump(JMP | operation | source, constant(), static_cast<std::uint8_t>(pick(span)),
                            static_cast<std::uint8_t>(pick(span)));
            }
        }
    }

    std::mt19937_64 rng_;
};

TEST(Interpret, RandomProgramsMatchLibpcap) {
    constexpr int kPrograms = 4000;
    constexpr int kPacketsPerProgram = 8;
    ProgramGenerator gen(0x5eedbeefcafef00dULL);
    int runs = 0, nonzero = 0, mismatches = 0;
    for (int n = 0; n < kPrograms && mismatches < 5; ++n) {
        const cbpf::Program prog = gen.program();
        auto valid = cbpf::validate(prog);
        ASSERT_TRUE(valid.has_value()) << "generator made an invalid program: " << cbpf::describe(valid.error())
                                       << "\n" << cbpf::dump(prog, 1);
        // libpcap's own (BSD) checker must accept what the kernel rules accept.
        auto insns = to_pcap(prog);
        ASSERT_EQ(bpf_validate(insns.data(), static_cast<int>(insns.size())), 1) << cbpf::dump(prog, 1);
        for (int i = 0; i < kPacketsPerProgram; ++i) {
            const Bytes pkt = gen.packet();
            const auto caplen = static_cast<std::uint32_t>(pkt.size());
            const std::uint32_t wire = gen.pick(3) == 0 ? caplen : caplen + gen.pick(1500);
            const std::uint32_t ours = cbpf::run(prog, pkt, wire);
            const std::uint32_t theirs = bpf_filter(insns.data(), pkt.data(), wire, caplen);
            ++runs;
            nonzero += ours != 0;
            if (ours != theirs) {
                ++mismatches;
                ADD_FAILURE() << fmt::format("program #{} packet #{}: sniff {:#x}, libpcap {:#x}\n{}packet ({} bytes, wire {}): {}",
                                             n, i, ours, theirs, cbpf::dump(prog, 1), caplen, wire, hex(pkt));
            }
        }
    }
    fmt::print("random differential: {} programs, {} runs, {} with a non-zero result\n", kPrograms, runs, nonzero);
    EXPECT_EQ(runs, kPrograms * kPacketsPerProgram);
    // Guard against a generator that only makes programs dying on their first load.
    EXPECT_GT(nonzero, runs / 4) << "too few runs reached a return with a non-zero value";
}

}  // namespace
