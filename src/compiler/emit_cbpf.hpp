// Control-flow graph -> classic BPF: blocks in the graph's order, each value computed into A,
// each test one conditional jump.
#pragma once

#include <expected>
#include <string>

#include "cbpf_vm/program.hpp"
#include "compiler/cfg/graph.hpp"
#include "compiler/ir.hpp"

namespace sniff {

struct EmitError {
    std::string message;
};

// The program for `graph`; fails when an expression needs more than cBPF's 16 scratch slots.
// Jumps farther than a conditional jump's 255 instructions go through trampolines.
std::expected<cbpf::Program, EmitError> emit_cbpf(const cfg::Graph& graph);

// The same for an IR filter, built into a graph without optimization (tests use it).
std::expected<cbpf::Program, EmitError> emit_cbpf(const ir::Filter& filter);

}  // namespace sniff
