// Blocks are created targets first (a term's successors exist before the term), then the order
// is reversed, so every edge goes forward and the source order reads top to bottom.
#include "compiler/cfg/build.hpp"

#include <algorithm>
#include <memory>

namespace sniff::cfg {
namespace {

class Builder {
public:
    Builder(Graph& g, const BuildOptions& options) : g_(g), options_(options) {}

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
            if (auto k = g_.values.constant(rhs)) return test(lhs, c->op, *k, t, f);
            return add({.load = lhs, .exit = Exit::Test, .op = c->op, .rhs = rhs, .jt = t, .jf = f});
        }
        if (const auto* c = std::get_if<ir::ProtoChain>(&p)) return add({.exit = Exit::Chain, .jt = t, .jf = f, .chain = *c});
        if (const auto* s = std::get_if<std::shared_ptr<ir::SetVars>>(&p)) return assignments((*s)->steps, t);
        if (const auto* s = std::get_if<std::shared_ptr<ir::InSet>>(&p)) return set((*s)->value, (*s)->ranges, t, f);
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
    using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

    // Members [begin, end) one after another, smallest first: `hit` at the first that holds.
    BlockId scan(ValueId v, const Ranges& r, std::size_t begin, std::size_t end, BlockId hit, BlockId miss) {
        BlockId next = miss;
        for (std::size_t i = end; i-- > begin;) {
            auto [lo, hi] = r[i];
            if (lo == hi) {
                next = test(v, ir::CmpOp::Eq, lo, hit, next);
                continue;
            }
            // Above the range: the next member; below it: no later member either.
            BlockId within = lo == 0 ? hit : test(v, ir::CmpOp::Ge, lo, hit, miss);
            next = hi == 0xffffffffu ? within : test(v, ir::CmpOp::Gt, hi, next, within);
        }
        return next;
    }

    // A balanced tree of `value > split` tests over runs of set_leaf members.
    BlockId tree(ValueId v, const Ranges& r, std::size_t begin, std::size_t end, BlockId hit, BlockId miss) {
        const std::size_t leaf = std::max<std::size_t>(options_.set_leaf, 1);
        if (end - begin <= leaf) return scan(v, r, begin, end, hit, miss);
        // Split on a run boundary, so the leaves stay full.
        const std::size_t runs = (end - begin + leaf - 1) / leaf, mid = begin + runs / 2 * leaf;
        BlockId above = tree(v, r, mid, end, hit, miss);
        BlockId below = tree(v, r, begin, mid, hit, miss);
        return test(v, ir::CmpOp::Gt, r[mid - 1].second, above, below);
    }

    BlockId set(const ir::Value& value, const Ranges& r, BlockId t, BlockId f) {
        if (r.empty()) return f;
        const ValueId v = g_.values.from_ir(value);
        // Every value: still loaded, since a load past the packet rejects it.
        if (r.size() == 1 && r[0].first == 0 && r[0].second == 0xffffffffu) return test(v, ir::CmpOp::Ge, 0, t, t);
        return tree(v, r, 0, r.size(), t, f);
    }

    Graph& g_;
    const BuildOptions& options_;
};

}  // namespace

Graph build(const ir::Filter& filter, const BuildOptions& options) {
    Graph g;
    Builder b(g, options);
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
