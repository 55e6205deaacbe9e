// The lattice of facts about values: learning from a test's outcome, deciding a test, and the
// meet where paths join (a fact survives only when every incoming path has it).
#include "compiler/cfg/facts.hpp"

#include <algorithm>
#include <bit>

namespace sniff::cfg {
namespace {

constexpr std::uint32_t kAll = 0xffffffffu;

bool pinned(const Known& f) { return f.lo == f.hi || f.mask == kAll; }

void exclude(Known& f, std::uint32_t v) {
    if (f.rules_out(v)) return;
    if (v == f.lo && f.lo < f.hi) {
        ++f.lo;
        return;
    }
    if (v == f.hi && f.lo < f.hi) {
        --f.hi;
        return;
    }
    if (f.n_excluded < f.excluded.size()) {
        f.excluded[f.n_excluded++] = v;
        return;
    }
    // Full: the newest exclusion replaces the oldest.
    std::rotate(f.excluded.begin(), f.excluded.begin() + 1, f.excluded.end());
    f.excluded.back() = v;
}

void set_bits(Known& f, std::uint32_t mask, std::uint32_t bits) {
    f.bits = (f.bits & ~mask) | (bits & mask);
    f.mask |= mask;
}

// The facts about `v` together with what its kind says: a byte is at most 255, `x & m` has no
// bit outside m (and the bits of x known under m), a header length is a multiple of 4 up to 60.
Known effective(const Values& values, ValueId v, const Known* entry, const Facts& facts) {
    Known f = entry ? *entry : Known{};
    const ValueNode& n = values[v];
    if (!facts.value_ranges() && n.kind != ValueKind::Const) return f;
    switch (n.kind) {
        case ValueKind::Const: f.lo = f.hi = n.k; break;
        case ValueKind::Load:
            if (n.size < 4) f.hi = std::min(f.hi, (1u << (8 * n.size)) - 1);
            break;
        case ValueKind::IpHeaderLength: set_bits(f, ~0x3cu, 0); break;
        case ValueKind::Arith: {
            const auto k = values.constant(n.rhs);
            if (!k) break;
            if (n.op == ir::ArithOp::And) {
                set_bits(f, ~*k, 0);
                if (const Known* x = facts.find(n.lhs)) set_bits(f, x->mask & *k, x->bits);
            } else if (n.op == ir::ArithOp::Or) {
                set_bits(f, *k, *k);  // the constant's bits are set whatever x is
            } else if (n.op == ir::ArithOp::Rsh && *k < 32) {
                f.hi = std::min(f.hi, kAll >> *k);
            }
            break;
        }
        default: break;
    }
    f.hi = std::min(f.hi, f.bits | ~f.mask);  // unknown bits all set is the most it can be
    f.lo = std::max(f.lo, f.bits);
    if (f.mask == kAll) f.lo = f.hi = f.bits;
    return f;
}

}  // namespace

bool Known::rules_out(std::uint32_t v) const {
    if (v < lo || v > hi || (v & mask) != bits) return true;
    return std::find(excluded.begin(), excluded.begin() + n_excluded, v) != excluded.begin() + n_excluded;
}

const Known* Facts::find(ValueId v) const {
    auto it = std::lower_bound(facts_.begin(), facts_.end(), v, [](const auto& e, ValueId id) { return e.first < id; });
    return it != facts_.end() && it->first == v ? &it->second : nullptr;
}

Known& Facts::computed(ValueId v) {
    auto it = std::lower_bound(facts_.begin(), facts_.end(), v, [](const auto& e, ValueId id) { return e.first < id; });
    if (it != facts_.end() && it->first == v) return it->second;
    if (facts_.size() >= kMaxFacts) {
        // Values interned first belong to the filter's first terms: forget those.
        const std::ptrdiff_t at = it - facts_.begin();
        facts_.erase(facts_.begin());
        it = facts_.begin() + std::max<std::ptrdiff_t>(at - 1, 0);
    }
    return facts_.insert(it, {v, Known{}})->second;
}

void Facts::learn(const Values& values, ValueId v, ir::CmpOp op, std::uint32_t k, bool holds) {
    Known& f = computed(v);
    // As libpcap's optimizer: only what `jeq` taught about the same value.
    if (!value_ranges_) {
        if (op == ir::CmpOp::Eq && holds) f.lo = f.hi = k, set_bits(f, kAll, k);
        if (op == ir::CmpOp::Eq && !holds) exclude(f, k);
        return;
    }
    switch (op) {
        case ir::CmpOp::Eq:
            if (holds) {
                f.lo = f.hi = k;
                set_bits(f, kAll, k);
            } else {
                exclude(f, k);
            }
            break;
        case ir::CmpOp::Gt:
            if (holds && k < kAll) f.lo = std::max(f.lo, k + 1);
            if (!holds) f.hi = std::min(f.hi, k);
            break;
        case ir::CmpOp::Ge:
            if (holds) f.lo = std::max(f.lo, k);
            if (!holds && k > 0) f.hi = std::min(f.hi, k - 1);
            break;
        case ir::CmpOp::AnySet:
            if (!holds) set_bits(f, k, 0);
            if (holds && std::has_single_bit(k)) set_bits(f, k, k);
            if (holds && (!f.some_of || (k & ~f.some_of) == 0)) f.some_of = k;
            break;
    }
    // A masked load teaches the load's bits under the mask (the IP version nibble, a VLAN id).
    const ValueNode& n = values[v];
    const auto m = n.kind == ValueKind::Arith && n.op == ir::ArithOp::And ? values.constant(n.rhs) : std::nullopt;
    if (!m) return;
    Known& x = computed(n.lhs);
    if (op == ir::CmpOp::Eq && holds) set_bits(x, *m, k);
    if (op == ir::CmpOp::AnySet && !holds) set_bits(x, k & *m, 0);
    if (op == ir::CmpOp::AnySet && holds && std::has_single_bit(k & *m)) set_bits(x, k & *m, k & *m);
}

std::optional<bool> Facts::decide(const Values& values, ValueId v, ir::CmpOp op, std::uint32_t k) const {
    if (!value_ranges_ && op != ir::CmpOp::Eq) return std::nullopt;
    const Known* entry = find(v);
    if (!entry && values.can_fail(v)) {
        // `x & m` cannot fail once x was computed.
        const ValueNode& n = values[v];
        const bool masked_known = n.kind == ValueKind::Arith && n.op == ir::ArithOp::And && values.constant(n.rhs) && find(n.lhs);
        if (!masked_known) return std::nullopt;
    }
    const Known f = effective(values, v, entry, *this);
    switch (op) {
        case ir::CmpOp::Eq:
            if (pinned(f)) return f.lo == k;
            if (f.rules_out(k)) return false;
            return std::nullopt;
        case ir::CmpOp::Gt:
            if (f.lo > k) return true;
            if (f.hi <= k) return false;
            return std::nullopt;
        case ir::CmpOp::Ge:
            if (f.lo >= k) return true;
            if (f.hi < k) return false;
            return std::nullopt;
        case ir::CmpOp::AnySet:
            if (f.mask & k & f.bits) return true;
            if (f.some_of && (f.some_of & ~k) == 0) return true;
            if ((k & ~f.mask) == 0) return false;
            if (k == 0 || f.hi < (k & -k)) return false;
            return std::nullopt;
    }
    return std::nullopt;
}

void Facts::learn_set(const Sets& sets, ValueId v, SetId set, bool holds) {
    Known& f = computed(v);
    const Ranges& r = sets[set];
    if (!value_ranges_) {
        (holds ? f.in_set : f.not_in_set) = set;
        return;
    }
    if (holds) {
        f.in_set = set;
        f.lo = std::max(f.lo, r.front().first);
        f.hi = std::min(f.hi, r.back().second);
        return;
    }
    f.not_in_set = set;
    // Outside a set that reaches an end of the number line: a bound.
    if (r.front().first == 0 && r.front().second < kAll) f.lo = std::max(f.lo, r.front().second + 1);
    if (r.back().second == kAll && r.back().first > 0) f.hi = std::min(f.hi, r.back().first - 1);
}

std::optional<bool> Facts::decide_set(const Values& values, const Sets& sets, ValueId v, SetId set) const {
    const Known* entry = find(v);
    if (!entry && values.can_fail(v)) return std::nullopt;
    if (entry && entry->in_set == set) return true;
    if (entry && entry->not_in_set == set) return false;
    const Known f = effective(values, v, entry, *this);
    if (f.lo == f.hi) return sets.contains(set, f.lo);
    if (!value_ranges_) return std::nullopt;
    // [lo, hi] inside one range, or between two.
    const Ranges& r = sets[set];
    auto it = std::upper_bound(r.begin(), r.end(), f.lo, [](std::uint32_t x, const auto& range) { return x < range.first; });
    if (it != r.begin() && f.hi <= std::prev(it)->second) return true;
    const bool lo_outside = it == r.begin() || f.lo > std::prev(it)->second;
    if (lo_outside && (it == r.end() || f.hi < it->first)) return false;
    return std::nullopt;
}

void Facts::forget_vars(const Values& values, std::uint32_t slots) {
    if (!slots) return;
    std::erase_if(facts_, [&](const auto& e) { return (values.vars(e.first) & slots) != 0; });
}

void Facts::meet(const Facts& other) {
    std::vector<std::pair<ValueId, Known>> kept;
    auto a = facts_.begin();
    auto b = other.facts_.begin();
    while (a != facts_.end() && b != other.facts_.end()) {
        if (a->first < b->first) {
            ++a;
            continue;
        }
        if (b->first < a->first) {
            ++b;
            continue;
        }
        const Known &x = a->second, &y = b->second;
        Known m;
        m.lo = std::min(x.lo, y.lo);
        m.hi = std::max(x.hi, y.hi);
        m.mask = x.mask & y.mask & ~(x.bits ^ y.bits);
        m.bits = x.bits & m.mask;
        m.in_set = x.in_set == y.in_set ? x.in_set : kNoSet;
        m.some_of = x.some_of == y.some_of ? x.some_of : 0;
        m.not_in_set = x.not_in_set == y.not_in_set ? x.not_in_set : kNoSet;
        for (const Known* side : {&x, &y})
            for (std::uint8_t i = 0; i < side->n_excluded; ++i) {
                const std::uint32_t v = side->excluded[i];
                if (x.rules_out(v) && y.rules_out(v) && !m.rules_out(v) && m.n_excluded < m.excluded.size())
                    m.excluded[m.n_excluded++] = v;
            }
        kept.push_back({a->first, m});
        ++a, ++b;
    }
    facts_ = std::move(kept);
}

}  // namespace sniff::cfg
