// The optimizer's passes over the graph. Each takes a graph in topological order and leaves one
// in topological order with the same meaning on every packet, including packets cut short (a
// load past the captured bytes still rejects wherever it did). optimize() lists them in order.
#pragma once

#include "compiler/cfg/graph.hpp"

namespace sniff::cfg {

// Edge-based dataflow with jump threading: in topological order, each edge carries what the
// tests before it imply (facts.hpp); an edge into a test those facts decide goes straight to
// the test's outcome (again and again), and empty blocks are jumped over. Facts meet where edges
// join. Tests decided for all their incoming edges become jumps; blocks no edge reaches go.
// Needs every test block to load its value (run before reuse_loads). `value_ranges`: see Facts.
void thread_jumps(Graph& g, bool value_ranges = true);

// Identical blocks (same assignments, load, test and successors) become one, hash-consed from
// the exits up so whole identical tails merge; a test without a load whose two successors are
// the same becomes a jump; a block whose two ways both reject is the rejection (a load that
// fails rejects too).
void merge_blocks(Graph& g);

// A block whose value is already in the test register on every path into it does not load it
// again (the value was computed there before, so no length check is lost).
void reuse_loads(Graph& g);

// Each set test that loads its value becomes a block that loads it and jumps to the set test,
// which then tests the register; identical set tests of different fields can then merge. Run
// after reuse_loads (threading needs each test to load its value).
void split_set_loads(Graph& g);

// The pipeline: threading and merging to a fixed point (at most a few rounds), then load reuse,
// set tests split from their loads, and a last merge (blocks that now differ only in what they
// loaded before).
void optimize(Graph& g, bool value_ranges = true);

}  // namespace sniff::cfg
