// Syntax tree + link type -> IR: gives each primitive libpcap's meaning, with concrete offsets.
#pragma once

#include <expected>
#include <string_view>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"

namespace sniff {

// `text` is the filter source, quoted in messages.
// `kernel_vlan`: see CompileOptions.
std::expected<ir::Pred, Diagnostic> lower(const ast::Expr& expr, const LinkType& link, std::string_view text, bool kernel_vlan = false);

}  // namespace sniff
