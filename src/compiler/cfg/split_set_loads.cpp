// Set tests apart from their loads (see passes.hpp), so that merging can share one tree between
// fields: IPv4's destination and ARP's target address, tested against the same hosts.
#include "compiler/cfg/passes.hpp"

namespace sniff::cfg {

void split_set_loads(Graph& g) {
    const std::size_t n = g.blocks.size();
    std::vector<BlockId> first(n);
    std::vector<Block> out;
    out.reserve(n + n / 4);
    for (BlockId b = 0; b < n; ++b) {
        first[b] = static_cast<BlockId>(out.size());
        Block& block = g.blocks[b];
        if (block.exit != Exit::Test || block.set == kNoSet || block.load == kNoValue) {
            out.push_back(std::move(block));
            continue;
        }
        // The loader jumps to the test right after it; successors are renumbered below.
        Block loader{.assigns = std::move(block.assigns), .load = block.load, .exit = Exit::Goto};
        loader.jt = loader.jf = kNoSet;  // marks "the next block"
        block.assigns.clear();
        block.load = kNoValue;
        out.push_back(std::move(loader));
        out.push_back(std::move(block));
    }
    for (BlockId i = 0; i < out.size(); ++i) {
        Block& block = out[i];
        if (block.exit == Exit::Return) continue;
        if (block.jt == kNoSet) {
            block.jt = block.jf = i + 1;
            continue;
        }
        block.jt = first[block.jt];
        block.jf = first[block.jf];
    }
    g.entry = first[g.entry];
    g.blocks = std::move(out);
}

}  // namespace sniff::cfg
