// Emits the graph's blocks in order as forward-only code with symbolic labels, then removes
// redundant loads, adds trampolines for far jumps and resolves jump offsets.
#include "compiler/emit_cbpf.hpp"

#include "compiler/cfg/build.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <tuple>
#include <unordered_map>
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
    Emitter(const cfg::Graph& g, const EmitOptions& options) : g_(g), options_(options) {}

    std::expected<cbpf::Program, EmitError> run() {
        // Variables live in the low scratch slots; expression temporaries go above them.
        const std::uint32_t vars = cfg::vars_used(g_);
        scratch_depth_ = vars ? 32 - static_cast<std::uint32_t>(__builtin_clz(vars)) : 0;
        std::vector<int> label(g_.blocks.size());
        for (int& l : label) l = new_label();
        reject_ = -1;
        for (cfg::BlockId b = 0; b < g_.blocks.size(); ++b)
            if (g_.blocks[b].exit == cfg::Exit::Return && g_.blocks[b].k == 0) reject_ = label[b];
        if (reject_ < 0) reject_ = new_label();  // protochain's walk needs somewhere to reject
        for (cfg::BlockId b = 0; b < g_.blocks.size(); ++b) {
            place(label[b]);
            block(g_.blocks[b], label);
        }
        if (!labels_[reject_]) {
            place(reject_);
            emit(cbpf::stmt(RET | K, 0));
        }
        return resolve();
    }

