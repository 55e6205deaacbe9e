// Emits forward-only code with symbolic labels, then resolves jump offsets.
#include "compiler/emit_cbpf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

namespace sniff {
namespace {

using namespace cbpf::op;

struct Pending {
    cbpf::Insn insn;
    int jt_label = -1;  // for conditional jumps, and for `ja` (jt_label holds the target)
    int jf_label = -1;
};

class Emitter {
public:
    std::expected<cbpf::Program, EmitError> run(const ir::Filter& f) {
        int accept = new_label(), reject = new_label();
        reject_ = reject;
        // Variables live in the low scratch slots; expression temporaries go above them.
        std::uint32_t vars = ir::vars_used(f.pred);
        for (const auto& a : f.prologue) vars |= 1u << a.slot;
        scratch_depth_ = vars ? 32 - static_cast<std::uint32_t>(__builtin_clz(vars)) : 0;
        for (const auto& a : f.prologue) assign(a);
        pred(f.pred, accept, reject);
        place(accept);
        code_.push_back({cbpf::stmt(RET | K, f.snaplen)});
        place(reject);
        code_.push_back({cbpf::stmt(RET | K, 0)});
        return resolve();
    }

private:
    std::vector<Pending> code_;
    int reject_ = -1;  // the whole filter's `ret #0`
    std::vector<std::optional<std::size_t>> labels_;
    std::uint32_t scratch_depth_ = 0;
    std::optional<EmitError> error_;

    int new_label() {
        labels_.emplace_back();
        return static_cast<int>(labels_.size() - 1);
    }
    void place(int label) { labels_[label] = code_.size(); }
    void emit(cbpf::Insn in) { code_.push_back({in}); }
    void jump_to(int label) { code_.push_back({cbpf::stmt(JMP | JA, 0), label, -1}); }

    void assign(const ir::Assign& a) {
        int set = new_label(), next = new_label();
        pred(a.when, set, next);
        place(set);
        value(a.value);
        emit(cbpf::stmt(ST, a.slot));
        place(next);
    }

    void pred(const ir::Pred& p, int t, int f) {
        if (const bool* b = std::get_if<bool>(&p)) return jump_to(*b ? t : f);
        if (const auto* c = std::get_if<ir::Cmp>(&p)) return compare(*c, t, f);
        if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return pred((*n)->operand, f, t);
        if (const auto* c = std::get_if<ir::ProtoChain>(&p)) return proto_chain(*c, t, f);
        if (const auto* s = std::get_if<std::shared_ptr<ir::SetVars>>(&p)) {
            for (const auto& a : (*s)->steps) assign(a);
            return jump_to(t);
        }
        if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p)) {
            const auto& terms = (*a)->terms;
            for (std::size_t i = 0; i + 1 < terms.size(); ++i) {
                int next = new_label();
                pred(terms[i], next, f);
                place(next);
            }
            return pred(terms.back(), t, f);
        }
        const auto& terms = std::get<std::shared_ptr<ir::Any>>(p)->terms;
        for (std::size_t i = 0; i + 1 < terms.size(); ++i) {
            int next = new_label();
            pred(terms[i], t, next);
            place(next);
        }
        pred(terms.back(), t, f);
    }

    void jump_if(std::uint32_t k, int t, int f) { code_.push_back({cbpf::jump(JMP | JEQ | K, k, 0, 0), t, f}); }

