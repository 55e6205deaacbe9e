// Hash-consing of blocks from the exits up (see passes.hpp): a block's successors are made
// canonical before the block itself is looked up, so identical tails of any length merge.
#include <string>
#include <string_view>
#include <unordered_map>

#include "compiler/cfg/passes.hpp"

namespace sniff::cfg {
namespace {

// Everything that makes a block what it is, successors included, as bytes.
std::string key_of(const Block& b) {
    std::string key;
    auto put = [&](std::uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(static_cast<std::uint32_t>(b.exit));
    put(static_cast<std::uint32_t>(b.assigns.size()));
    for (const Assign& a : b.assigns) put(a.slot), put(a.value);
    put(b.load);
    switch (b.exit) {
        case Exit::Return: put(b.k); break;
        case Exit::Goto: put(b.jt); break;
        case Exit::Test: put(static_cast<std::uint32_t>(b.op)), put(b.rhs), put(b.k), put(b.set), put(b.jt), put(b.jf); break;
        case Exit::Tuples:
            for (ValueId w : b.tuple_words) put(w);
            // One TupleSet per list: the same pointer is the same members.
            put(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(b.tuple.get()))),
                put(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(b.tuple.get()) >> 32));
            put(b.jt), put(b.jf);
            break;
        case Exit::Chain: {
            const ir::ProtoChain& c = *b.chain;
            put(c.ipv6), put(c.target), put(c.network), put(c.base ? c.base->slot + 1u : 0u), put(c.max_headers);
            put(b.jt), put(b.jf);
            break;
        }
    }
    return key;
}

}  // namespace

void merge_blocks(Graph& g) {
    const std::size_t n = g.blocks.size();
    std::vector<BlockId> canon(n);
    std::unordered_map<std::string, BlockId> seen;
    seen.reserve(n);
    // From the last block back: successors are canonical before their predecessors are hashed.
    // The representative of a class is its last block, so every edge still goes forward.
    for (BlockId b = static_cast<BlockId>(n); b-- > 0;) {
        Block& block = g.blocks[b];
        if (block.exit != Exit::Return) {
            block.jt = canon[block.jt];
            block.jf = block.exit == Exit::Goto ? block.jt : canon[block.jf];
        }
        // A block that rejects whichever way it goes is the rejection: a load past the packet
        // rejects it too, so nothing it does can change the answer.
        if (block.exit != Exit::Return && block.jt == block.jf && g.blocks[block.jt].exit == Exit::Return &&
            g.blocks[block.jt].k == 0) {
            canon[b] = block.jt;
            continue;
        }
        // A test of the register (no load, so nothing can fail) that goes one way either way.
        if (block.exit == Exit::Test && block.load == kNoValue && block.jt == block.jf &&
            (block.rhs == kNoValue || !g.values.can_fail(block.rhs)))
            block.exit = Exit::Goto;
        // An empty jump is where it leads.
        if (block.exit == Exit::Goto && block.assigns.empty() && block.load == kNoValue) {
            canon[b] = block.jt;
            continue;
        }
        canon[b] = seen.try_emplace(key_of(block), b).first->second;
    }
    g.entry = canon[g.entry];
    compact(g);
}

}  // namespace sniff::cfg
