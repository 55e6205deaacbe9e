// Set compilation (sets.hpp): shape matching of adjacent terms, then one set per varying test.
#include "compiler/sets.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>

namespace sniff {
namespace {

using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// A test whose constant may vary between the terms of a list: the value tested, and the
// constants it is compared with (one range, or an InSet's ranges). Points into the IR.
struct Leaf {
    const ir::Value* value;
    std::pair<std::uint32_t, std::uint32_t> one{};
    const Ranges* many = nullptr;

    void append_to(Ranges& out) const {
        if (many) out.insert(out.end(), many->begin(), many->end());
        else out.push_back(one);
    }
    bool same_constants(const Leaf& o) const {
        if (many || o.many) return many && o.many && *many == *o.many;
        return one == o.one;
    }
};

std::optional<Leaf> leaf_of(const ir::Pred& p) {
    if (const auto* s = std::get_if<std::shared_ptr<ir::InSet>>(&p)) {
        if ((*s)->tuple) return std::nullopt;
        return Leaf{&(*s)->value, {}, &(*s)->ranges};
    }
    const auto* c = std::get_if<ir::Cmp>(&p);
    if (!c || c->op != ir::CmpOp::Eq) return std::nullopt;
    const auto* k = std::get_if<ir::Const>(&c->rhs);
    if (!k) return std::nullopt;
    // `x & mask == c` with a prefix mask (a net) is a range of x.
    if (const auto* a = std::get_if<std::shared_ptr<ir::Arith>>(&c->lhs); a && (*a)->op == ir::ArithOp::And)
        if (const auto* m = std::get_if<ir::Const>(&(*a)->rhs)) {
            const std::uint32_t host = ~m->value;
            if ((host & (host + 1)) == 0 && (k->value & host) == 0) return Leaf{&(*a)->lhs, {k->value, k->value | host}};
        }
    return Leaf{&c->lhs, {k->value, k->value}};
}

template <class Node>
const std::vector<ir::Pred>* terms_of(const ir::Pred& p) {
    const auto* n = std::get_if<std::shared_ptr<Node>>(&p);
    return n ? &(*n)->terms : nullptr;
}

// Whether `m` has the shape of `t`; appends m's leaves (in the order of a left-to-right walk).
bool match(const ir::Pred& t, const ir::Pred& m, std::vector<Leaf>& leaves) {
    const auto lt = leaf_of(t);
    if (lt) {
        const auto lm = leaf_of(m);
        if (!lm || !ir::equal(*lt->value, *lm->value)) return false;
        leaves.push_back(*lm);
        return true;
    }
    if (t.index() != m.index()) return false;
    if (const bool* b = std::get_if<bool>(&t)) return *b == std::get<bool>(m);
    if (const auto* s = std::get_if<std::shared_ptr<ir::InSet>>(&t)) return *s == std::get<std::shared_ptr<ir::InSet>>(m);
    if (const auto* c = std::get_if<ir::Cmp>(&t)) {
        const auto& d = std::get<ir::Cmp>(m);
        return c->op == d.op && ir::equal(c->lhs, d.lhs) && ir::equal(c->rhs, d.rhs);
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t))
        return match((*n)->operand, std::get<std::shared_ptr<ir::Negation>>(m)->operand, leaves);
    if (const auto* c = std::get_if<ir::ProtoChain>(&t)) {
        const auto& d = std::get<ir::ProtoChain>(m);
        return c->ipv6 == d.ipv6 && c->target == d.target && c->network == d.network && c->max_headers == d.max_headers &&
               c->base.has_value() == d.base.has_value() && (!c->base || c->base->slot == d.base->slot);
    }
    const std::vector<ir::Pred>* a = terms_of<ir::All>(t);
    const std::vector<ir::Pred>* b = terms_of<ir::All>(m);
    if (!a) a = terms_of<ir::Any>(t), b = terms_of<ir::Any>(m);
    if (!a || !b || a->size() != b->size()) return false;  // SetVars: never merged
    for (std::size_t i = 0; i < a->size(); ++i)
        if (!match((*a)[i], (*b)[i], leaves)) return false;
    return true;
}

// The most words a tuple set holds: an IPv6 address, four 32-bit words (16-byte map keys).
constexpr std::size_t kMaxTupleWords = 4;

// Where an `all` with several varying parts is a tuple set (ir::TupleSet): those parts are
// consecutive leaves `count` long from leaf number `first`.
struct TupleGroup {
    std::size_t first, count;
};

// Whether the union over the varying leaves means the list: none under a `not`, and no `all`
// with two parts that vary, except (with `tuples`) an `all` whose varying parts are consecutive
// equality tests of single constants (`exact`), at most kMaxTupleWords: a tuple set, recorded
// in `groups`. Sets `varies` when `t` holds a varying leaf.
bool distributes(const ir::Pred& t, const std::vector<bool>& varying, const std::vector<bool>& exact, bool tuples, std::size_t& leaf,
                 bool& varies, std::vector<TupleGroup>& groups) {
    varies = false;
    if (leaf_of(t)) {
        varies = varying[leaf++];
        return true;
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t)) {
        bool inner = false;
        return distributes((*n)->operand, varying, exact, tuples, leaf, inner, groups) && !inner;
    }
    const bool is_all = terms_of<ir::All>(t) != nullptr;
    const std::vector<ir::Pred>* terms = is_all ? terms_of<ir::All>(t) : terms_of<ir::Any>(t);
    if (!terms) return true;
    int varying_parts = 0;
    // Each term's first leaf number (for a term that is a leaf with one constant in every
    // member), and the first and last terms that vary.
    std::vector<std::optional<std::size_t>> exact_leaf(terms->size());
    std::optional<std::size_t> first_varying, last_varying;
    for (std::size_t i = 0; i < terms->size(); ++i) {
        const std::size_t at = leaf;
        if (leaf_of((*terms)[i]) && exact[at]) exact_leaf[i] = at;
        bool v = false;
        if (!distributes((*terms)[i], varying, exact, tuples, leaf, v, groups)) return false;
        if (!v) continue;
        ++varying_parts;
        if (!first_varying) first_varying = i;
        last_varying = i;
    }
    varies = varying_parts > 0;
    if (!is_all || varying_parts <= 1) return true;
    // A tuple: the terms from the first varying one to the last, each a leaf with one constant
    // per member (those that do not vary are words every member has alike).
    if (!tuples || *last_varying - *first_varying + 1 > kMaxTupleWords) return false;
    for (std::size_t i = *first_varying; i <= *last_varying; ++i)
        if (!exact_leaf[i]) return false;
    groups.push_back({*exact_leaf[*first_varying], *last_varying - *first_varying + 1});
    return true;
}

