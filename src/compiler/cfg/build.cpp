// Blocks are created targets first (a term's successors exist before the term), then the order
// is reversed, so every edge goes forward and the source order reads top to bottom.
#include "compiler/cfg/build.hpp"

#include <algorithm>
#include <bit>
#include <memory>

namespace sniff::cfg {
namespace {

class Builder {
public:
    explicit Builder(Graph& g) : g_(g) {}

    BlockId add(Block b) {
        g_.blocks.push_back(std::move(b));
        return static_cast<BlockId>(g_.blocks.size() - 1);
    }

    BlockId test(ValueId value, ir::CmpOp op, std::uint32_t k, BlockId t, BlockId f) {
        return add({.load = value, .exit = Exit::Test, .op = op, .k = k, .jt = t, .jf = f});
    }

    // Assignments `steps` in order, then `next`.
    BlockId assignments(const std::vector<ir::Assign>& steps, BlockId next) {
        for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
            BlockId set = add({.assigns = {{it->slot, g_.values.from_ir(it->value)}}, .exit = Exit::Goto, .jt = next});
            next = pred(it->when, set, next);
        }
        return next;
    }

    BlockId pred(const ir::Pred& p, BlockId t, BlockId f) {
        if (const bool* b = std::get_if<bool>(&p)) return *b ? t : f;
        if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return pred((*n)->operand, f, t);
        if (const auto* c = std::get_if<ir::Cmp>(&p)) {
            const ValueId lhs = g_.values.from_ir(c->lhs), rhs = g_.values.from_ir(c->rhs);
            if (auto k = g_.values.constant(rhs)) {
                // `x & m == 0` is one `jset #m` the other way round, as libpcap emits it; and
                // `x & b == b` for a single bit b is `jset #b`.
                const ValueNode& n = g_.values[lhs];
                const auto m = n.kind == ValueKind::Arith && n.op == ir::ArithOp::And ? g_.values.constant(n.rhs) : std::nullopt;
                if (m && c->op == ir::CmpOp::Eq && *k == 0) return test(n.lhs, ir::CmpOp::AnySet, *m, f, t);
                if (m && c->op == ir::CmpOp::Eq && *k == *m && std::has_single_bit(*m)) return test(n.lhs, ir::CmpOp::AnySet, *m, t, f);
                return test(lhs, c->op, *k, t, f);
            }
            return add({.load = lhs, .exit = Exit::Test, .op = c->op, .rhs = rhs, .jt = t, .jf = f});
        }
        if (const auto* c = std::get_if<ir::ProtoChain>(&p)) return add({.exit = Exit::Chain, .jt = t, .jf = f, .chain = *c});
        if (const auto* s = std::get_if<std::shared_ptr<ir::SetVars>>(&p)) return assignments((*s)->steps, t);
        if (const auto* s = std::get_if<std::shared_ptr<ir::InSet>>(&p)) {
            if ((*s)->tuple) {
                Block b{.exit = Exit::Tuples, .jt = t, .jf = f};
                for (const ir::Value& w : (*s)->tuple->words) b.tuple_words.push_back(g_.values.from_ir(w));
                b.tuple = (*s)->tuple;
                return add(std::move(b));
            }
            return set((*s)->value, (*s)->ranges, t, f);
        }
        if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p)) {
            const auto& terms = (*a)->terms;
            BlockId next = t;
            for (auto it = terms.rbegin(); it != terms.rend(); ++it) next = pred(*it, next, f);
            return next;
        }
        const auto& terms = std::get<std::shared_ptr<ir::Any>>(p)->terms;
        BlockId next = f;
        for (auto it = terms.rbegin(); it != terms.rend(); ++it) next = pred(*it, t, next);
        return next;
    }

private:
    BlockId set(const ir::Value& value, const Ranges& r, BlockId t, BlockId f) {
        if (r.empty()) return f;
        const ValueId v = g_.values.from_ir(value);
        // Every value: still loaded, since a load past the packet rejects it.
        if (r.size() == 1 && r[0].first == 0 && r[0].second == 0xffffffffu) return test(v, ir::CmpOp::Ge, 0, t, t);
        if (r.size() == 1 && r[0].first == r[0].second) return test(v, ir::CmpOp::Eq, r[0].first, t, f);
        return add({.load = v, .exit = Exit::Test, .set = g_.sets.intern(r), .jt = t, .jf = f});
    }

    Graph& g_;
};

}  // namespace

Graph build(const ir::Filter& filter) {
    Graph g;
    Builder b(g);
    const BlockId reject = b.add({.exit = Exit::Return, .k = 0});
    const BlockId accept = b.add({.exit = Exit::Return, .k = filter.snaplen});
    BlockId entry = b.pred(filter.pred, accept, reject);
    entry = b.assignments(filter.prologue, entry);
    // Reverse: the last block made (the entry) becomes 0, and every edge goes forward.
    const BlockId last = static_cast<BlockId>(g.blocks.size() - 1);
    std::reverse(g.blocks.begin(), g.blocks.end());
    for (Block& block : g.blocks) block.jt = last - block.jt, block.jf = last - block.jf;
    g.entry = last - entry;
    compact(g);
    return g;
}

}  // namespace sniff::cfg
