// Conflict search: a linear scan of prefixes, then of suffixes ending at the first impossible
// prefix; each step compiles a piece of the filter (only on the error path, for short chains).
#include "compiler/conflicts.hpp"

#include <memory>
#include <vector>

namespace sniff {
namespace {

// `s` with the parentheses that enclose it, as written around it: `(a or b)`, not `a or b`.
Span with_parentheses(Span s, std::string_view text) {
    for (;;) {
        std::size_t b = s.begin, e = s.end;
        while (b > 0 && text[b - 1] == ' ') --b;
        while (e < text.size() && text[e] == ' ') ++e;
        if (b == 0 || e >= text.size() || text[b - 1] != '(' || text[e] != ')') return s;
        s = {b - 1, e + 1};
    }
}

}  // namespace

std::optional<Conflict> find_conflict(const ast::Expr& root, std::string_view text, const std::function<bool(Span)>& impossible) {
    // The left spine of `and`s, right to left, then reversed.
    std::vector<Span> terms;
    const ast::Expr* e = &root;
    for (;;) {
        if (const auto* g = std::get_if<std::shared_ptr<ast::Group>>(e)) {  // `(a and b) and c`: one chain
            e = &(*g)->inner;
            continue;
        }
        const auto* b = std::get_if<std::shared_ptr<ast::Binary>>(e);
        if (!b || (*b)->op != ast::Binary::Op::And) break;
        terms.push_back(with_parentheses(ast::span_of((*b)->rhs), text));
        e = &(*b)->lhs;
    }
    terms.push_back(with_parentheses(ast::span_of(*e), text));
    constexpr std::size_t kMaxTerms = 64;  // keeps the search to a few dozen small compiles
    if (terms.size() < 2 || terms.size() > kMaxTerms) return std::nullopt;
    std::vector<Span> chain(terms.rbegin(), terms.rend());
    for (std::size_t k = 1; k < chain.size(); ++k) {
        if (!impossible({chain.front().begin, chain[k].end})) continue;
        for (std::size_t i = k; i-- > 0;)
            if (impossible({chain[i].begin, chain[k].end})) return Conflict{chain[i], chain[k]};
        return Conflict{{chain.front().begin, chain[k - 1].end}, chain[k]};
    }
    return std::nullopt;
}

}  // namespace sniff