Ranges normalized(Ranges r) {
    std::sort(r.begin(), r.end());
    Ranges out;
    for (const auto& [lo, hi] : r) {
        if (!out.empty() && (lo <= out.back().second || lo - 1 == out.back().second)) {
            out.back().second = std::max(out.back().second, hi);
            continue;
        }
        out.push_back({lo, hi});
    }
    return out;
}

// `r` without the values of `minus` (both normalized).
Ranges without(const Ranges& r, const Ranges& minus) {
    Ranges out;
    for (auto [lo, hi] : r) {
        for (const auto& [mlo, mhi] : minus) {
            if (mhi < lo || mlo > hi) continue;
            if (mlo > lo) out.push_back({lo, mlo - 1});
            if (mhi >= hi) {
                lo = 1, hi = 0;  // nothing left of this range
                break;
            }
            lo = mhi + 1;
        }
        if (lo <= hi) out.push_back({lo, hi});
    }
    return out;
}

// What with_sets() puts in place of the varying leaves.
struct SetsOfRun {
    const std::vector<bool>& varying;
    std::vector<Ranges>& sets;                                   // per leaf
    const std::vector<std::vector<std::uint32_t>>& constants;    // per leaf, per member
    const std::vector<TupleGroup>& groups;
    std::size_t skip_member;                                     // the member in front (or none)
};

