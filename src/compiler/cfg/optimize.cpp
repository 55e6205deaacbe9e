// The optimizer's pipeline on the graph, pass by pass (passes.hpp says what each one does).
#include "compiler/cfg/passes.hpp"

namespace sniff::cfg {

void optimize(Graph& g, bool value_ranges) {
    for (int round = 0; round < 4; ++round) {
        const std::size_t before = g.blocks.size();
        thread_jumps(g, value_ranges);
        merge_blocks(g);
        if (g.blocks.size() == before) break;
    }
    reuse_loads(g);
    split_set_loads(g);
    merge_blocks(g);
}

}  // namespace sniff::cfg
