// Edge facts and jump threading (see passes.hpp). What libpcap's optimizer does with its
// value-numbered dominator facts, done here per edge: a fact lives on an edge, so it survives a
// join exactly when every incoming edge has it.
#include <optional>

#include "compiler/cfg/facts.hpp"
#include "compiler/cfg/passes.hpp"

namespace sniff::cfg {
namespace {

// How many decided tests one edge may jump over: bounds the pass at linear time on long filters.
constexpr int kMaxSteps = 256;

class Threader {
public:
    Threader(Graph& g, bool value_ranges) : g_(g), in_(g.blocks.size()), value_ranges_(value_ranges) {}

    void run() {
        in_[g_.entry] = Facts{value_ranges_};
        for (BlockId b = 0; b < g_.blocks.size(); ++b) {
            if (!in_[b]) continue;  // no edge reaches it any more
            Facts facts = std::move(*in_[b]);
            in_[b].reset();
            visit(b, std::move(facts));
        }
        compact(g_);
    }

private:
    Graph& g_;
    std::vector<std::optional<Facts>> in_;
    bool value_ranges_;

    void visit(BlockId b, Facts facts) {
        Block& block = g_.blocks[b];
        for (const Assign& a : block.assigns) facts.forget_vars(g_.values, 1u << a.slot);
        switch (block.exit) {
            case Exit::Return: return;
            case Exit::Goto:
                if (block.load != kNoValue) facts.computed(block.load);
                block.jt = block.jf = follow(facts, block.jt);
                return arrive(block.jt, std::move(facts));
            case Exit::Chain:
            case Exit::Tuples: {  // nothing learned: the walk's and the lookup's reads are their own
                Facts other = facts;
                block.jt = follow(facts, block.jt);
                block.jf = follow(other, block.jf);
                arrive(block.jt, std::move(facts));
                return arrive(block.jf, std::move(other));
            }
            case Exit::Test: break;
        }
        if (block.load == kNoValue) {  // a test of what another block loaded: nothing to learn here
            Facts other = facts;
            arrive(block.jt, std::move(facts));
            return arrive(block.jf, std::move(other));
        }
        if (block.rhs != kNoValue) {
            facts.computed(block.load);
            facts.computed(block.rhs);
            Facts other = facts;
            block.jt = follow(facts, block.jt);
            block.jf = follow(other, block.jf);
            arrive(block.jt, std::move(facts));
            return arrive(block.jf, std::move(other));
        }
        // Decided for every edge into it (the facts met here): a jump, with no load needed.
        if (auto d = decide(facts, block); d && block.assigns.empty()) {
            block.exit = Exit::Goto;
            block.load = kNoValue;
            block.jt = follow(facts, *d ? block.jt : block.jf);
            return arrive(block.jt, std::move(facts));
        }
        // Decided by what the value is whatever the packet (`x | 1 != 0`, `x & 0 == 0`): the
        // value is still loaded, since the load may reject, but nothing is tested.
        Facts computed = facts;
        computed.computed(block.load);
        if (auto d = value_ranges_ ? decide(computed, block) : std::nullopt; d && block.assigns.empty()) {
            block.exit = Exit::Goto;
            block.jt = block.jf = follow(computed, *d ? block.jt : block.jf);
            return arrive(block.jt, std::move(computed));
        }
        Facts no = facts;
        learn(facts, block, true);
        learn(no, block, false);
        block.jt = follow(facts, block.jt);
        block.jf = follow(no, block.jf);
        arrive(block.jt, std::move(facts));
        arrive(block.jf, std::move(no));
    }

    // Where an edge carrying `facts` into `to` really leads; `facts` learns the outcomes it passes.
    BlockId follow(Facts& facts, BlockId to) {
        for (int step = 0; step < kMaxSteps; ++step) {
            const Block& t = g_.blocks[to];
            if (!t.assigns.empty()) break;
            if (t.exit == Exit::Goto && t.load == kNoValue) {
                to = t.jt;
                continue;
            }
            if (t.exit != Exit::Test || t.load == kNoValue || t.rhs != kNoValue) break;
            auto d = decide(facts, t);
            if (d) {
                learn(facts, t, *d);
                to = *d ? t.jt : t.jf;
                continue;
            }
            // Both ways lead to the same place: only the load matters, and it already succeeded
            // (nothing is learned: the outcome is not known).
            if (t.jt == t.jf && (facts.find(t.load) || !g_.values.can_fail(t.load))) {
                to = t.jt;
                continue;
            }
            break;
        }
        return to;
    }

    std::optional<bool> decide(const Facts& facts, const Block& b) const {
        if (b.set != kNoSet) return facts.decide_set(g_.values, g_.sets, b.load, b.set);
        return facts.decide(g_.values, b.load, b.op, b.k);
    }

    void learn(Facts& facts, const Block& b, bool holds) const {
        if (b.set != kNoSet) return facts.learn_set(g_.sets, b.load, b.set, holds);
        facts.learn(g_.values, b.load, b.op, b.k, holds);
    }

    void arrive(BlockId to, Facts facts) {
        if (in_[to]) in_[to]->meet(facts);
        else in_[to] = std::move(facts);
    }
};

}  // namespace

void thread_jumps(Graph& g, bool value_ranges) { Threader(g, value_ranges).run(); }

}  // namespace sniff::cfg
