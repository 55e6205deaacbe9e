// Pre-decoding and the threaded interpreter (GCC's labels-as-values). Fusion only joins a load
// with the compare after it when no jump lands on the compare, so every path is preserved.
#include "cbpf_vm/fast_filter.hpp"

#include <cstring>

namespace cbpf {
namespace {

enum Kind : std::uint8_t {
    LD_IMM, LD_W_ABS, LD_H_ABS, LD_B_ABS, LD_W_IND, LD_H_IND, LD_B_IND, LD_MEM, LD_LEN,
    LDX_IMM, LDX_MEM, LDX_LEN, LDX_MSH, ST_A, ST_X,
    ADD_K, SUB_K, MUL_K, DIV_K, MOD_K, AND_K, OR_K, XOR_K, LSH_K, RSH_K,
    ADD_X, SUB_X, MUL_X, DIV_X, MOD_X, AND_X, OR_X, XOR_X, LSH_X, RSH_X, NEG_A,
    JA_, JEQ_K, JGT_K, JGE_K, JSET_K, JEQ_X, JGT_X, JGE_X, JSET_X,
    RET_K, RET_ACC, TAX_, TXA_,
    // fused: load at k, compare with k2
    LDW_ABS_JEQ, LDH_ABS_JEQ, LDB_ABS_JEQ, LDH_ABS_JSET, LDB_ABS_JSET, LDH_IND_JEQ, LDB_IND_JEQ,
    // fused: load word at k, and with k2, then the next op compares
    LDW_ABS_AND,
    KIND_COUNT
};

Kind decode_kind(const Insn& in) {
    using namespace op;
    switch (in.code) {
        case LD | W | IMM: return LD_IMM;
        case LD | W | ABS: return LD_W_ABS;
        case LD | H | ABS: return LD_H_ABS;
        case LD | B | ABS: return LD_B_ABS;
        case LD | W | IND: return LD_W_IND;
        case LD | H | IND: return LD_H_IND;
        case LD | B | IND: return LD_B_IND;
        case LD | W | MEM: return LD_MEM;
        case LD | W | LEN: return LD_LEN;
        case LDX | W | IMM: return LDX_IMM;
        case LDX | W | MEM: return LDX_MEM;
        case LDX | W | LEN: return LDX_LEN;
        case LDX | B | MSH: return LDX_MSH;
        case ST: return ST_A;
        case STX: return ST_X;
        case ALU | NEG: return NEG_A;
        case JMP | JA: return JA_;
        case RET | K: return RET_K;
        case RET | op::RET_A: return RET_ACC;
        case MISC | TAX: return TAX_;
        case MISC | TXA: return TXA_;
        default: break;
    }
    if (cls(in.code) == ALU) {
        bool x = src(in.code) == X;
        switch (alu_op(in.code)) {
            case ADD: return x ? ADD_X : ADD_K;
            case SUB: return x ? SUB_X : SUB_K;
            case MUL: return x ? MUL_X : MUL_K;
            case DIV: return x ? DIV_X : DIV_K;
            case MOD: return x ? MOD_X : MOD_K;
            case AND: return x ? AND_X : AND_K;
            case OR: return x ? OR_X : OR_K;
            case XOR: return x ? XOR_X : XOR_K;
            case LSH: return x ? LSH_X : LSH_K;
            case RSH: return x ? RSH_X : RSH_K;
            default: break;
        }
    }
    if (cls(in.code) == JMP) {
        bool x = src(in.code) == X;
        switch (alu_op(in.code)) {
            case JEQ: return x ? JEQ_X : JEQ_K;
            case JGT: return x ? JGT_X : JGT_K;
            case JGE: return x ? JGE_X : JGE_K;
            case JSET: return x ? JSET_X : JSET_K;
            default: break;
        }
    }
    return RET_K;  // unreachable for validated programs
}

// A load followed by a compare that can be one operation.
Kind fused_kind(Kind load, Kind cmp) {
    if (cmp == JEQ_K) {
        if (load == LD_W_ABS) return LDW_ABS_JEQ;
        if (load == LD_H_ABS) return LDH_ABS_JEQ;
        if (load == LD_B_ABS) return LDB_ABS_JEQ;
        if (load == LD_H_IND) return LDH_IND_JEQ;
        if (load == LD_B_IND) return LDB_IND_JEQ;
    }
    if (cmp == JSET_K) {
        if (load == LD_H_ABS) return LDH_ABS_JSET;
        if (load == LD_B_ABS) return LDB_ABS_JSET;
    }
    if (load == LD_W_ABS && cmp == AND_K) return LDW_ABS_AND;
    return KIND_COUNT;
}

inline std::uint32_t be32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}
inline std::uint32_t be16(const std::uint8_t* p) { return static_cast<std::uint32_t>(p[0] << 8 | p[1]); }

}  // namespace

