// Pre-decoding and the threaded interpreter (GCC's labels-as-values). Fusion only joins a load
// with the compare after it when no jump lands on the compare, so every path is preserved.
#include "cbpf_vm/fast_filter.hpp"

#include <array>
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
    // fused triples: X = 4*(p[k]&0xf), A = p[X+k2] (16 bits), compare with k3; and masked compares
    MSH_LDH_IND_JEQ, MSH_LDH_IND, LDW_ABS_AND_JEQ,
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

// Runs of instructions executed as one operation: the sequences libpcap and sniff emit most
// (a load and its comparison; the IPv4 header-length dance before a port test; masked words).
struct Fusion {
    std::array<Kind, 3> pattern;  // KIND_COUNT pads shorter patterns
    Kind fused;
    std::size_t length() const { return pattern[2] == KIND_COUNT ? 2 : 3; }
};

constexpr Fusion kFusions[] = {
    {{LDX_MSH, LD_H_IND, JEQ_K}, MSH_LDH_IND_JEQ},
    {{LD_W_ABS, AND_K, JEQ_K}, LDW_ABS_AND_JEQ},
    {{LDX_MSH, LD_H_IND, KIND_COUNT}, MSH_LDH_IND},
    {{LD_W_ABS, JEQ_K, KIND_COUNT}, LDW_ABS_JEQ},
    {{LD_H_ABS, JEQ_K, KIND_COUNT}, LDH_ABS_JEQ},
    {{LD_B_ABS, JEQ_K, KIND_COUNT}, LDB_ABS_JEQ},
    {{LD_H_ABS, JSET_K, KIND_COUNT}, LDH_ABS_JSET},
    {{LD_B_ABS, JSET_K, KIND_COUNT}, LDB_ABS_JSET},
    {{LD_H_IND, JEQ_K, KIND_COUNT}, LDH_IND_JEQ},
    {{LD_B_IND, JEQ_K, KIND_COUNT}, LDB_IND_JEQ},
    {{LD_W_ABS, AND_K, KIND_COUNT}, LDW_ABS_AND},
};

// The fusion that starts at `i`, if any: all its instructions match and no jump lands inside it.
const Fusion* fusion_at(const Program& prog, std::size_t i, const std::vector<bool>& is_target) {
    for (const Fusion& f : kFusions) {
        std::size_t len = f.length();
        if (i + len > prog.size()) continue;
        bool match = true;
        for (std::size_t j = 0; j < len && match; ++j)
            match = decode_kind(prog[i + j]) == f.pattern[j] && (j == 0 || !is_target[i + j]);
        if (match) return &f;
    }
    return nullptr;
}

inline std::uint32_t be32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}
inline std::uint32_t be16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return __builtin_bswap16(v);
}

}  // namespace

FastFilter::FastFilter(const Program& prog) {
    const std::size_t n = prog.size();
    std::vector<bool> is_target(n + 1, false);
    for (std::size_t i = 0; i < n; ++i) {
        const Insn& in = prog[i];
        if (in.code == (op::JMP | op::JA)) is_target[i + 1 + in.k] = true;
        else if (op::cls(in.code) == op::JMP) { is_target[i + 1 + in.jt] = true; is_target[i + 1 + in.jf] = true; }
    }
    // First pass: choose fusions and the new index of every original instruction.
    std::vector<std::uint32_t> new_index(n, 0);
    std::vector<const Fusion*> fusion(n, nullptr);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++count) {
        fusion[i] = fusion_at(prog, i, is_target);
        std::size_t len = fusion[i] ? fusion[i]->length() : 1;
        for (std::size_t j = 0; j < len; ++j) new_index[i + j] = static_cast<std::uint32_t>(count);
        i += len;
    }
    ops_.reserve(count);
    for (std::size_t i = 0; i < n;) {
        std::size_t len = fusion[i] ? fusion[i]->length() : 1;
        Op o{prog[i].k, len > 1 ? prog[i + 1].k : 0, len > 2 ? prog[i + 2].k : 0, 0, 0,
             fusion[i] ? fusion[i]->fused : decode_kind(prog[i])};
        // Only the last instruction of a run can jump.
        std::size_t last = i + len - 1;
        const Insn& jump = prog[last];
        if (jump.code == (op::JMP | op::JA)) {
            o.jt = new_index[last + 1 + jump.k];
        } else if (op::cls(jump.code) == op::JMP) {
            o.jt = new_index[last + 1 + jump.jt];
            o.jf = new_index[last + 1 + jump.jf];
        }
        ops_.push_back(o);
        i += len;
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
        &&ldw_abs_and, &&msh_ldh_ind_jeq, &&msh_ldh_ind, &&ldw_abs_and_jeq,
    };
    const std::uint8_t* const p = packet.data();
    const std::uint64_t len = packet.size();
    const Op* const base = ops_.data();
    const Op* op = base;
    std::uint32_t a = 0, x = 0;
    // validate() proves every scratch read follows a write on all paths, so no clearing is needed.
    std::uint32_t mem[kMemWords];

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
msh_ldh_ind_jeq: {
    if (op->k + 1ull > len) return 0;
    x = (p[op->k] & 0xfu) << 2;
    std::uint64_t at = std::uint64_t{x} + op->k2;
    if (at + 2 > len) return 0;
    a = be16(p + at);
    JUMP(a == op->k3);
}
msh_ldh_ind: {
    if (op->k + 1ull > len) return 0;
    x = (p[op->k] & 0xfu) << 2;
    std::uint64_t at = std::uint64_t{x} + op->k2;
    if (at + 2 > len) return 0;
    a = be16(p + at);
    NEXT();
}
ldw_abs_and_jeq: if (op->k + 4ull > len) return 0; a = be32(p + op->k) & op->k2; JUMP(a == op->k3);
#undef NEXT
#undef JUMP
}

}  // namespace cbpf
