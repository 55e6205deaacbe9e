// IR -> control-flow graph: short-circuit evaluation made explicit, one test per block.
#pragma once

#include "compiler/cfg/graph.hpp"
#include "compiler/ir.hpp"

namespace sniff::cfg {

// The filter as a graph, unoptimized: every test loads its value, `all` and `any` become chains
// of blocks left to right, the prologue's conditional assignments become branches before the
// predicate, and a set test is one block (the backends make it a tree). Blocks come out in topological order with the entry first.
Graph build(const ir::Filter& filter);

}  // namespace sniff::cfg