FastFilter::FastFilter(const Program& prog) {
    const std::size_t n = prog.size();
    std::vector<bool> is_target(n + 1, false);
    for (std::size_t i = 0; i < n; ++i) {
        const Insn& in = prog[i];
        if (in.code == (op::JMP | op::JA)) is_target[i + 1 + in.k] = true;
        else if (op::cls(in.code) == op::JMP) { is_target[i + 1 + in.jt] = true; is_target[i + 1 + in.jf] = true; }
    }
    // First pass: decide fusions and the new index of every original instruction.
    std::vector<std::uint16_t> new_index(n, 0);
    std::vector<bool> fused_with_next(n, false);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        new_index[i] = static_cast<std::uint16_t>(count);
        if (i + 1 < n && !is_target[i + 1] && fused_kind(decode_kind(prog[i]), decode_kind(prog[i + 1])) != KIND_COUNT) {
            fused_with_next[i] = true;
            new_index[i + 1] = static_cast<std::uint16_t>(count);
            ++i;
        }
        ++count;
    }
    ops_.reserve(count);
    for (std::size_t i = 0; i < n; ++i) {
        const Insn& in = prog[i];
        Kind kind = decode_kind(in);
        Op o{in.k, 0, 0, 0, kind};
        const Insn* jump = &in;
        std::size_t jump_pc = i;
        if (fused_with_next[i]) {
            const Insn& next = prog[i + 1];
            o.kind = fused_kind(kind, decode_kind(next));
            o.k2 = next.k;
            jump = &next;
            jump_pc = i + 1;
            ++i;
        }
        if (jump->code == (op::JMP | op::JA)) {
            o.jt = new_index[jump_pc + 1 + jump->k];
        } else if (op::cls(jump->code) == op::JMP) {
            o.jt = new_index[jump_pc + 1 + jump->jt];
            o.jf = new_index[jump_pc + 1 + jump->jf];
        }
        ops_.push_back(o);
    }
}

