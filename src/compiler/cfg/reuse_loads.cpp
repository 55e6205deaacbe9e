// Redundant loads across blocks (see passes.hpp): a forward pass over the register's contents.
#include "compiler/cfg/passes.hpp"

namespace sniff::cfg {

void reuse_loads(Graph& g) {
    // What the test register holds on entry to each block: a value, kUnknown, or kUnset (no edge
    // seen yet). Edges go forward, so one pass in id order sees every predecessor first.
    constexpr ValueId kUnset = kNoValue, kUnknown = kNoValue - 1;
    std::vector<ValueId> held(g.blocks.size(), kUnset);
    held[g.entry] = kUnknown;
    for (BlockId b = 0; b < g.blocks.size(); ++b) {
        Block& block = g.blocks[b];
        ValueId now = held[b];
        if (now == kUnset) continue;
        // Assignments compute values through the register (and may change what a value reads).
        if (!block.assigns.empty()) now = kUnknown;
        if (block.load != kNoValue) {
            if (block.load == now && (block.exit == Exit::Test || block.exit == Exit::Goto)) block.load = kNoValue;
            else now = block.load;
        }
        if (block.exit == Exit::Chain || block.exit == Exit::Tuples) now = kUnknown;
        BlockId out[2];
        for (int i = 0, m = successors(block, out); i < m; ++i) {
            ValueId& into = held[out[i]];
            into = into == kUnset || into == now ? now : kUnknown;
        }
    }
}

}  // namespace sniff::cfg
