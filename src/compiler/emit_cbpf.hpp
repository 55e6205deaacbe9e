// Control-flow graph -> classic BPF: blocks in the graph's order, each value computed into A,
// each test one conditional jump.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

#include "cbpf_vm/program.hpp"
#include "compiler/cfg/graph.hpp"
#include "compiler/ir.hpp"

namespace sniff {

struct EmitError {
    std::string message;
};

struct EmitOptions {
    // A set test becomes a balanced tree of `jgt` splits over runs of at most this many members,
    // each run tested member after member: about n * (1 + 1/leaf) instructions, log2(n / leaf) +
    // leaf tests per packet. compile() uses a run as long as the set only when a program must
    // shrink to fit the kernel.
    std::size_t set_leaf = 8;
};

// The program for `graph`; fails when an expression needs more than cBPF's 16 scratch slots.
// Jumps farther than a conditional jump's 255 instructions go through trampolines.
std::expected<cbpf::Program, EmitError> emit_cbpf(const cfg::Graph& graph, const EmitOptions& options = {});

// The same for an IR filter, built into a graph without optimization (tests use it).
std::expected<cbpf::Program, EmitError> emit_cbpf(const ir::Filter& filter);

}  // namespace sniff
