// Classic program checks, each a named rule so tests and messages can refer to it.
#include "cbpf_vm/validate.hpp"

#include <fmt/format.h>

#include <vector>

namespace cbpf {
namespace {

using Result = std::expected<void, ValidationError>;

Result fail(std::size_t index, std::string rule, std::string message) {
    return std::unexpected(ValidationError{index, std::move(rule), std::move(message)});
}

constexpr std::uint32_t kAncillaryBase = 0xfffff000u;
constexpr std::uint32_t kAncillaryEnd = kAncillaryBase + 64;  // up to SKF_AD_VLAN_TPID

bool known_opcode(std::uint16_t code) {
    using namespace op;
    switch (code) {
        case LD | W | IMM: case LD | W | ABS: case LD | H | ABS: case LD | B | ABS:
        case LD | W | IND: case LD | H | IND: case LD | B | IND: case LD | W | MEM: case LD | W | LEN:
        case LDX | W | IMM: case LDX | W | MEM: case LDX | W | LEN: case LDX | B | MSH:
        case ST: case STX:
        case RET | K: case RET | RET_A:
        case MISC | TAX: case MISC | TXA:
        case ALU | NEG:
        case JMP | JA:
            return true;
        default: break;
    }
    if (cls(code) == ALU) {
        switch (alu_op(code)) {
            case ADD: case SUB: case MUL: case DIV: case OR: case AND: case LSH: case RSH: case MOD: case XOR:
                return (code & ~0xf8u) == ALU;  // only the K/X bit may be set beside the op
            default: return false;
        }
    }
    if (cls(code) == JMP) {
        switch (alu_op(code)) {
            case JEQ: case JGT: case JGE: case JSET: return (code & ~0xf8u) == JMP;
            default: return false;
        }
    }
    return false;
}

Result check_instruction(const Program& prog, std::size_t i, const ValidateOptions& options) {
    using namespace op;
    const Insn& in = prog[i];
    const std::size_t remaining = prog.size() - i - 1;
    if (!known_opcode(in.code)) return fail(i, "unknown-opcode", fmt::format("opcode 0x{:x} is not a classic BPF instruction", in.code));
    const bool mem_access = in.code == (LD | W | MEM) || in.code == (LDX | W | MEM) || in.code == ST || in.code == STX;
    if (mem_access && in.k >= kMemWords)
        return fail(i, "scratch-out-of-range", fmt::format("scratch slot M[{}] does not exist (0..15)", in.k));
    if (cls(in.code) == ALU && src(in.code) == K) {
        if ((alu_op(in.code) == DIV || alu_op(in.code) == MOD) && in.k == 0)
            return fail(i, "divide-by-zero", "division or modulo by constant zero");
        if ((alu_op(in.code) == LSH || alu_op(in.code) == RSH) && in.k >= 32)
            return fail(i, "shift-too-large", fmt::format("shift by {} (must be below 32)", in.k));
    }
    if (mode(in.code) == ABS && cls(in.code) == LD && in.k >= kAncillaryBase) {
        // bpf_anc_helper knows only the exact SKF_AD_* offsets; anything between them is refused.
        if (!options.allow_ancillary || in.k >= kAncillaryEnd || in.k % 4 != 0)
            return fail(i, "ancillary-load", fmt::format("load from offset {} is a Linux ancillary field{}",
                                                         static_cast<std::int32_t>(in.k),
                                                         options.allow_ancillary ? " that does not exist" : ", not enabled here"));
    }
    if (in.code == (JMP | JA)) {
        if (in.k >= remaining) return fail(i, "jump-out-of-range", fmt::format("ja +{} leaves the program", in.k));
    } else if (cls(in.code) == JMP) {
        if (in.jt >= remaining || in.jf >= remaining)
            return fail(i, "jump-out-of-range", fmt::format("jump (jt {}, jf {}) leaves the program", in.jt, in.jf));
    }
    return {};
}

// Every path must store M[k] before reading it (the kernel's check_load_and_stores).
Result check_scratch_initialised(const Program& prog) {
    using namespace op;
    constexpr std::uint16_t all = 0xffff;
    std::vector<std::uint16_t> valid(prog.size(), all);  // slots known written on entry, intersected over paths
    valid[0] = 0;
    for (std::size_t i = 0; i < prog.size(); ++i) {
        std::uint16_t set = valid[i];
        const Insn& in = prog[i];
        if (in.code == ST || in.code == STX) set |= static_cast<std::uint16_t>(1u << in.k);
        if ((in.code == (LD | W | MEM) || in.code == (LDX | W | MEM)) && !(set & (1u << in.k)))
            return fail(i, "scratch-uninitialised", fmt::format("M[{}] is read before it is written on some path", in.k));
        if (cls(in.code) == RET) {
            // The kernel does not reset its mask after a return: the next instruction keeps what
            // was written before the `ret`, intersected with what its jumps bring.
            if (i + 1 < prog.size()) valid[i + 1] &= set;
            continue;
        }
        if (in.code == (JMP | JA)) {
            valid[i + 1 + in.k] &= set;
            continue;  // the next instruction is reachable only through other jumps
        }
        if (cls(in.code) == JMP) {
            valid[i + 1 + in.jt] &= set;
            valid[i + 1 + in.jf] &= set;
            continue;
        }
        valid[i + 1] &= set;
    }
    return {};
}

}  // namespace

Result validate(const Program& prog, ValidateOptions options) {
    if (prog.empty()) return fail(0, "empty-program", "the program has no instructions");
    if (options.kernel_length_limit && prog.size() > kMaxInsns)
        return fail(prog.size(), "too-long", fmt::format("{} instructions, the limit is {}", prog.size(), kMaxInsns));
    for (std::size_t i = 0; i < prog.size(); ++i)
        if (auto r = check_instruction(prog, i, options); !r) return r;
    if (op::cls(prog.back().code) != op::RET)
        return fail(prog.size() - 1, "no-final-return", "the last instruction is not a return");
    return check_scratch_initialised(prog);
}

std::string describe(const ValidationError& err) {
    return fmt::format("invalid program at instruction {}: {} ({})", err.index, err.message, err.rule);
}

}  // namespace cbpf
