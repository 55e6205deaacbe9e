// IR builders with light folding (true/false absorption, flattening of nested all/any).
#include "compiler/ir.hpp"

namespace sniff::ir {

Value constant(std::uint32_t v) { return Const{v}; }

Value load(std::uint32_t offset, std::uint8_t size) {
    return std::make_shared<Load>(Load{nullptr, offset, size});
}

Value load_indexed(Value index, std::uint32_t offset, std::uint8_t size) {
    return std::make_shared<Load>(Load{std::make_shared<Value>(std::move(index)), offset, size});
}

Value arith(ArithOp op, Value lhs, Value rhs) {
    return std::make_shared<Arith>(Arith{op, std::move(lhs), std::move(rhs)});
}

Pred cmp(CmpOp op, Value lhs, Value rhs) { return Cmp{op, std::move(lhs), std::move(rhs)}; }

Pred eq(Value lhs, std::uint32_t k) { return cmp(CmpOp::Eq, std::move(lhs), constant(k)); }

namespace {

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
            for (auto& inner : (*same)->terms) kept.push_back(inner);
            continue;
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

Pred negate(Pred p) {
    if (const bool* b = std::get_if<bool>(&p)) return !*b;
    if (auto* n = std::get_if<std::shared_ptr<Negation>>(&p)) return (*n)->operand;
    return std::make_shared<Negation>(Negation{std::move(p)});
}

}  // namespace sniff::ir
