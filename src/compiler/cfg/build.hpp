// IR -> control-flow graph: short-circuit evaluation made explicit, one test per block.
#pragma once

#include <cstddef>

#include "compiler/cfg/graph.hpp"
#include "compiler/ir.hpp"

namespace sniff::cfg {

struct BuildOptions {
    // A set test (ir::InSet) becomes a balanced tree of `jgt` splits over runs of at most this
    // many members, each run tested one member after another: about n * (1 + 1/leaf) tests in
    // the program, log2(n / leaf) + leaf per packet. A larger run makes the program smaller and
    // the walk longer; compile() picks a larger one only when a program must fit the kernel.
    std::size_t set_leaf = 8;
};

// The filter as a graph, unoptimized: every test loads its value, `all` and `any` become chains
// of blocks left to right, the prologue's conditional assignments become branches before the
// predicate. Blocks come out in topological order with the entry first.
Graph build(const ir::Filter& filter, const BuildOptions& options = {});

}  // namespace sniff::cfg