    // libpcap's gen_protochain walk, unrolled (its backward jump is not classic BPF the kernel
    // takes). A holds the current protocol, X where its header starts (past the network
    // header's constant offset k). Each step ends at the shared `end`, which tests A against
    // the target once, as libpcap's loop exit does; jumping there with `ja` keeps every
    // conditional jump within its step, so a deep unroll needs no trampolines.
    void proto_chain(const ir::ProtoChain& c, int t, int f) {
        const std::uint32_t slot = push_scratch(), k = c.network;
        if (c.ipv6) {
            if (c.base) {
                emit(cbpf::stmt(LDX | W | MEM, c.base->slot));
                emit(cbpf::stmt(LD | B | IND, k + 6));
                emit(cbpf::stmt(ST, slot));
                emit(cbpf::stmt(MISC | TXA, 0));
                emit(cbpf::stmt(ALU | ADD | K, 40));
                emit(cbpf::stmt(MISC | TAX, 0));
                emit(cbpf::stmt(LD | W | MEM, slot));
            } else {
                emit(cbpf::stmt(LD | B | ABS, k + 6));
                emit(cbpf::stmt(LDX | W | IMM, 40));
            }
        } else if (c.base) {
            emit(cbpf::stmt(LDX | W | MEM, c.base->slot));
            emit(cbpf::stmt(LD | B | IND, k + 9));
            emit(cbpf::stmt(ST, slot));
            emit(cbpf::stmt(LD | B | IND, k));
            emit(cbpf::stmt(ALU | AND | K, 0x0f));
            emit(cbpf::stmt(ALU | LSH | K, 2));
            emit(cbpf::stmt(ALU | ADD | X, 0));
            emit(cbpf::stmt(MISC | TAX, 0));
            emit(cbpf::stmt(LD | W | MEM, slot));
        } else {
            emit(cbpf::stmt(LD | B | ABS, k + 9));
            emit(cbpf::stmt(LDX | B | MSH, k));
        }
        const int end = new_label();
        for (unsigned i = 0; i <= c.max_headers; ++i) {
            // After max_headers steps, a header that would need one more rejects the packet.
            const bool last = i == c.max_headers;
            const int stop = new_label(), extension = last ? reject_ : new_label(), auth = last ? reject_ : new_label();
            int next = new_label();
            jump_if(c.target, stop, next);
            if (c.ipv6) {
                for (std::uint8_t h : ir::kExtensionHeaders) {
                    place(next);
                    next = new_label();
                    jump_if(h, extension, next);
                }
            }
            place(next);
            // No-next-header (59) and everything else not followed stop here, as in libpcap.
            jump_if(ir::kAuthHeader, auth, stop);
            place(stop);
            jump_to(end);
            if (last) break;
            // The step: the next protocol is the header's first byte; its length is in the
            // second, in 8-byte units past the first 8 (extension headers) or 4-byte units past
            // the first 8 (AH, RFC 4302; libpcap sets X to it instead of adding it, README).
            // Both are multiples of 4 bytes: (len + 1) * 2 or len + 2, times 4.
            const int length = new_label();
            if (c.ipv6) {
                place(extension);
                emit(cbpf::stmt(LD | B | IND, k + 1));
                emit(cbpf::stmt(ALU | ADD | K, 1));
                emit(cbpf::stmt(ALU | LSH | K, 1));
                jump_to(length);
            }
            place(auth);
            emit(cbpf::stmt(LD | B | IND, k + 1));
            emit(cbpf::stmt(ALU | ADD | K, 2));
            place(length);
            emit(cbpf::stmt(ALU | LSH | K, 2));
            emit(cbpf::stmt(ALU | ADD | X, 0));
            emit(cbpf::stmt(ST, slot));
            emit(cbpf::stmt(LD | B | IND, k));
            emit(cbpf::stmt(LDX | W | MEM, slot));
        }
        place(end);
        jump_if(c.target, t, f);
        pop_scratch();
    }

    static std::uint16_t jump_op(ir::CmpOp op) {
        switch (op) {
            case ir::CmpOp::Eq: return JEQ;
            case ir::CmpOp::Gt: return JGT;
            case ir::CmpOp::Ge: return JGE;
            case ir::CmpOp::AnySet: return JSET;
        }
        return JEQ;
    }