// The tuple set of `group`: the words the leaves test, and each member's constants for them.
ir::Pred tuple_set(const std::vector<ir::Pred>& terms, std::size_t at, const TupleGroup& group, const SetsOfRun& run) {
    auto tuple = std::make_shared<ir::TupleSet>();
    for (std::size_t j = 0; j < group.count; ++j) tuple->words.push_back(*leaf_of(terms[at + j])->value);
    const std::size_t members = run.constants[group.first].size();
    for (std::size_t m = 0; m < members; ++m) {
        if (m == run.skip_member) continue;
        std::vector<std::uint32_t> one;
        for (std::size_t j = 0; j < group.count; ++j) one.push_back(run.constants[group.first + j][m]);
        tuple->members.push_back(std::move(one));
    }
    std::sort(tuple->members.begin(), tuple->members.end());
    tuple->members.erase(std::unique(tuple->members.begin(), tuple->members.end()), tuple->members.end());
    if (run.skip_member < members) {  // the member in front came out false: its tuple is not needed
        std::vector<std::uint32_t> front;
        for (std::size_t j = 0; j < group.count; ++j) front.push_back(run.constants[group.first + j][run.skip_member]);
        tuple->members.erase(std::remove(tuple->members.begin(), tuple->members.end(), front), tuple->members.end());
    }
    if (tuple->members.empty()) return false;
    ir::Value first = tuple->words.front();
    return std::make_shared<ir::InSet>(ir::InSet{std::move(first), {}, std::move(tuple)});
}

// `t` with each varying leaf replaced by the test of its set, and each tuple group's leaves by
// their tuple set.
ir::Pred with_sets(const ir::Pred& t, const SetsOfRun& run, std::size_t& leaf) {
    if (auto l = leaf_of(t)) {
        const std::size_t i = leaf++;
        if (!run.varying[i]) return t;
        return std::make_shared<ir::InSet>(ir::InSet{*l->value, normalized(std::move(run.sets[i]))});
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t)) return ir::negate(with_sets((*n)->operand, run, leaf));
    const bool is_all = terms_of<ir::All>(t) != nullptr;
    const std::vector<ir::Pred>* terms = is_all ? terms_of<ir::All>(t) : terms_of<ir::Any>(t);
    if (!terms) return t;
    std::vector<ir::Pred> out;
    out.reserve(terms->size());
    for (std::size_t i = 0; i < terms->size(); ++i) {
        const auto group = std::find_if(run.groups.begin(), run.groups.end(), [&](const TupleGroup& g) { return g.first == leaf; });
        if (is_all && group != run.groups.end() && leaf_of((*terms)[i])) {
            out.push_back(tuple_set(*terms, i, *group, run));
            leaf += group->count;
            i += group->count - 1;
            continue;
        }
        out.push_back(with_sets((*terms)[i], run, leaf));
    }
    return is_all ? ir::all(std::move(out)) : ir::any(std::move(out));
}

// How many leaves match() appends for `t`.
std::size_t leaf_count(const ir::Pred& t) {
    if (leaf_of(t)) return 1;
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t)) return leaf_count((*n)->operand);
    const std::vector<ir::Pred>* terms = terms_of<ir::All>(t);
    if (!terms) terms = terms_of<ir::Any>(t);
    std::size_t n = 0;
    if (terms)
        for (const auto& term : *terms) n += leaf_count(term);
    return n;
}

// Where a member is `any(all(first field), all(second field))` around the only leaves that vary
// (`ip6 host`, `ether host`): the `any`, the number of its first leaf, and the words a field.
struct EitherFields {
    const ir::Any* node;
    std::size_t first_leaf, words;
};

// The member's `any` of two fields: each an `all` of nothing but equality tests of one constant,
// as many in each (up to kMaxTupleWords), each member holding the same constants in both.
std::optional<EitherFields> either_fields(const ir::Pred& t, const std::vector<bool>& varying, const std::vector<bool>& exact,
                                          const std::vector<std::vector<std::uint32_t>>& constants, std::size_t& leaf) {
    if (leaf_of(t)) {
        ++leaf;
        return std::nullopt;
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t)) {
        leaf += leaf_count((*n)->operand);  // under a `not`, no union means the list
        return std::nullopt;
    }
    const std::vector<ir::Pred>* terms = terms_of<ir::All>(t);
    if (const auto* any = std::get_if<std::shared_ptr<ir::Any>>(&t)) {
        const auto& two = (*any)->terms;
        const std::vector<ir::Pred>* a = two.size() == 2 ? terms_of<ir::All>(two[0]) : nullptr;
        const std::vector<ir::Pred>* b = two.size() == 2 ? terms_of<ir::All>(two[1]) : nullptr;
        if (a && b && a->size() == b->size() && a->size() >= 2 && a->size() <= kMaxTupleWords) {
            const std::size_t k = a->size(), at = leaf;
            bool fields = true;
            for (std::size_t j = 0; j < k && fields; ++j) fields = leaf_of((*a)[j]) && leaf_of((*b)[j]) && exact[at + j] && exact[at + k + j];
            for (std::size_t j = 0; j < k && fields; ++j) fields = constants[at + j] == constants[at + k + j];
            if (fields) {
                leaf += 2 * k;
                return EitherFields{any->get(), at, k};
            }
        }
        terms = &(*any)->terms;
    }
    std::optional<EitherFields> found;
    if (terms)
        for (const auto& term : *terms) {
            auto f = either_fields(term, varying, exact, constants, leaf);
            if (f && found) return std::nullopt;  // two of them
            if (f) found = f;
        }
    return found;
}

