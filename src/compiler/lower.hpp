// Syntax tree + link type -> IR: gives each primitive libpcap's meaning, with concrete offsets.
#pragma once

#include <expected>
#include <optional>
#include <string_view>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"

namespace sniff {

// `text` is the filter source, quoted in messages.
// What lowering needs from CompileOptions beyond the link type.
struct LowerOptions {
    bool kernel_vlan = false;
    std::optional<std::uint32_t> netmask;
    std::optional<SavefileContext> savefile;
};

std::expected<ir::Pred, Diagnostic> lower(const ast::Expr& expr, const LinkType& link, std::string_view text, LowerOptions options = {});

}  // namespace sniff