    void compare(const ir::Cmp& c, int t, int f) {
        if (const auto* k = std::get_if<ir::Const>(&c.rhs)) {
            value(c.lhs);
            code_.push_back({cbpf::jump(JMP | jump_op(c.op) | K, k->value, 0, 0), t, f});
            return;
        }
        std::uint32_t slot = push_scratch();
        value(c.rhs);
        emit(cbpf::stmt(ST, slot));
        value(c.lhs);
        emit(cbpf::stmt(LDX | W | MEM, slot));
        pop_scratch();
        code_.push_back({cbpf::jump(JMP | jump_op(c.op) | X, 0, 0, 0), t, f});
    }

    std::uint32_t push_scratch() {
        if (scratch_depth_ >= cbpf::kMemWords) error_ = EmitError{"expression needs more than 16 scratch slots"};
        return scratch_depth_++ % cbpf::kMemWords;
    }
    void pop_scratch() { --scratch_depth_; }

    static std::uint16_t alu_code(ir::ArithOp op) {
        switch (op) {
            case ir::ArithOp::Add: return ADD;
            case ir::ArithOp::Sub: return SUB;
            case ir::ArithOp::Mul: return MUL;
            case ir::ArithOp::Div: return DIV;
            case ir::ArithOp::Mod: return MOD;
            case ir::ArithOp::And: return AND;
            case ir::ArithOp::Or: return OR;
            case ir::ArithOp::Xor: return XOR;
            case ir::ArithOp::Lsh: return LSH;
            case ir::ArithOp::Rsh: return RSH;
        }
        return ADD;
    }

    static std::uint16_t size_code(std::uint8_t size) { return size == 4 ? W : size == 2 ? H : B; }

    // Leaves the index of an indexed load in X.
    void index_to_x(const ir::Value& index) {
        if (const auto* h = std::get_if<ir::IpHeaderLength>(&index)) return emit(cbpf::stmt(LDX | B | MSH, h->at));
        if (const auto* k = std::get_if<ir::Const>(&index)) return emit(cbpf::stmt(LDX | W | IMM, k->value));
        if (const auto* v = std::get_if<ir::Var>(&index)) return emit(cbpf::stmt(LDX | W | MEM, v->slot));
        value(index);
        emit(cbpf::stmt(MISC | TAX, 0));
    }

    // Leaves the value in A (X may be clobbered).
    void value(const ir::Value& v) {
        if (const auto* k = std::get_if<ir::Const>(&v)) return emit(cbpf::stmt(LD | W | IMM, k->value));
        if (std::holds_alternative<ir::WireLength>(v)) return emit(cbpf::stmt(LD | W | LEN, 0));
        if (const auto* x = std::get_if<ir::Var>(&v)) return emit(cbpf::stmt(LD | W | MEM, x->slot));
        if (const auto* h = std::get_if<ir::IpHeaderLength>(&v)) {
            emit(cbpf::stmt(LDX | B | MSH, h->at));
            return emit(cbpf::stmt(MISC | TXA, 0));
        }
        if (const auto* l = std::get_if<std::shared_ptr<ir::Load>>(&v)) {
            const ir::Load& load = **l;
            if (!load.index) return emit(cbpf::stmt(LD | size_code(load.size) | ABS, load.offset));
            index_to_x(*load.index);
            return emit(cbpf::stmt(LD | size_code(load.size) | IND, load.offset));
        }
        const ir::Arith& a = *std::get<std::shared_ptr<ir::Arith>>(v);
        if (const auto* k = std::get_if<ir::Const>(&a.rhs)) {
            value(a.lhs);
            return emit(cbpf::stmt(ALU | alu_code(a.op) | K, k->value));
        }
        if (const auto* x = std::get_if<ir::Var>(&a.rhs)) {
            value(a.lhs);
            emit(cbpf::stmt(LDX | W | MEM, x->slot));
            return emit(cbpf::stmt(ALU | alu_code(a.op) | X, 0));
        }
        std::uint32_t slot = push_scratch();
        value(a.rhs);
        emit(cbpf::stmt(ST, slot));
        value(a.lhs);
        emit(cbpf::stmt(LDX | W | MEM, slot));
        pop_scratch();
        emit(cbpf::stmt(ALU | alu_code(a.op) | X, 0));
    }

