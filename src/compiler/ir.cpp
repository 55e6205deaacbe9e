// IR builders with light folding (true/false absorption, flattening of nested all/any).
#include "compiler/ir.hpp"

#include <algorithm>

namespace sniff::ir {

Value constant(std::uint32_t v) { return Const{v}; }

Value var(std::uint8_t slot) { return Var{slot}; }

Value load(std::uint32_t offset, std::uint8_t size) {
    return std::make_shared<Load>(Load{nullptr, offset, size});
}

Value load_indexed(Value index, std::uint32_t offset, std::uint8_t size) {
    // An offset of 2^31 or more is a negative one that wraps the index round (`ether[ether[0] -
    // 16]` on a radio header, `ether[0xffffffff]` past radiotap's length): libpcap adds it to
    // the index in A, modulo 2^32, and loads at [x + 0]. So does sniff; a load's own offset stays
    // below 2^31, where every engine reads the same bytes.
    if (offset >= kFirstImpossibleOffset) return load_indexed(arith(ArithOp::Add, std::move(index), constant(offset)), 0, size);
    return std::make_shared<Load>(Load{std::make_shared<Value>(std::move(index)), offset, size});
}

Value arith(ArithOp op, Value lhs, Value rhs) {
    return std::make_shared<Arith>(Arith{op, std::move(lhs), std::move(rhs)});
}

Pred cmp(CmpOp op, Value lhs, Value rhs) { return Cmp{op, std::move(lhs), std::move(rhs)}; }

Pred eq(Value lhs, std::uint32_t k) { return cmp(CmpOp::Eq, std::move(lhs), constant(k)); }

namespace {

// The largest node of the same kind whose terms are copied into another's (see combine()).
constexpr std::size_t kFlattenLimit = 16;

// Shared by all() and any(): `absorbing` is the value that decides the whole (false for all).
template <class Node>
Pred combine(std::vector<Pred> terms, bool absorbing) {
    std::vector<Pred> kept;
    for (auto& t : terms) {
        if (const bool* b = std::get_if<bool>(&t)) {
            if (*b == absorbing) {
                // Terms before an absorbing constant still run (their loads may reject), so keep them.
                kept.push_back(absorbing);
                break;
            }
            continue;
        }
        if (auto* same = std::get_if<std::shared_ptr<Node>>(&t)) {
            // A left-deep chain (`a or b or c …`, as parsed) adds one term at a time to a node
            // nothing else holds: take its terms over instead of copying them, so a list of n
            // terms is built in O(n), not O(n^2).
            if (kept.empty() && same->use_count() == 1) {
                kept = std::move((*same)->terms);
                continue;
            }
            // Copying a large node into a later position would make right-nested chains
            // (`a and (b and (c …))`) quadratic: it stays nested, which means the same.
            if (kept.empty() || (*same)->terms.size() <= kFlattenLimit) {
                for (auto& inner : (*same)->terms) kept.push_back(inner);
                continue;
            }
        }
        kept.push_back(std::move(t));
    }
    if (kept.empty()) return !absorbing;
    if (kept.size() == 1) return std::move(kept.front());
    return std::make_shared<Node>(Node{std::move(kept)});
}

}  // namespace

Pred all(std::vector<Pred> terms) { return combine<All>(std::move(terms), false); }
Pred any(std::vector<Pred> terms) { return combine<Any>(std::move(terms), true); }

Pred set_vars(std::vector<Assign> steps) { return std::make_shared<SetVars>(SetVars{std::move(steps)}); }

Pred negate(Pred p) {
    if (const bool* b = std::get_if<bool>(&p)) return !*b;
    if (auto* n = std::get_if<std::shared_ptr<Negation>>(&p)) return (*n)->operand;
    return std::make_shared<Negation>(Negation{std::move(p)});
}

bool equal(const Value& a, const Value& b) {
    if (a.index() != b.index()) return false;
    if (const auto* x = std::get_if<Const>(&a)) return x->value == std::get<Const>(b).value;
    if (const auto* x = std::get_if<IpHeaderLength>(&a)) return x->at == std::get<IpHeaderLength>(b).at;
    if (const auto* x = std::get_if<Var>(&a)) return x->slot == std::get<Var>(b).slot;
    if (const auto* x = std::get_if<std::shared_ptr<Load>>(&a)) {
        const Load &l = **x, &r = *std::get<std::shared_ptr<Load>>(b);
        if (l.offset != r.offset || l.size != r.size || !l.index != !r.index) return false;
        return !l.index || equal(*l.index, *r.index);
    }
    if (const auto* x = std::get_if<std::shared_ptr<Arith>>(&a)) {
        const Arith &l = **x, &r = *std::get<std::shared_ptr<Arith>>(b);
        return l.op == r.op && equal(l.lhs, r.lhs) && equal(l.rhs, r.rhs);
    }
    return true;  // WireLength
}

std::uint32_t vars_used(const Value& v) {
    if (const auto* x = std::get_if<Var>(&v)) return 1u << x->slot;
    if (const auto* l = std::get_if<std::shared_ptr<Load>>(&v)) return (*l)->index ? vars_used(*(*l)->index) : 0;
    if (const auto* a = std::get_if<std::shared_ptr<Arith>>(&v)) return vars_used((*a)->lhs) | vars_used((*a)->rhs);
    return 0;
}

std::uint32_t vars_used(const Pred& p) {
    if (const auto* c = std::get_if<Cmp>(&p)) return vars_used(c->lhs) | vars_used(c->rhs);
    if (const auto* s = std::get_if<std::shared_ptr<InSet>>(&p)) {
        std::uint32_t used = vars_used((*s)->value);
        if ((*s)->tuple)
            for (const Value& w : (*s)->tuple->words) used |= vars_used(w);
        return used;
    }
    if (const auto* n = std::get_if<std::shared_ptr<Negation>>(&p)) return vars_used((*n)->operand);
    if (const auto* c = std::get_if<ProtoChain>(&p)) return c->base ? 1u << c->base->slot : 0;
    if (const auto* s = std::get_if<std::shared_ptr<SetVars>>(&p)) {
        std::uint32_t used = 0;
        for (const auto& a : (*s)->steps) used |= (1u << a.slot) | vars_used(a.when) | vars_used(a.value);
        return used;
    }
    std::uint32_t used = 0;
    if (const auto* a = std::get_if<std::shared_ptr<All>>(&p))
        for (const auto& t : (*a)->terms) used |= vars_used(t);
    if (const auto* a = std::get_if<std::shared_ptr<Any>>(&p))
        for (const auto& t : (*a)->terms) used |= vars_used(t);
    return used;
}

unsigned protochain_depth(const Pred& p) {
    if (const auto* c = std::get_if<ProtoChain>(&p)) return c->max_headers;
    if (const auto* n = std::get_if<std::shared_ptr<Negation>>(&p)) return protochain_depth((*n)->operand);
    unsigned depth = 0;
    if (const auto* s = std::get_if<std::shared_ptr<SetVars>>(&p))
        for (const auto& a : (*s)->steps) depth = std::max(depth, protochain_depth(a.when));
    if (const auto* a = std::get_if<std::shared_ptr<All>>(&p))
        for (const auto& t : (*a)->terms) depth = std::max(depth, protochain_depth(t));
    if (const auto* a = std::get_if<std::shared_ptr<Any>>(&p))
        for (const auto& t : (*a)->terms) depth = std::max(depth, protochain_depth(t));
    return depth;
}

Pred with_protochain_depth(const Pred& p, unsigned depth) {
    if (const auto* c = std::get_if<ProtoChain>(&p)) {
        ProtoChain cut = *c;
        cut.max_headers = std::min(cut.max_headers, depth);
        return cut;
    }
    // Nodes may be shared, so the path to each walk is copied, not changed in place.
    if (const auto* n = std::get_if<std::shared_ptr<Negation>>(&p))
        return std::make_shared<Negation>(Negation{with_protochain_depth((*n)->operand, depth)});
    if (const auto* s = std::get_if<std::shared_ptr<SetVars>>(&p)) {
        SetVars copy = **s;
        for (auto& a : copy.steps) a.when = with_protochain_depth(a.when, depth);
        return std::make_shared<SetVars>(std::move(copy));
    }
    if (const auto* a = std::get_if<std::shared_ptr<All>>(&p)) {
        All copy = **a;
        for (auto& t : copy.terms) t = with_protochain_depth(t, depth);
        return std::make_shared<All>(std::move(copy));
    }
    if (const auto* a = std::get_if<std::shared_ptr<Any>>(&p)) {
        Any copy = **a;
        for (auto& t : copy.terms) t = with_protochain_depth(t, depth);
        return std::make_shared<Any>(std::move(copy));
    }
    return p;
}

}  // namespace sniff::ir
