// IR -> classic BPF: short-circuit code for predicates, accumulator code for values.
#pragma once

#include <expected>
#include <string>

#include "cbpf_vm/program.hpp"
#include "compiler/ir.hpp"

namespace sniff {

struct EmitError {
    std::string message;
};

std::expected<cbpf::Program, EmitError> emit_cbpf(const ir::Filter& filter);

}  // namespace sniff