    // A conditional jump reaches at most 255 instructions ahead. A branch that must go farther
    // jumps to a `ja` placed right after it (ja has a 32-bit offset). Inserting moves other code,
    // so repeat until every branch is in range; each round rebuilds the code once (linear), and
    // few rounds are needed, since a round only adds pads after jumps that were already far.
    void insert_trampolines() {
        for (;;) {
            std::vector<std::uint8_t> pads(code_.size(), 0);  // bit 0: jt needs one, bit 1: jf
            bool any = false;
            for (std::size_t i = 0; i < code_.size(); ++i) {
                const Pending& p = code_[i];
                if (cls(p.insn.code) != JMP || p.insn.code == (JMP | JA)) continue;
                auto far = [&](int label) { return static_cast<std::int64_t>(*labels_[label]) - static_cast<std::int64_t>(i + 1) > 255; };
                pads[i] = static_cast<std::uint8_t>((far(p.jt_label) ? 1 : 0) | (far(p.jf_label) ? 2 : 0));
                any = any || pads[i] != 0;
            }
            if (!any) return;
            // Labels name instruction indices: each moves to where its instruction lands.
            std::vector<std::size_t> new_position(code_.size() + 1);
            std::vector<Pending> out;
            out.reserve(code_.size() + code_.size() / 4);
            for (std::size_t i = 0; i < code_.size(); ++i) {
                new_position[i] = out.size();
                out.push_back(code_[i]);
                for (int bit : {1, 2}) {
                    if (!(pads[i] & bit)) continue;
                    const std::size_t jump = new_position[i];
                    const int pad = new_label(), target = bit == 1 ? out[jump].jt_label : out[jump].jf_label;
                    out.push_back({cbpf::stmt(JMP | JA, 0), target, -1});
                    (bit == 1 ? out[jump].jt_label : out[jump].jf_label) = pad;
                }
            }
            new_position[code_.size()] = out.size();
            // New pad labels are placed after the old ones are moved (their slots were empty).
            for (auto& l : labels_)
                if (l) l = new_position[*l];
            for (std::size_t i = 0, at = 0; i < code_.size(); ++i) {
                at = new_position[i] + 1;
                for (int bit : {1, 2}) {
                    if (!(pads[i] & bit)) continue;
                    const Pending& jump = out[new_position[i]];
                    labels_[bit == 1 ? jump.jt_label : jump.jf_label] = at++;
                }
            }
            code_ = std::move(out);
        }
    }

    // What A and X are known to hold on entry to an instruction, whatever path led there. X is
    // named by the instruction that loaded it (code << 32 | k): `ldxb 4*([k]&0xf)` or `ldx M[k]`.
    using XLoad = std::uint64_t;
    struct Known {
        bool reached = false;
        std::optional<std::tuple<std::uint16_t, std::uint32_t, XLoad>> a;  // (load code, k, X for [x+k]; 0 for [k])
        std::optional<XLoad> x;
        friend bool operator==(const Known&, const Known&) = default;
    };

    static Known meet(const Known& l, const Known& r) {
        if (!l.reached) return r;
        Known m{true, l.a == r.a ? l.a : std::nullopt, l.x == r.x ? l.x : std::nullopt};
        return m;
    }

    static XLoad x_load(const cbpf::Insn& ins) { return (XLoad{ins.code} << 32) | ins.k; }

