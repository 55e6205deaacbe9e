// Fact propagation over the short-circuit structure: left to right through all/any, facts from
// terms known true (in an all) or known false (in an any) decide later equality tests.
#include "compiler/optimize.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace sniff {
namespace {

// A stable name for values whose bytes are fixed for a packet: plain loads, and loads indexed by
// an IPv4 header length.
std::optional<std::string> key_of(const ir::Value& v) {
    // A masked load (the IP version nibble, a VLAN id) is as fixed as the load.
    if (const auto* a = std::get_if<std::shared_ptr<ir::Arith>>(&v)) {
        const auto* mask = std::get_if<ir::Const>(&(*a)->rhs);
        if ((*a)->op != ir::ArithOp::And || !mask) return std::nullopt;
        auto inner = key_of((*a)->lhs);
        if (!inner) return std::nullopt;
        return fmt::format("m{}:{}", mask->value, *inner);
    }
    const auto* l = std::get_if<std::shared_ptr<ir::Load>>(&v);
    if (!l) return std::nullopt;
    const ir::Load& load = **l;
    if (!load.index) return fmt::format("a{}:{}", load.offset, load.size);
    if (const auto* h = std::get_if<ir::IpHeaderLength>(load.index.get()))
        return fmt::format("x{}:{}:{}", h->at, load.offset, load.size);
    return std::nullopt;
}

struct Facts {
    std::map<std::string, std::uint32_t> equal;
    std::map<std::string, std::set<std::uint32_t>> differs;
};

// The (value, constant) of an equality test, if `p` is one.
std::optional<std::pair<std::string, std::uint32_t>> equality(const ir::Pred& p) {
    const auto* c = std::get_if<ir::Cmp>(&p);
    if (!c || c->op != ir::CmpOp::Eq) return std::nullopt;
    const auto* k = std::get_if<ir::Const>(&c->rhs);
    auto key = key_of(c->lhs);
    if (!k || !key) return std::nullopt;
    return std::pair{*key, k->value};
}

void learn(const ir::Pred& p, bool holds, Facts& f) {
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return learn((*n)->operand, !holds, f);
    if (auto e = equality(p)) {
        if (holds) f.equal[e->first] = e->second;
        else f.differs[e->first].insert(e->second);
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

ir::Pred simplify(const ir::Pred& p, const Facts& facts) {
    if (auto e = equality(p)) {
        if (auto it = facts.equal.find(e->first); it != facts.equal.end()) return it->second == e->second;
        if (auto it = facts.differs.find(e->first); it != facts.differs.end() && it->second.count(e->second)) return false;
        return p;
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return ir::negate(simplify((*n)->operand, facts));
    if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p)) {
        Facts local = facts;
        std::vector<ir::Pred> terms;
        for (const auto& t : (*a)->terms) {
            ir::Pred s = simplify(t, local);
            learn(s, true, local);
            terms.push_back(std::move(s));
        }
        return ir::all(std::move(terms));
    }
    if (const auto* a = std::get_if<std::shared_ptr<ir::Any>>(&p)) {
        Facts local = facts;
        std::vector<ir::Pred> terms;
        for (const auto& t : (*a)->terms) {
            ir::Pred s = simplify(t, local);
            learn(s, false, local);
            terms.push_back(std::move(s));
        }
        return ir::any(std::move(terms));
    }
    return p;
}

}  // namespace

ir::Pred optimize(const ir::Pred& pred) { return simplify(pred, Facts{}); }

}  // namespace sniff
