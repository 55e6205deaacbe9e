// Where a filter that rejects every packet contradicts itself, for the error message: the
// `and` terms whose conjunction is already impossible (`tcp and udp`, `port 80 and vlan`).
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "compiler/ast.hpp"
#include "compiler/span.hpp"

namespace sniff {

// Two terms of the `and` chain along `root`'s left spine (`a and b and c` is ((a and b) and c)):
// the first term k whose prefix up to it is already `impossible`, and the last term i before it
// such that "i and … and k" is impossible too. `impossible` compiles a text of the filter and
// says whether it rejects every packet. Texts from a term on may lose qualifiers carried from
// before it; that only changes which term is named. nullopt when the chain has one term, or
// when no prefix is impossible (a contradiction inside one term, or between `or` branches).
struct Conflict {
    Span first;   // term i (or term k alone when it contradicts what precedes it as a whole)
    Span second;  // term k
};
// `text` is the filter the tree was parsed from (a term's parentheses are part of its span here).
std::optional<Conflict> find_conflict(const ast::Expr& root, std::string_view text, const std::function<bool(Span)>& impossible);

}  // namespace sniff