    // Drops unreachable instructions, and loads that would fetch what A or X already holds on
    // every path into them (the same bytes, loaded successfully before, so no length check is lost). Jumps are forward only, so one
    // pass in program order sees every predecessor first.
    std::vector<bool> redundant_loads() const {
        const std::size_t n = code_.size();
        std::vector<Known> in(n + 1);
        std::vector<bool> drop(n, false);
        in[0].reached = true;
        for (std::size_t i = 0; i < n; ++i) {
            Known k = in[i];
            if (!k.reached) {  // no path leads here: dead code
                drop[i] = true;
                continue;
            }
            const cbpf::Insn& ins = code_[i].insn;
            Known out = k;
            auto forget_x = [&] {
                out.x.reset();
                // A loaded through X no longer matches what X now holds.
                if (out.a && std::get<2>(*out.a) != 0) out.a.reset();
            };
            if (cls(ins.code) == LD && mode(ins.code) == ABS) {
                auto content = std::tuple{ins.code, ins.k, XLoad{0}};
                drop[i] = k.a == content;
                out.a = content;
            } else if (cls(ins.code) == LD && mode(ins.code) == IND) {
                std::optional<std::tuple<std::uint16_t, std::uint32_t, XLoad>> content;
                if (k.x) content = std::tuple{ins.code, ins.k, *k.x};
                drop[i] = content && k.a == content;
                out.a = content;
            } else if (ins.code == (LDX | B | MSH) || ins.code == (LDX | W | MEM)) {
                drop[i] = k.x == x_load(ins);
                if (!drop[i]) forget_x();
                out.x = x_load(ins);
            } else if (cls(ins.code) == ST) {
                // Overwriting the slot X was loaded from.
                if (k.x == x_load(cbpf::stmt(LDX | W | MEM, ins.k))) forget_x();
            } else if (cls(ins.code) == LD || cls(ins.code) == ALU || ins.code == (MISC | TXA)) {
                out.a.reset();
            } else if (cls(ins.code) == LDX || ins.code == (MISC | TAX)) {
                forget_x();
            }
            auto flow = [&](std::size_t to) { in[to] = meet(in[to], out); };
            if (ins.code == (JMP | JA)) flow(*labels_[code_[i].jt_label]);
            else if (cls(ins.code) == JMP) { flow(*labels_[code_[i].jt_label]); flow(*labels_[code_[i].jf_label]); }
            else if (cls(ins.code) != RET) flow(i + 1);
        }
        return drop;
    }

    std::expected<cbpf::Program, EmitError> resolve() {
        if (error_) return std::unexpected(*error_);
        // Remove redundant loads, moving labels that pointed at them to the next kept instruction.
        std::vector<bool> drop = redundant_loads();
        // A `ja` to the next instruction that stays is a no-op.
        for (std::size_t i = 0; i < code_.size(); ++i) {
            if (code_[i].insn.code != (JMP | JA)) continue;
            std::size_t target = *labels_[code_[i].jt_label];
            bool skips_nothing = target > i;
            for (std::size_t j = i + 1; j < target && skips_nothing; ++j) skips_nothing = drop[j];
            drop[i] = skips_nothing;
        }
        std::vector<std::size_t> new_position(code_.size() + 1, 0);
        std::vector<Pending> kept;
        for (std::size_t i = 0; i < code_.size(); ++i) {
            new_position[i] = kept.size();
            if (!drop[i]) kept.push_back(code_[i]);
        }
        new_position[code_.size()] = kept.size();
        for (auto& l : labels_)
            if (l) l = new_position[*l];
        code_ = std::move(kept);

        insert_trampolines();

        cbpf::Program out;
        out.reserve(code_.size());
        for (std::size_t i = 0; i < code_.size(); ++i) {
            cbpf::Insn in = code_[i].insn;
            auto offset = [&](int label) { return static_cast<std::int64_t>(*labels_[label]) - static_cast<std::int64_t>(i + 1); };
            if (in.code == (JMP | JA)) {
                in.k = static_cast<std::uint32_t>(offset(code_[i].jt_label));
            } else if (code_[i].jt_label >= 0) {
                std::int64_t jt = offset(code_[i].jt_label), jf = offset(code_[i].jf_label);
                in.jt = static_cast<std::uint8_t>(jt);
                in.jf = static_cast<std::uint8_t>(jf);
            }
            out.push_back(in);
        }
        return out;
    }
};

}  // namespace

std::expected<cbpf::Program, EmitError> emit_cbpf(const ir::Filter& filter) { return Emitter{}.run(filter); }

}  // namespace sniff