std::uint32_t FastFilter::run(std::span<const std::uint8_t> packet, std::uint32_t wire_length) const {
    static const void* const dispatch[KIND_COUNT] = {
        &&ld_imm, &&ld_w_abs, &&ld_h_abs, &&ld_b_abs, &&ld_w_ind, &&ld_h_ind, &&ld_b_ind, &&ld_mem, &&ld_len,
        &&ldx_imm, &&ldx_mem, &&ldx_len, &&ldx_msh, &&st_a, &&st_x,
        &&add_k, &&sub_k, &&mul_k, &&div_k, &&mod_k, &&and_k, &&or_k, &&xor_k, &&lsh_k, &&rsh_k,
        &&add_x, &&sub_x, &&mul_x, &&div_x, &&mod_x, &&and_x, &&or_x, &&xor_x, &&lsh_x, &&rsh_x, &&neg_a,
        &&ja, &&jeq_k, &&jgt_k, &&jge_k, &&jset_k, &&jeq_x, &&jgt_x, &&jge_x, &&jset_x,
        &&ret_k, &&ret_a, &&tax, &&txa,
        &&ldw_abs_jeq, &&ldh_abs_jeq, &&ldb_abs_jeq, &&ldh_abs_jset, &&ldb_abs_jset, &&ldh_ind_jeq, &&ldb_ind_jeq,
        &&ldw_abs_and,
    };
    const std::uint8_t* const p = packet.data();
    const std::uint64_t len = packet.size();
    const Op* const base = ops_.data();
    const Op* op = base;
    std::uint32_t a = 0, x = 0;
    std::uint32_t mem[kMemWords] = {};

#define NEXT() do { ++op; goto *dispatch[op->kind]; } while (0)
#define JUMP(cond) do { op = base + ((cond) ? op->jt : op->jf); goto *dispatch[op->kind]; } while (0)
    goto *dispatch[op->kind];

ld_imm: a = op->k; NEXT();
ld_w_abs: if (op->k + 4ull > len) return 0; a = be32(p + op->k); NEXT();
ld_h_abs: if (op->k + 2ull > len) return 0; a = be16(p + op->k); NEXT();
ld_b_abs: if (op->k + 1ull > len) return 0; a = p[op->k]; NEXT();
ld_w_ind: { std::uint64_t at = std::uint64_t{x} + op->k; if (at + 4 > len) return 0; a = be32(p + at); NEXT(); }
ld_h_ind: { std::uint64_t at = std::uint64_t{x} + op->k; if (at + 2 > len) return 0; a = be16(p + at); NEXT(); }
ld_b_ind: { std::uint64_t at = std::uint64_t{x} + op->k; if (at + 1 > len) return 0; a = p[at]; NEXT(); }
ld_mem: a = mem[op->k]; NEXT();
ld_len: a = wire_length; NEXT();
ldx_imm: x = op->k; NEXT();
ldx_mem: x = mem[op->k]; NEXT();
ldx_len: x = wire_length; NEXT();
ldx_msh: if (op->k + 1ull > len) return 0; x = (p[op->k] & 0xfu) << 2; NEXT();
st_a: mem[op->k] = a; NEXT();
st_x: mem[op->k] = x; NEXT();
add_k: a += op->k; NEXT();
sub_k: a -= op->k; NEXT();
mul_k: a *= op->k; NEXT();
div_k: a /= op->k; NEXT();  // validate() refuses a constant 0
mod_k: a %= op->k; NEXT();
and_k: a &= op->k; NEXT();
or_k: a |= op->k; NEXT();
xor_k: a ^= op->k; NEXT();
lsh_k: a <<= op->k; NEXT();  // validate() refuses constants of 32 or more
rsh_k: a >>= op->k; NEXT();
add_x: a += x; NEXT();
sub_x: a -= x; NEXT();
mul_x: a *= x; NEXT();
div_x: if (x == 0) return 0; a /= x; NEXT();
mod_x: if (x == 0) return 0; a %= x; NEXT();
and_x: a &= x; NEXT();
or_x: a |= x; NEXT();
xor_x: a ^= x; NEXT();
lsh_x: a = x < 32 ? a << x : 0; NEXT();
rsh_x: a = x < 32 ? a >> x : 0; NEXT();
neg_a: a = 0u - a; NEXT();
ja: op = base + op->jt; goto *dispatch[op->kind];
jeq_k: JUMP(a == op->k);
jgt_k: JUMP(a > op->k);
jge_k: JUMP(a >= op->k);
jset_k: JUMP((a & op->k) != 0);
jeq_x: JUMP(a == x);
jgt_x: JUMP(a > x);
jge_x: JUMP(a >= x);
jset_x: JUMP((a & x) != 0);
ret_k: return op->k;
ret_a: return a;
tax: x = a; NEXT();
txa: a = x; NEXT();
ldw_abs_jeq: if (op->k + 4ull > len) return 0; a = be32(p + op->k); JUMP(a == op->k2);
ldh_abs_jeq: if (op->k + 2ull > len) return 0; a = be16(p + op->k); JUMP(a == op->k2);
ldb_abs_jeq: if (op->k + 1ull > len) return 0; a = p[op->k]; JUMP(a == op->k2);
ldh_abs_jset: if (op->k + 2ull > len) return 0; a = be16(p + op->k); JUMP((a & op->k2) != 0);
ldb_abs_jset: if (op->k + 1ull > len) return 0; a = p[op->k]; JUMP((a & op->k2) != 0);
ldh_ind_jeq: { std::uint64_t at = std::uint64_t{x} + op->k; if (at + 2 > len) return 0; a = be16(p + at); JUMP(a == op->k2); }
ldb_ind_jeq: { std::uint64_t at = std::uint64_t{x} + op->k; if (at + 1 > len) return 0; a = p[at]; JUMP(a == op->k2); }
ldw_abs_and: if (op->k + 4ull > len) return 0; a = be32(p + op->k) & op->k2; NEXT();
#undef NEXT
#undef JUMP
}

}  // namespace cbpf
