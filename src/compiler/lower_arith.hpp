// Lowering of arithmetic (`tcp[13] & 2`, `len - 14`, named constants) and of relations
// (`arith relop arith`): each value comes with the guards libpcap tests before computing it.
#pragma once

#include <expected>
#include <vector>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/layout.hpp"
#include "compiler/lower_parts.hpp"

namespace sniff {

struct GuardedValue {
    ir::Value value;
    std::vector<ir::Pred> guards;  // protocol tests that must hold first (e.g. `ip` for ip[…])
};

// The context gives the layout and, for the LAN protocols' accessors (`atalk[4]`), their tests.
std::expected<GuardedValue, Diagnostic> lower_arith(const ast::Arith& a, const lowering::Context& c);
std::expected<ir::Pred, Diagnostic> lower_relation(const ast::Relation& r, const lowering::Context& c);

// The value of a named constant (tcpflags, tcp-syn, icmp-echo, icmp6-echo…), if it exists.
std::optional<std::uint32_t> named_constant(std::string_view name);
// The known name `name` is probably a misspelling of, for "did you mean" hints.
std::optional<std::string> nearest_named_constant(std::string_view name);

}  // namespace sniff
