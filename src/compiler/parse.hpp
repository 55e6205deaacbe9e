// Filter text -> syntax tree (Boost.Spirit X3). The only translation unit that includes Spirit.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/ast.hpp"

namespace sniff {

// White space between tokens, as libpcap's scanner has it: space, tab, CR and LF. A vertical tab
// or form feed is a syntax error there, so it is here too (found by fuzz/filter_fuzz.cpp).
constexpr bool is_filter_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses a non-empty filter expression. Errors carry the span of the offending text.
std::expected<ast::Expr, Diagnostic> parse(std::string_view text);

// True for words the filter language reserves (they can never be host or port names).
bool is_reserved_word(std::string_view word);

// The keyword `word` is probably a misspelling of, if any ("hots" -> "host").
std::optional<std::string> keyword_like(std::string_view word);

}  // namespace sniff
