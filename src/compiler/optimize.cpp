// Fact propagation over the short-circuit structure: left to right through all/any, facts from
// terms known true (in an all) or known false (in an any) decide later equality tests. Facts live
// on one stack: a term sees what the terms before it on its path established, and a scope drops
// its facts when it ends.
#include "compiler/optimize.hpp"

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

namespace sniff {
namespace {

// What a value is, when its bytes are fixed for a packet: a plain load, a load indexed by an IPv4
// header length or by a prologue variable, any of them possibly masked. (kind, at, offset, size, mask)
using Key = std::tuple<std::uint8_t, std::uint32_t, std::uint32_t, std::uint8_t, std::uint32_t>;

std::optional<Key> key_of(const ir::Value& v) {
    std::uint32_t mask = 0xffffffffu;
    const ir::Value* inner = &v;
    // A masked load (the IP version nibble, a VLAN id) is as fixed as the load.
    if (const auto* a = std::get_if<std::shared_ptr<ir::Arith>>(&v)) {
        const auto* m = std::get_if<ir::Const>(&(*a)->rhs);
        if ((*a)->op != ir::ArithOp::And || !m) return std::nullopt;
        mask = m->value;
        inner = &(*a)->lhs;
    }
    const auto* l = std::get_if<std::shared_ptr<ir::Load>>(inner);
    if (!l) return std::nullopt;
    const ir::Load& load = **l;
    if (!load.index) return Key{0, 0, load.offset, load.size, mask};
    if (const auto* h = std::get_if<ir::IpHeaderLength>(load.index.get())) return Key{1, h->at, load.offset, load.size, mask};
    // Prologue variables do not change while the predicate runs.
    if (const auto* x = std::get_if<ir::Var>(load.index.get())) return Key{2, x->slot, load.offset, load.size, mask};
    return std::nullopt;
}

struct Fact {
    Key key;
    std::uint32_t value;
    bool equal;  // key == value, or key != value
};

// A fact with this kind marks where variable `at` (the key's second field) was assigned: what
// was learned about loads through it before no longer holds.
constexpr std::uint8_t kAssigned = 0xff;

using Facts = std::vector<Fact>;

// The (value, constant) of an equality test, if `p` is one.
std::optional<std::pair<Key, std::uint32_t>> equality(const ir::Pred& p) {
    const auto* c = std::get_if<ir::Cmp>(&p);
    if (!c || c->op != ir::CmpOp::Eq) return std::nullopt;
    const auto* k = std::get_if<ir::Const>(&c->rhs);
    if (!k) return std::nullopt;
    auto key = key_of(c->lhs);
    if (!key) return std::nullopt;
    return std::pair{*key, k->value};
}

void learn(const ir::Pred& p, bool holds, Facts& f) {
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return learn((*n)->operand, !holds, f);
    if (auto e = equality(p)) {
        f.push_back({e->first, e->second, holds});
        return;
    }
    // Every term of an all that held held; every term of an any that failed failed.
    if (holds)
        if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p))
            for (const auto& t : (*a)->terms) learn(t, true, f);
    if (!holds)
        if (const auto* a = std::get_if<std::shared_ptr<ir::Any>>(&p))
            for (const auto& t : (*a)->terms) learn(t, false, f);
}

// What the facts say of `key == value`, if anything.
std::optional<bool> decided(const Facts& facts, const Key& key, std::uint32_t value) {
    for (auto it = facts.rbegin(); it != facts.rend(); ++it) {
        if (std::get<0>(it->key) == kAssigned && std::get<0>(key) == 2 && std::get<1>(it->key) == std::get<1>(key)) break;
        if (it->key != key) continue;
        if (it->equal) return it->value == value;
        if (it->value == value) return false;
    }
    return std::nullopt;
}

// The variables `p` may assign anywhere inside it.
std::uint32_t assigned(const ir::Pred& p) {
    if (const auto* s = std::get_if<std::shared_ptr<ir::SetVars>>(&p)) {
        std::uint32_t slots = 0;
        for (const auto& a : (*s)->steps) slots |= 1u << a.slot;
        return slots;
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return assigned((*n)->operand);
    std::uint32_t slots = 0;
    if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p))
        for (const auto& t : (*a)->terms) slots |= assigned(t);
    if (const auto* a = std::get_if<std::shared_ptr<ir::Any>>(&p))
        for (const auto& t : (*a)->terms) slots |= assigned(t);
    return slots;
}

// `assigning`: whether anything in the filter assigns variables (Geneve); without, no term
// needs the (subtree-long) look for assignments, which would make deep nesting quadratic.
ir::Pred simplify(const ir::Pred& p, Facts& facts, bool assigning) {
    if (auto e = equality(p)) {
        if (auto d = decided(facts, e->first, e->second)) return *d;
        return p;
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return ir::negate(simplify((*n)->operand, facts, assigning));
    const auto* all = std::get_if<std::shared_ptr<ir::All>>(&p);
    const auto* any = std::get_if<std::shared_ptr<ir::Any>>(&p);
    if (!all && !any) return p;
    const auto& in = all ? (*all)->terms : (*any)->terms;
    const std::size_t scope = facts.size();
    std::vector<ir::Pred> terms;
    terms.reserve(in.size());
    for (const auto& t : in) {
        ir::Pred s = simplify(t, facts, assigning);
        learn(s, all != nullptr, facts);
        for (std::uint32_t slots = assigning ? assigned(s) : 0, slot = 0; slots; slots >>= 1, ++slot)
            if (slots & 1) facts.push_back({Key{kAssigned, slot, 0, 0, 0}, 0, false});
        terms.push_back(std::move(s));
    }
    facts.resize(scope);
    return all ? ir::all(std::move(terms)) : ir::any(std::move(terms));
}

}  // namespace

ir::Pred optimize(const ir::Pred& pred) {
    Facts facts;
    return simplify(pred, facts, assigned(pred) != 0);
}

}  // namespace sniff