private:
    const cfg::Graph& g_;
    const EmitOptions& options_;
    std::vector<Pending> code_;
    int reject_ = -1;  // a `ret #0`
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

    void block(const cfg::Block& b, const std::vector<int>& label) {
        for (const cfg::Assign& a : b.assigns) {
            value(a.value);
            emit(cbpf::stmt(ST, a.slot));
        }
        switch (b.exit) {
            case cfg::Exit::Return: return emit(cbpf::stmt(RET | K, b.k));
            case cfg::Exit::Goto:
                if (b.load != cfg::kNoValue) value(b.load);  // a set test's load, split from it
                return jump_to(label[b.jt]);
            case cfg::Exit::Chain: return proto_chain(*b.chain, label[b.jt], label[b.jf]);
            case cfg::Exit::Tuples:  // made only for eBPF (sets.hpp, SetOptions)
                error_ = EmitError{"internal error: a tuple set reached the classic BPF emitter"};
                return;
            case cfg::Exit::Test: break;
        }
        if (b.load != cfg::kNoValue) value(b.load);
        if (b.set != cfg::kNoSet) {
            const cfg::Ranges& r = g_.sets[b.set];
            return set_tree(r, 0, r.size(), label[b.jt], label[b.jf]);
        }
        if (b.rhs == cfg::kNoValue) {
            code_.push_back({cbpf::jump(JMP | jump_op(b.op) | K, b.k, 0, 0), label[b.jt], label[b.jf]});
            return;
        }
        // A holds the left-hand side; the right goes through scratch memory into X.
        const std::uint32_t slot = push_scratch();
        emit(cbpf::stmt(ST, slot));
        value(b.rhs);
        emit(cbpf::stmt(MISC | TAX, 0));
        emit(cbpf::stmt(LD | W | MEM, slot));
        pop_scratch();
        code_.push_back({cbpf::jump(JMP | jump_op(b.op) | X, 0, 0, 0), label[b.jt], label[b.jf]});
    }

    void jump(std::uint16_t op, std::uint32_t k, int t, int f) { code_.push_back({cbpf::jump(JMP | op | K, k, 0, 0), t, f}); }

    // A set test of A: a balanced tree of `jgt` splits over runs of set_leaf members, each run
    // tested smallest first (`jeq` for a value; `jgt hi` then `jge lo` for a range).
    void set_tree(const cfg::Ranges& r, std::size_t begin, std::size_t end, int hit, int miss) {
        const std::size_t leaf = std::max<std::size_t>(options_.set_leaf, 1);
        if (end - begin > leaf) {
            const std::size_t runs = (end - begin + leaf - 1) / leaf, mid = begin + runs / 2 * leaf;
            const int below = new_label(), above = new_label();
            jump(JGT, r[mid - 1].second, above, below);
            place(below);
            set_tree(r, begin, mid, hit, miss);
            place(above);
            return set_tree(r, mid, end, hit, miss);
        }
        for (std::size_t i = begin; i < end; ++i) {
            const bool last = i + 1 == end;
            const int next = last ? miss : new_label();
            const auto [lo, hi] = r[i];
            if (lo == hi) {
                jump(JEQ, lo, hit, next);
            } else {
                // Above the range: the next member; below it: no later member either.
                const int within = new_label();
                if (hi == 0xffffffffu) jump_to(within);
                else jump(JGT, hi, next, within);
                place(within);
                jump(JGE, lo, hit, miss);
            }
            if (!last) place(next);
        }
    }

    void jump_if(std::uint32_t k, int t, int f) { jump(JEQ, k, t, f); }

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

    static std::uint16_t jump_op(ir::CmpOp op) { return ir::bpf_jump_code(op); }

    std::uint32_t push_scratch() {
        if (scratch_depth_ >= cbpf::kMemWords) error_ = EmitError{"expression needs more than 16 scratch slots"};
        return scratch_depth_++ % cbpf::kMemWords;
    }
    void pop_scratch() { --scratch_depth_; }

    static std::uint16_t alu_code(ir::ArithOp op) { return ir::bpf_alu_code(op); }

    static std::uint16_t size_code(std::uint8_t size) { return size == 4 ? W : size == 2 ? H : B; }

    // Leaves the index of an indexed load in X.
    void index_to_x(cfg::ValueId index) {
        const cfg::ValueNode& n = g_.values[index];
        if (n.kind == cfg::ValueKind::IpHeaderLength) return emit(cbpf::stmt(LDX | B | MSH, n.k));
        if (n.kind == cfg::ValueKind::Const) return emit(cbpf::stmt(LDX | W | IMM, n.k));
        if (n.kind == cfg::ValueKind::Var) return emit(cbpf::stmt(LDX | W | MEM, n.k));
        value(index);
        emit(cbpf::stmt(MISC | TAX, 0));
    }

    // Leaves the value in A (X may be clobbered).
    void value(cfg::ValueId id) {
        const cfg::ValueNode& n = g_.values[id];
        switch (n.kind) {
            case cfg::ValueKind::Const: return emit(cbpf::stmt(LD | W | IMM, n.k));
            case cfg::ValueKind::WireLength: return emit(cbpf::stmt(LD | W | LEN, 0));
            case cfg::ValueKind::Var: return emit(cbpf::stmt(LD | W | MEM, n.k));
            case cfg::ValueKind::IpHeaderLength:
                emit(cbpf::stmt(LDX | B | MSH, n.k));
                return emit(cbpf::stmt(MISC | TXA, 0));
            case cfg::ValueKind::Load:
                // Past every packet (ir::kFirstImpossibleOffset): rejected, never loaded.
                if (n.k >= ir::kFirstImpossibleOffset && !(n.index == cfg::kNoValue && ir::is_kernel_metadata(n.k)))
                    return jump_to(reject_);
                if (n.index == cfg::kNoValue) return emit(cbpf::stmt(LD | size_code(n.size) | ABS, n.k));
                index_to_x(n.index);
                return emit(cbpf::stmt(LD | size_code(n.size) | IND, n.k));
            case cfg::ValueKind::Arith: break;
        }
        const cfg::ValueNode& rhs = g_.values[n.rhs];
        if (n.op == ir::ArithOp::Sub && g_.values.constant(n.lhs) == 0u) {  // unary minus
            value(n.rhs);
            return emit(cbpf::stmt(ALU | NEG, 0));
        }
        if (rhs.kind == cfg::ValueKind::Const) {
            value(n.lhs);
            // A constant shift of 32 or more, or a division by a constant 0 (folded from
            // `x << 7 + 0x68`, `x % (9 & 0x8300)`), is refused by the kernel as an immediate;
            // through X it runs as it did unfolded (a division by 0 rejects the packet).
            const bool shift = n.op == ir::ArithOp::Lsh || n.op == ir::ArithOp::Rsh;
            const bool divide = n.op == ir::ArithOp::Div || n.op == ir::ArithOp::Mod;
            if ((shift && rhs.k >= 32) || (divide && rhs.k == 0)) {
                emit(cbpf::stmt(LDX | W | IMM, rhs.k));
                return emit(cbpf::stmt(ALU | alu_code(n.op) | X, 0));
            }
            return emit(cbpf::stmt(ALU | alu_code(n.op) | K, rhs.k));
        }
        if (rhs.kind == cfg::ValueKind::Var || rhs.kind == cfg::ValueKind::IpHeaderLength) {
            value(n.lhs);
            emit(rhs.kind == cfg::ValueKind::Var ? cbpf::stmt(LDX | W | MEM, rhs.k) : cbpf::stmt(LDX | B | MSH, rhs.k));
            return emit(cbpf::stmt(ALU | alu_code(n.op) | X, 0));
        }
        // One side computed without X goes second, the other waits in X (no scratch memory).
        const bool commutes = ir::commutes(n.op);
        if (x_free(n.lhs) || (commutes && x_free(n.rhs))) {
            const bool lhs_last = x_free(n.lhs);
            value(lhs_last ? n.rhs : n.lhs);
            emit(cbpf::stmt(MISC | TAX, 0));
            value(lhs_last ? n.lhs : n.rhs);
            return emit(cbpf::stmt(ALU | alu_code(n.op) | X, 0));
        }
        std::uint32_t slot = push_scratch();
        value(n.rhs);
        emit(cbpf::stmt(ST, slot));
        value(n.lhs);
        emit(cbpf::stmt(LDX | W | MEM, slot));
        pop_scratch();
        emit(cbpf::stmt(ALU | alu_code(n.op) | X, 0));
    }

    // Whether value() computes `id` without touching X.
    bool x_free(cfg::ValueId id) const {
        const cfg::ValueNode& n = g_.values[id];
        switch (n.kind) {
            case cfg::ValueKind::Const:
            case cfg::ValueKind::WireLength:
            case cfg::ValueKind::Var: return true;
            case cfg::ValueKind::Load: return n.index == cfg::kNoValue;
            case cfg::ValueKind::IpHeaderLength: return false;
            case cfg::ValueKind::Arith: {
                if (n.op == ir::ArithOp::Sub && g_.values.constant(n.lhs) == 0u) return x_free(n.rhs);  // neg
                const auto k = g_.values.constant(n.rhs);
                if (!k) return false;
                // Shifts past 31 and divisions by 0 go through X (value()).
                if ((n.op == ir::ArithOp::Lsh || n.op == ir::ArithOp::Rsh) && *k >= 32) return false;
                if ((n.op == ir::ArithOp::Div || n.op == ir::ArithOp::Mod) && *k == 0) return false;
                return x_free(n.lhs);
            }
        }
        return false;
    }

    // A conditional jump reaches at most 255 instructions ahead. A branch that must go farther
    // goes to a pad placed after some conditional jump (never reached by falling through): a
    // `ja` to the target (32-bit offset), or a copy of the target when it is a `ret`. Pads are
    // shared: one serves every branch to the same place within reach before it, so a set tree
    // of thousands of tests far from its exits costs a pad per ~250 instructions, not per test.
    // Inserting moves other code, so repeat until every branch is in range; each round rebuilds
    // the code once (linear), and few rounds are needed.
    void insert_trampolines() {
        constexpr std::int64_t kReach = 255, kSlack = 32;
        // The kernel's check that scratch memory is written before it is read lets the
        // instruction after a `ret` inherit what was written on the paths into the `ret`
        // (check_load_and_stores, net/core/filter.c): a `ret` pad reached from before a store
        // would fail that check for the code after it. Programs that store use `ja` pads.
        const bool ret_pads = std::none_of(code_.begin(), code_.end(), [](const Pending& p) { return p.insn.code == ST; });
        for (;;) {
            // Pads to insert after each instruction: (pad instruction, the branches' new label).
            std::vector<std::vector<Pending>> pads(code_.size());
            // For each target (a label, or a `ret` constant): the last place a branch can reuse,
            // as (old index it sits after, pads decided when it was recorded, label naming it).
            struct Reusable { std::int64_t after, decided; int label; };
            std::vector<std::optional<Reusable>> by_label(labels_.size());
            std::unordered_map<std::uint32_t, Reusable> by_ret;
            std::int64_t decided = 0;
            bool any = false;
            std::vector<std::vector<int>> labels_at(code_.size() + 1);
            for (std::size_t l = 0; l < labels_.size(); ++l)
                if (labels_[l]) labels_at[*labels_[l]].push_back(static_cast<int>(l));
            for (std::size_t i = code_.size(); i-- > 0;) {
                Pending& p = code_[i];
                // Existing instructions other branches can land on.
                const bool is_ret = ret_pads && p.insn.code == (RET | K);
                if (is_ret || p.insn.code == (JMP | JA)) {
                    int here = labels_at[i].empty() ? -1 : labels_at[i].front();
                    if (here < 0) {
                        here = new_label();
                        labels_[here] = i;
                        labels_at[i].push_back(here);
                        by_label.emplace_back();
                    }
                    Reusable r{static_cast<std::int64_t>(i) - 1, decided, here};
                    if (is_ret) by_ret[p.insn.k] = r;
                    else by_label[p.jt_label] = r;
                }
                if (cls(p.insn.code) != JMP || p.insn.code == (JMP | JA)) continue;
                for (int* target : {&p.jt_label, &p.jf_label}) {
                    const std::int64_t distance = static_cast<std::int64_t>(*labels_[*target]) - static_cast<std::int64_t>(i + 1);
                    if (distance <= kReach) continue;
                    any = true;
                    const Pending& dest = code_[*labels_[*target]];
                    const bool to_ret = ret_pads && dest.insn.code == (RET | K);
                    std::optional<Reusable> known = by_label[*target];
                    if (to_ret) {
                        auto it = by_ret.find(dest.insn.k);
                        known = it == by_ret.end() ? std::nullopt : std::optional<Reusable>(it->second);
                    }
                    if (known && known->after >= static_cast<std::int64_t>(i) &&
                        known->after - static_cast<std::int64_t>(i) + (decided - known->decided) <= kReach - kSlack) {
                        *target = known->label;
                        continue;
                    }
                    const int pad = new_label();
                    by_label.emplace_back();
                    Pending insn = to_ret ? Pending{dest.insn} : Pending{cbpf::stmt(JMP | JA, 0), *target, -1};
                    pads[i].push_back(insn);
                    // The pad's label is placed when the code is rebuilt; remember it by its place.
                    pad_labels_.push_back({i, pads[i].size() - 1, pad});
                    Reusable r{static_cast<std::int64_t>(i), decided, pad};
                    if (to_ret) by_ret[dest.insn.k] = r;
                    else by_label[*target] = r;
                    ++decided;
                    *target = pad;
                }
            }
            if (!any) return;
            std::vector<std::size_t> new_position(code_.size() + 1);
            std::vector<std::vector<std::size_t>> pad_position(code_.size());
            std::vector<Pending> out;
            out.reserve(code_.size() + decided);
            for (std::size_t i = 0; i < code_.size(); ++i) {
                new_position[i] = out.size();
                out.push_back(code_[i]);
                for (const Pending& pad : pads[i]) {
                    pad_position[i].push_back(out.size());
                    out.push_back(pad);
                }
            }
            new_position[code_.size()] = out.size();
            for (auto& l : labels_)
                if (l) l = new_position[*l];
            for (const auto& [after, nth, label] : pad_labels_) labels_[label] = pad_position[after][nth];
            pad_labels_.clear();
            code_ = std::move(out);
        }
    }
    // Pads decided in the current round: (instruction they follow, which of its pads, label).
    std::vector<std::tuple<std::size_t, std::size_t, int>> pad_labels_;

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
    // every path into them (the same bytes, loaded successfully before, so no length check is
    // lost); turns `ldx M[k]` into `tax` where A holds M[k]. Jumps are forward only, so one pass
    // in program order sees every predecessor first.
    std::vector<bool> redundant_loads() {
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
            if (cls(ins.code) == LD && (mode(ins.code) == ABS || mode(ins.code) == MEM)) {
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
                // The slot's value is in A: `tax` instead, so the store may turn out dead.
                if (!drop[i] && ins.code == (LDX | W | MEM) && k.a == std::tuple{static_cast<std::uint16_t>(LD | W | MEM), ins.k, XLoad{0}})
                    code_[i].insn = cbpf::stmt(MISC | TAX, 0);
            } else if (cls(ins.code) == ST) {
                // Overwriting the slot X was loaded from.
                if (k.x == x_load(cbpf::stmt(LDX | W | MEM, ins.k))) forget_x();
                // A now equals the slot: a load of it right after is redundant.
                if (out.a && std::get<0>(*out.a) == (LD | W | MEM)) out.a.reset();
                if (!out.a) out.a = std::tuple{static_cast<std::uint16_t>(LD | W | MEM), ins.k, XLoad{0}};
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

    // Marks stores whose slot no later instruction reads, and computations of A that nothing
    // reads (what fed such a store), unless they can reject the packet (packet loads, division
    // by X). Liveness runs backwards; jumps are forward, so one pass sees every successor first.
    // A `ret` counts the next instruction as a successor for the slots: the kernel's scratch
    // check carries what was stored before a `ret` into the instruction after it
    // (check_load_and_stores), so a store it relies on there stays.
    void dead_code(std::vector<bool>& drop) const {
        const std::size_t n = code_.size();
        struct Live {
            std::uint16_t slots = 0;
            bool a = false;
        };
        std::vector<Live> live(n + 1);
        for (std::size_t i = n; i-- > 0;) {
            const cbpf::Insn& ins = code_[i].insn;
            if (drop[i]) {
                live[i] = live[i + 1];
                continue;
            }
            Live after = live[i + 1];
            if (ins.code == (JMP | JA)) after = live[*labels_[code_[i].jt_label]];
            else if (cls(ins.code) == JMP) {
                const Live &t = live[*labels_[code_[i].jt_label]], &f = live[*labels_[code_[i].jf_label]];
                after = {static_cast<std::uint16_t>(t.slots | f.slots), true};
            } else if (cls(ins.code) == RET) {
                after.a = ret_src(ins.code) == RET_A;
            }
            const bool cannot_fail = ins.code == (LD | W | IMM) || ins.code == (LD | W | MEM) || ins.code == (LD | W | LEN) ||
                                     ins.code == (MISC | TXA) ||
                                     (cls(ins.code) == ALU && !((alu_op(ins.code) == DIV || alu_op(ins.code) == MOD) && src(ins.code) == X));
            if (cannot_fail && !after.a) {
                drop[i] = true;
                live[i] = after;
                continue;
            }
            if (ins.code == ST) {
                const std::uint16_t bit = static_cast<std::uint16_t>(1u << ins.k);
                if (!(after.slots & bit)) {
                    drop[i] = true;
                    live[i] = after;
                    continue;
                }
                after.slots = static_cast<std::uint16_t>(after.slots & ~bit);
                after.a = true;
            }
            if (ins.code == (LD | W | MEM) || ins.code == (LDX | W | MEM)) after.slots = static_cast<std::uint16_t>(after.slots | (1u << ins.k));
            // A is written by loads, ALU results and txa; read by ALU, tax, stores and jumps.
            if (cls(ins.code) == LD || ins.code == (MISC | TXA)) after.a = false;
            if (cls(ins.code) == ALU || ins.code == (MISC | TAX)) after.a = true;
            live[i] = after;
        }
    }

    std::expected<cbpf::Program, EmitError> resolve() {
        if (error_) return std::unexpected(*error_);
        // Remove redundant loads, moving labels that pointed at them to the next kept instruction.
        std::vector<bool> drop = redundant_loads();
        dead_code(drop);
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

std::expected<cbpf::Program, EmitError> emit_cbpf(const cfg::Graph& graph, const EmitOptions& options) {
    return Emitter{graph, options}.run();
}

std::expected<cbpf::Program, EmitError> emit_cbpf(const ir::Filter& filter) { return emit_cbpf(cfg::build(filter)); }

}  // namespace sniff