// either_fields() of the member, when nothing outside its fields varies and two or more words of
// a field do.
std::optional<EitherFields> either_member(const ir::Pred& member, const std::vector<bool>& varying, const std::vector<bool>& exact,
                                          const std::vector<std::vector<std::uint32_t>>& constants) {
    std::size_t leaf = 0;
    const auto f = either_fields(member, varying, exact, constants, leaf);
    if (!f) return std::nullopt;
    for (std::size_t l = 0; l < varying.size(); ++l)
        if (varying[l] && (l < f->first_leaf || l >= f->first_leaf + 2 * f->words)) return std::nullopt;
    // Where one word of a field varies, sets of that word answer as the list (distributes()).
    std::size_t words_varying = 0;
    for (std::size_t j = 0; j < f->words; ++j) words_varying += varying[f->first_leaf + j];
    if (words_varying < 2) return std::nullopt;
    return f;
}

// `t` with the node `target` replaced by `with`.
ir::Pred replaced(const ir::Pred& t, const ir::Any* target, const ir::Pred& with) {
    if (const auto* any = std::get_if<std::shared_ptr<ir::Any>>(&t)) {
        if (any->get() == target) return with;
        std::vector<ir::Pred> out;
        for (const auto& term : (*any)->terms) out.push_back(replaced(term, target, with));
        return ir::any(std::move(out));
    }
    if (const auto* all = terms_of<ir::All>(t)) {
        std::vector<ir::Pred> out;
        for (const auto& term : *all) out.push_back(replaced(term, target, with));
        return ir::all(std::move(out));
    }
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&t)) return ir::negate(replaced((*n)->operand, target, with));
    return t;
}

// The member with its two fields as one either-tuple set (ir::TupleSet::either) of the members
// after the first, in the list's order: a member met before, or equal to the first, is dropped
// (it reads what was read before, and its tests came out false then).
ir::Pred either_tuple_set(const ir::Pred& member, const EitherFields& f, const std::vector<std::vector<std::uint32_t>>& constants) {
    auto tuple = std::make_shared<ir::TupleSet>();
    tuple->either = true;
    const auto& terms = f.node->terms;
    for (const auto& field : terms)
        for (const auto& word : *terms_of<ir::All>(field)) tuple->words.push_back(*leaf_of(word)->value);
    auto of_member = [&](std::size_t m) {
        std::vector<std::uint32_t> one;
        for (std::size_t j = 0; j < f.words; ++j) one.push_back(constants[f.first_leaf + j][m]);
        return one;
    };
    std::set<std::vector<std::uint32_t>> seen = {of_member(0)};
    for (std::size_t m = 1; m < constants[f.first_leaf].size(); ++m)
        if (auto one = of_member(m); seen.insert(one).second) tuple->members.push_back(std::move(one));
    if (tuple->members.empty()) return replaced(member, f.node, false);
    ir::Value first = tuple->words.front();
    return replaced(member, f.node, std::make_shared<ir::InSet>(ir::InSet{std::move(first), {}, std::move(tuple)}));
}

// The longest a list member may be, in terms of the flattened `any`: `host X` is two (IPv4, and
// ARP or RARP), and `a or b or c` loses its grouping when the builders flatten it.
constexpr std::size_t kMaxPeriod = 8;

// Terms [at, at + period) as one member.
ir::Pred member(const std::vector<ir::Pred>& terms, std::size_t at, std::size_t period) {
    if (period == 1) return terms[at];
    return std::make_shared<ir::Any>(ir::Any{{terms.begin() + at, terms.begin() + at + period}});
}

// Whether the member at `b` has the shape of the one at `a` (both `period` terms); appends b's leaves.
bool match_members(const std::vector<ir::Pred>& terms, std::size_t a, std::size_t b, std::size_t period, std::vector<Leaf>& leaves) {
    for (std::size_t j = 0; j < period; ++j)
        if (!match(terms[a + j], terms[b + j], leaves)) return false;
    return true;
}

