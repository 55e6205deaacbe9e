// tcpdump-compatible text forms of a cBPF program (-d, -dd, -ddd).
#include "cbpf_vm/dump.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace cbpf {
namespace {

// Linux ancillary loads (SKF_AD_OFF + n), named as libpcap's bpf_image names them.
constexpr std::uint32_t kAncillaryBase = 0xfffff000u;
constexpr std::array<std::string_view, 16> kAncillaryNames = {
    "proto", "type", "ifidx", "nla", "nlan", "mark", "queue", "hatype",
    "rxhash", "cpu", "xor_x", "vlan_tci", "vlanp", "poff", "random", "vlan_tpid"};

std::string signed_k(std::uint32_t k) { return fmt::format("{}", static_cast<std::int32_t>(k)); }
std::string hex_k(std::uint32_t k) { return fmt::format("#0x{:x}", k); }

std::string absolute_operand(std::uint32_t k) {
    std::uint32_t rel = k - kAncillaryBase;
    if (k >= kAncillaryBase && rel % 4 == 0 && rel / 4 < kAncillaryNames.size())
        return fmt::format("[{}]", kAncillaryNames[rel / 4]);
    return fmt::format("[{}]", signed_k(k));
}

struct Parts {
    std::string_view mnemonic;
    std::string operand;
};

Parts load_parts(const Insn& in) {
    using namespace op;
    std::string_view sz = size(in.code) == W ? "ld" : size(in.code) == H ? "ldh" : "ldb";
    if (size(in.code) != W && size(in.code) != H && size(in.code) != B) return {"unimp", fmt::format("0x{:x}", in.code)};
    switch (mode(in.code)) {
        case IMM: if (size(in.code) == W) return {"ld", hex_k(in.k)}; break;
        case ABS: return {sz, absolute_operand(in.k)};
        case IND: return {sz, fmt::format("[x + {}]", signed_k(in.k))};
        case MEM: if (size(in.code) == W) return {"ld", fmt::format("M[{}]", signed_k(in.k))}; break;
        case LEN: if (size(in.code) == W) return {"ld", "#pktlen"}; break;
        default: break;
    }
    return {"unimp", fmt::format("0x{:x}", in.code)};
}

Parts ldx_parts(const Insn& in) {
    using namespace op;
    if (in.code == (LDX | W | IMM)) return {"ldx", hex_k(in.k)};
    if (in.code == (LDX | W | MEM)) return {"ldx", fmt::format("M[{}]", signed_k(in.k))};
    // No `ldx #pktlen` here: libpcap's bpf_image has no case for LDX|W|LEN and prints it as unimp.
    if (in.code == (LDX | B | MSH)) return {"ldxb", fmt::format("4*([{}]&0xf)", signed_k(in.k))};
    return {"unimp", fmt::format("0x{:x}", in.code)};
}

Parts alu_parts(const Insn& in) {
    using namespace op;
    struct Entry { std::uint16_t op; std::string_view name; bool hex; };
    static constexpr std::array<Entry, 11> table = {{
        {ADD, "add", false}, {SUB, "sub", false}, {MUL, "mul", false}, {DIV, "div", false},
        {OR, "or", true}, {AND, "and", true}, {LSH, "lsh", false}, {RSH, "rsh", false},
        {NEG, "neg", false}, {MOD, "mod", false}, {XOR, "xor", true}}};
    for (const auto& e : table) {
        if (alu_op(in.code) != e.op) continue;
        if (e.op == NEG) return in.code == (ALU | NEG) ? Parts{"neg", ""} : Parts{"unimp", fmt::format("0x{:x}", in.code)};
        if (src(in.code) == X) return {e.name, "x"};
        return {e.name, e.hex ? hex_k(in.k) : fmt::format("#{}", signed_k(in.k))};
    }
    return {"unimp", fmt::format("0x{:x}", in.code)};
}

Parts jump_parts(const Insn& in, std::size_t index) {
    using namespace op;
    if (in.code == (JMP | JA))
        return {"ja", fmt::format("{}", static_cast<std::int32_t>(index + 1 + in.k))};
    std::string_view name;
    switch (alu_op(in.code)) {
        case JEQ: name = "jeq"; break;
        case JGT: name = "jgt"; break;
        case JGE: name = "jge"; break;
        case JSET: name = "jset"; break;
        default: return {"unimp", fmt::format("0x{:x}", in.code)};
    }
    return {name, src(in.code) == X ? std::string("x") : hex_k(in.k)};
}

Parts parts_of(const Insn& in, std::size_t index) {
    using namespace op;
    if (in.code > 0xff) return {"unimp", fmt::format("0x{:x}", in.code)};
    switch (cls(in.code)) {
        case LD: return load_parts(in);
        case LDX: return ldx_parts(in);
        case ST: if (in.code == ST) return {"st", fmt::format("M[{}]", signed_k(in.k))}; break;
        case STX: if (in.code == STX) return {"stx", fmt::format("M[{}]", signed_k(in.k))}; break;
        case ALU: return alu_parts(in);
        case JMP: return jump_parts(in, index);
        case RET:
            if (in.code == (RET | K)) return {"ret", fmt::format("#{}", signed_k(in.k))};
            if (in.code == (RET | RET_A)) return {"ret", ""};
            break;
        case MISC:
            if (in.code == (MISC | TAX)) return {"tax", ""};
            if (in.code == (MISC | TXA)) return {"txa", ""};
            break;
    }
    return {"unimp", fmt::format("0x{:x}", in.code)};
}

}  // namespace

std::string format_insn(const Insn& insn, std::size_t index) {
    Parts p = parts_of(insn, index);
    // bpf_image picks the jt/jf layout from the class and op bits alone, so an unknown jump
    // opcode (say 0x55) is printed as unimp with its branches too.
    const bool conditional = op::cls(insn.code) == op::JMP && op::alu_op(insn.code) != op::JA;
    if (conditional)
        return fmt::format("({:03d}) {:<8} {:<16} jt {}\tjf {}", index, p.mnemonic, p.operand,
                           index + 1 + insn.jt, index + 1 + insn.jf);
    return fmt::format("({:03d}) {:<8} {}", index, p.mnemonic, p.operand);
}

std::string dump(const Program& prog, int level) {
    std::string out;
    if (level >= 3) out += fmt::format("{}\n", prog.size());
    for (std::size_t i = 0; i < prog.size(); ++i) {
        const Insn& in = prog[i];
        if (level <= 1)
            out += format_insn(in, i) + "\n";
        else if (level == 2)
            out += fmt::format("{{ 0x{:x}, {}, {}, 0x{:08x} }},\n", in.code, in.jt, in.jf, in.k);
        else
            out += fmt::format("{} {} {} {}\n", in.code, in.jt, in.jf, in.k);
    }
    return out;
}

}  // namespace cbpf
