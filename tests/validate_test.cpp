// cbpf::validate: one row per Linux classic-checker rule (net/core/filter.c, bpf_check_classic and
// check_load_and_stores), naming the rule and instruction; and every program sniff compiles passes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <optional>
#include <string_view>
#include <vector>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/compile.hpp"

namespace {

using namespace cbpf::op;
using cbpf::jump;
using cbpf::stmt;

constexpr std::uint32_t kAnc = 0xfffff000;  // SKF_AD_OFF

const cbpf::Insn kRetA = stmt(RET | RET_A, 0);
const cbpf::Insn kRet0 = stmt(RET | K, 0);

cbpf::Program long_program(std::size_t n) {
    cbpf::Program p(n - 1, stmt(LD | IMM, 1));
    p.push_back(kRetA);
    return p;
}

struct Rule {
    std::string_view name;
    cbpf::Program prog;
    cbpf::ValidateOptions options;
    std::string_view rule;  // "" when the program is valid
    std::size_t index;
};

const Rule kRules[] = {
    {"minimal program", {kRet0}, {}, "", 0},
    {"empty program", {}, {}, "empty-program", 0},
    {"4096 instructions", long_program(4096), {}, "", 0},
    {"4097 instructions", long_program(4097), {}, "too-long", 4097},
    // Opcodes outside the classic set (chk_code_allowed).
    {"unknown opcode ld|h|imm", {stmt(LD | H | IMM, 0), kRetA}, {}, "unknown-opcode", 0},
    {"unknown opcode ret|x", {stmt(LD | IMM, 0), stmt(RET | X, 0)}, {}, "unknown-opcode", 1},
    {"unknown alu op 0xb0", {stmt(ALU | 0xb0, 1), kRetA}, {}, "unknown-opcode", 0},
    {"unknown jump op 0x50", {jump(JMP | 0x50, 0, 0, 0), kRetA}, {}, "unknown-opcode", 0},
    {"unknown high bits", {stmt(0x100 | RET | K, 0), kRetA}, {}, "unknown-opcode", 0},
    {"neg with x bit", {stmt(ALU | NEG | X, 0), kRetA}, {}, "unknown-opcode", 0},
    // Jumps must land inside the program.
    {"ja to last insn", {jump(JMP | JA, 1, 0, 0), kRet0, kRetA}, {}, "", 0},
    {"ja past the end", {jump(JMP | JA, 2, 0, 0), kRet0, kRetA}, {}, "jump-out-of-range", 0},
    {"ja 0xffffffff", {stmt(LD | IMM, 0), jump(JMP | JA, 0xffffffff, 0, 0), kRetA}, {}, "jump-out-of-range", 1},
    {"jt past the end", {jump(JMP | JEQ | K, 0, 2, 0), kRet0, kRetA}, {}, "jump-out-of-range", 0},
    {"jf past the end", {kRet0, jump(JMP | JGT | X, 0, 0, 1), kRetA}, {}, "jump-out-of-range", 1},
    {"jt/jf to last insn", {jump(JMP | JSET | K, 1, 1, 0), kRet0, kRetA}, {}, "", 0},
    // The last instruction must be a return.
    {"last not a return", {kRet0, stmt(LD | IMM, 0)}, {}, "no-final-return", 1},
    {"only a jump", {jump(JMP | JA, 0, 0, 0)}, {}, "jump-out-of-range", 0},
    // Scratch memory: slots 0..15, and each read written first on every path.
    {"M[16] load", {stmt(LD | IMM, 0), stmt(ST, 0), stmt(LD | MEM, 16), kRetA}, {}, "scratch-out-of-range", 2},
    {"M[16] store", {stmt(STX, 16), kRetA}, {}, "scratch-out-of-range", 0},
    {"M[0xffffffff] ldx", {stmt(LDX | MEM, 0xffffffff), kRetA}, {}, "scratch-out-of-range", 0},
    {"read before any write", {stmt(LD | MEM, 3), kRetA}, {}, "scratch-uninitialised", 0},
    {"read a different slot", {stmt(ST, 2), stmt(LDX | MEM, 3), kRetA}, {}, "scratch-uninitialised", 1},
    {"written then read", {stmt(ST, 3), stmt(LD | MEM, 3), kRetA}, {}, "", 0},
    {"written on one branch only",
     {jump(JMP | JEQ | K, 0, 0, 1), stmt(ST, 5), stmt(LD | MEM, 5), kRetA}, {}, "scratch-uninitialised", 2},
    {"written on both branches",
     {jump(JMP | JEQ | K, 0, 0, 2), stmt(ST, 5), jump(JMP | JA, 1, 0, 0), stmt(STX, 5), stmt(LD | MEM, 5), kRetA},
     {}, "", 0},
    {"skipped by ja", {jump(JMP | JA, 1, 0, 0), stmt(ST, 1), stmt(LD | MEM, 1), kRetA}, {}, "scratch-uninitialised", 2},
    // The kernel does not reset its mask after a return: code reached only by a jump that sits
    // right after a `ret` also needs the slot written on the (impossible) fall-through path.
    {"read after ret, written only on the jumping path",
     {jump(JMP | JEQ | K, 0, 0, 2), stmt(ST, 0), jump(JMP | JA, 1, 0, 0), kRet0, stmt(LD | MEM, 0), kRetA},
     {}, "scratch-uninitialised", 4},
    {"read after ret, written before the branch",
     {stmt(ST, 0), jump(JMP | JEQ | K, 0, 0, 1), jump(JMP | JA, 1, 0, 0), kRet0, stmt(LD | MEM, 0), kRetA},
     {}, "", 0},
    // Constant operands the kernel refuses.
    {"div by 0", {stmt(ALU | DIV | K, 0), kRetA}, {}, "divide-by-zero", 0},
    {"mod by 0", {stmt(LD | IMM, 1), stmt(ALU | MOD | K, 0), kRetA}, {}, "divide-by-zero", 1},
    {"div by x is fine", {stmt(ALU | DIV | X, 0), kRetA}, {}, "", 0},
    {"lsh 31", {stmt(ALU | LSH | K, 31), kRetA}, {}, "", 0},
    {"lsh 32", {stmt(ALU | LSH | K, 32), kRetA}, {}, "shift-too-large", 0},
    {"rsh 0xffffffff", {stmt(LD | IMM, 1), stmt(ALU | RSH | K, 0xffffffff), kRetA}, {}, "shift-too-large", 1},
    {"lsh x is fine", {stmt(ALU | LSH | X, 0), kRetA}, {}, "", 0},
    // Linux ancillary loads (SKF_AD_OFF + n): only the known ones, and only when allowed.
    {"ancillary refused by default", {stmt(LD | B | ABS, kAnc + 0), kRetA}, {}, "ancillary-load", 0},
    {"ancillary protocol allowed", {stmt(LD | H | ABS, kAnc + 0), kRetA}, {.allow_ancillary = true}, "", 0},
    {"ancillary vlan_tpid allowed", {stmt(LD | W | ABS, kAnc + 60), kRetA}, {.allow_ancillary = true}, "", 0},
    {"ancillary past the last", {stmt(LD | W | ABS, kAnc + 64), kRetA}, {.allow_ancillary = true}, "ancillary-load", 0},
    {"ancillary between two", {stmt(LD | W | ABS, kAnc + 1), kRetA}, {.allow_ancillary = true}, "ancillary-load", 0},
    {"ancillary 0xffffffff", {stmt(LD | B | ABS, 0xffffffff), kRetA}, {.allow_ancillary = true}, "ancillary-load", 0},
    {"just below ancillary", {stmt(LD | B | ABS, kAnc - 1), kRetA}, {}, "", 0},
    {"SKF_NET_OFF is a plain offset", {stmt(LD | B | ABS, 0xfff00000), kRetA}, {}, "", 0},
    {"ind load with huge k is fine", {stmt(LD | B | IND, 0xffffffff), kRetA}, {}, "", 0},
};

TEST(Validate, OneRowPerKernelRule) {
    for (const Rule& r : kRules) {
        SCOPED_TRACE(fmt::format("{}\n{}", r.name, r.prog.size() < 20 ? cbpf::dump(r.prog, 1) : ""));
        auto result = cbpf::validate(r.prog, r.options);
        if (r.rule.empty()) {
            EXPECT_TRUE(result.has_value()) << cbpf::describe(result.error());
            continue;
        }
        ASSERT_FALSE(result.has_value()) << "expected rule " << r.rule;
        EXPECT_EQ(result.error().rule, r.rule) << result.error().message;
        EXPECT_EQ(result.error().index, r.index) << result.error().message;
        EXPECT_FALSE(result.error().message.empty());
    }
}

TEST(Validate, DescribeNamesRuleAndIndex) {
    auto result = cbpf::validate({stmt(ALU | DIV | K, 0), kRetA});
    ASSERT_FALSE(result.has_value());
    const std::string text = cbpf::describe(result.error());
    EXPECT_NE(text.find("divide-by-zero"), std::string::npos) << text;
    EXPECT_NE(text.find("instruction 0"), std::string::npos) << text;
}

const std::string_view kExpressions[] = {
    "", "tcp", "udp", "icmp", "arp", "ip6", "ip6 and udp", "tcp port 443", "not port 53",
    "host 10.0.0.1", "host 10.0.0.1 or net 192.168.0.0/16", "src net 10.0.0.0/8 and dst port 22",
    "port 80 or 443 or 22", "tcp and not port 22", "host 2001:db8::1", "net fe80::/10",
    "(tcp or udp) and host 10.0.0.1", "not (port 80 or port 443) and tcp", "icmp or arp",
    "udp and not port 53 and not port 123", "host 8.8.8.8 or host 2001:db8::1",
};

TEST(Validate, EveryCompiledProgramValidates) {
    for (std::string_view expr : kExpressions) {
        SCOPED_TRACE(fmt::format("expression '{}'", expr));
        auto prog = sniff::compile(expr);
        ASSERT_TRUE(prog.has_value()) << prog.error().message;
        auto result = cbpf::validate(*prog);
        EXPECT_TRUE(result.has_value()) << cbpf::describe(result.error()) << "\n" << cbpf::dump(*prog, 1);
        // libpcap's own (BSD-derived) checker, exported as bpf_validate, must agree.
        std::vector<bpf_insn> insns;
        for (const auto& in : *prog) insns.push_back(bpf_insn{in.code, in.jt, in.jf, in.k});
        EXPECT_EQ(bpf_validate(insns.data(), static_cast<int>(insns.size())), 1) << cbpf::dump(*prog, 1);
    }
}

}  // namespace