// How many members of `period` terms, from `at` on, have the shape of the first.
std::size_t run_length(const std::vector<ir::Pred>& terms, std::size_t at, std::size_t period) {
    std::size_t n = 1;
    for (std::vector<Leaf> leaves; at + (n + 1) * period <= terms.size(); ++n) {
        leaves.clear();
        if (!match_members(terms, at, at + n * period, period, leaves)) break;
    }
    return n;
}

// The terms of an `any`, with runs of the same shape compiled into sets.
std::vector<ir::Pred> with_runs_as_sets(std::vector<ir::Pred> terms, const SetOptions& options) {
    std::vector<ir::Pred> out;
    for (std::size_t i = 0; i < terms.size();) {
        // The grouping of terms into members that covers the most terms.
        std::size_t period = 1, count = 1;
        for (std::size_t p = 1; p <= kMaxPeriod && i + 2 * p <= terms.size(); ++p) {
            const std::size_t n = run_length(terms, i, p);
            if (n >= 2 && n * p > count * period) period = p, count = n;
            // Longer periods cannot cover more than all that is left (and multiples of this
            // one would only cover the same terms again).
            if (count >= 2 && i + count * period + period > terms.size()) break;
        }
        if (count < 2) {
            out.push_back(std::move(terms[i++]));
            continue;
        }
        const ir::Pred first_member = member(terms, i, period);
        std::vector<Leaf> first;
        match_members(terms, i, i, period, first);
        std::vector<Ranges> sets(first.size());
        std::vector<bool> varying(first.size(), false);
        // Each leaf's constant in each member, while every one is a single value.
        std::vector<bool> exact(first.size(), true);
        std::vector<std::vector<std::uint32_t>> constants(first.size());
        auto note = [&](std::size_t l, const Leaf& leaf) {
            exact[l] = exact[l] && !leaf.many && leaf.one.first == leaf.one.second;
            constants[l].push_back(leaf.one.first);
        };
        for (std::size_t l = 0; l < first.size(); ++l) first[l].append_to(sets[l]), note(l, first[l]);
        // Where, from member 1 on, the runs that start later differ from this one: the last member
        // whose constant differs from the one before it (a later run starting there or after
        // holds one constant for that leaf), and the last with a range (a later run starting after
        // it has only single values). Runs starting before the first such member read like this one.
        std::size_t next_difference = count;
        auto differs_from = [&](std::size_t m) {
            if (m > 0) next_difference = std::min(next_difference, m);
        };
        std::vector<std::size_t> last_change(first.size(), 0), last_range(first.size(), 0);
        std::vector<Leaf> leaves, previous = first;
        for (std::size_t m = 1; m < count; ++m) {
            leaves.clear();
            match_members(terms, i, i + m * period, period, leaves);
            for (std::size_t l = 0; l < leaves.size(); ++l) {
                varying[l] = varying[l] || !leaves[l].same_constants(first[l]);
                if (!leaves[l].same_constants(previous[l])) last_change[l] = m;
                if (leaves[l].many || leaves[l].one.first != leaves[l].one.second) last_range[l] = m;
                leaves[l].append_to(sets[l]);
                note(l, leaves[l]);
            }
            std::swap(leaves, previous);
        }
        for (std::size_t l = 0; l < first.size(); ++l) {
            differs_from(last_change[l]);
            if (last_range[l] || first[l].many || first[l].one.first != first[l].one.second) differs_from(last_range[l] + 1);
        }
        const std::size_t end = i + count * period;
        std::size_t leaf = 0;
        bool varies = false;
        const bool any_varying = std::find(varying.begin(), varying.end(), true) != varying.end();
        std::vector<TupleGroup> groups;
        const bool tuples = count > options.tuples_from;  // the member in front is not in the set
        // A tuple set answers as the list only where it is the one part of the member that varies.
        // The member in front reads each varying field once, but of a tuple only the words up to
        // its first mismatch: where two fields vary (`ip6 host`: the source, then the destination
        // of each member in turn), a frame cut inside the second is rejected by the list at the
        // first member whose words match up to the cut, which may come before the member whose
        // first field matches; testing all of the first field, then all of the second, would
        // accept it. Such lists become one either-tuple set that keeps the members' order
        // (either_member() above).
        auto only_varying_part = [&] {
            if (groups.empty()) return true;
            if (groups.size() > 1) return false;
            for (std::size_t l = 0; l < varying.size(); ++l)
                if (varying[l] && (l < groups[0].first || l >= groups[0].first + groups[0].count)) return false;
            return true;
        };
        // Lists of both fields (`ip6 host`): with tuples, one either-tuple set in order.
        if (tuples && any_varying)
            if (const auto f = either_member(first_member, varying, exact, constants)) {
                out.push_back(first_member);
                out.push_back(either_tuple_set(first_member, *f, constants));
                i = end;
                continue;
            }
        if (any_varying && (!distributes(first_member, varying, exact, tuples, leaf, varies, groups) || !only_varying_part())) {
            // Not a set: keep the first member's terms, and look for runs from the next term. A run
            // from a later member before `next_difference` has the same varying and single-valued
            // leaves (and no more members), so it is no set either: those members are kept as
            // they are too, without trying each (which made long lists quadratic).
            const std::size_t kept = std::clamp<std::size_t>(next_difference, 1, count - 1);
            for (std::size_t t = i; t < i + kept * period; ++t) out.push_back(std::move(terms[t]));
            i += kept * period;
            continue;
        }
        // The same member again and again is the member once (it reads the same bytes each time).
        // A member that is one test loads nothing the set does not: no need to run it first.
        const bool first_in_front = !any_varying || !leaf_of(first_member);
        if (first_in_front) out.push_back(first_member);
        // Where the first member came out false, each varying test it made was false for its
        // constants, or led only to tests that do not vary and came out false: the sets need not
        // hold them again.
        if (first_in_front)
            for (std::size_t l = 0; l < sets.size(); ++l)
                if (varying[l]) {
                    Ranges own;
                    first[l].append_to(own);
                    sets[l] = without(normalized(std::move(sets[l])), normalized(std::move(own)));
                }
        leaf = 0;
        const SetsOfRun run{varying, sets, constants, groups, first_in_front ? 0 : SIZE_MAX};
        if (any_varying) out.push_back(with_sets(first_member, run, leaf));
        i = end;
    }
    return out;
}

// The terms of a Node with nested Nodes of the same kind opened, in order: the builders keep a
// right-nested chain (`a or (b or (c or …))`) nested, to stay linear, and a list written so is
// the same list. Iterative, so a chain nested 100,000 deep is no recursion.
template <class Node>
std::vector<ir::Pred> opened_terms(const std::vector<ir::Pred>& terms) {
    std::vector<ir::Pred> out;
    std::vector<std::pair<const std::vector<ir::Pred>*, std::size_t>> stack = {{&terms, 0}};
    while (!stack.empty()) {
        auto& [list, at] = stack.back();
        if (at == list->size()) {
            stack.pop_back();
            continue;
        }
        const ir::Pred& t = (*list)[at++];
        if (const auto* inner = terms_of<Node>(t)) stack.push_back({inner, 0});
        else out.push_back(t);
    }
    return out;
}

}  // namespace

ir::Pred compile_sets(const ir::Pred& p, const SetOptions& options) {
    if (const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&p)) return ir::negate(compile_sets((*n)->operand, options));
    if (const auto* any_terms = terms_of<ir::Any>(p)) {
        std::vector<ir::Pred> terms = opened_terms<ir::Any>(*any_terms);
        for (auto& t : terms) t = compile_sets(t, options);
        return ir::any(with_runs_as_sets(std::move(terms), options));
    }
    if (!terms_of<ir::All>(p)) return p;
    const std::vector<ir::Pred> opened = opened_terms<ir::All>(*terms_of<ir::All>(p));
    const auto* all = &opened;
    std::vector<ir::Pred> terms;
    for (std::size_t i = 0; i < all->size();) {
        // `not a and not b and …` is `not (a or b or …)`, term for term.
        std::size_t j = i;
        std::vector<ir::Pred> negated;
        for (; j < all->size(); ++j) {
            const auto* n = std::get_if<std::shared_ptr<ir::Negation>>(&(*all)[j]);
            if (!n) break;
            negated.push_back(compile_sets((*n)->operand, options));
        }
        if (j - i >= 2) {
            terms.push_back(ir::negate(ir::any(with_runs_as_sets(std::move(negated), options))));
            i = j;
            continue;
        }
        terms.push_back(compile_sets((*all)[i], options));
        ++i;
    }
    return ir::all(std::move(terms));
}

}  // namespace sniff
