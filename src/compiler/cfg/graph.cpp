// Value interning and the small whole-graph helpers the passes share.
#include "compiler/cfg/graph.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

namespace sniff::cfg {

std::size_t ValueNodeHash::operator()(const ValueNode& v) const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(v.kind) | std::uint64_t{static_cast<std::uint8_t>(v.op)} << 8 |
                      std::uint64_t{v.size} << 16 | std::uint64_t{v.k} << 32;
    for (ValueId id : {v.index, v.lhs, v.rhs}) h = (h ^ id) * 0x9e3779b97f4a7c15ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
}

ValueId Values::intern(const ValueNode& node) {
    auto [it, inserted] = ids_.try_emplace(node, static_cast<ValueId>(nodes_.size()));
    if (inserted) {
        std::uint32_t used = node.kind == ValueKind::Var ? 1u << node.k : 0;
        for (ValueId in : {node.index, node.lhs, node.rhs})
            if (in != kNoValue) used |= vars_[in];
        bool fails = node.kind == ValueKind::Load || node.kind == ValueKind::IpHeaderLength;
        if (node.kind == ValueKind::Arith && (node.op == ir::ArithOp::Div || node.op == ir::ArithOp::Mod))
            fails = nodes_[node.rhs].kind != ValueKind::Const || nodes_[node.rhs].k == 0;
        for (ValueId in : {node.index, node.lhs, node.rhs})
            if (in != kNoValue) fails = fails || can_fail_[in];
        nodes_.push_back(node);
        vars_.push_back(used);
        can_fail_.push_back(fails);
    }
    return it->second;
}

namespace {

// `l op r` as classic BPF computes it (32-bit, wrapping), when that cannot fail: not a division
// or remainder by zero, and not a shift by 32 or more (which the kernel refuses, so it stays for
// the validator to name).
std::optional<std::uint32_t> fold(ir::ArithOp op, std::uint32_t l, std::uint32_t r) {
    switch (op) {
        case ir::ArithOp::Add: return l + r;
        case ir::ArithOp::Sub: return l - r;
        case ir::ArithOp::Mul: return l * r;
        case ir::ArithOp::Div: return r ? std::optional<std::uint32_t>(l / r) : std::nullopt;
        case ir::ArithOp::Mod: return r ? std::optional<std::uint32_t>(l % r) : std::nullopt;
        case ir::ArithOp::And: return l & r;
        case ir::ArithOp::Or: return l | r;
        case ir::ArithOp::Xor: return l ^ r;
        case ir::ArithOp::Lsh: return r < 32 ? std::optional<std::uint32_t>(l << r) : std::nullopt;
        case ir::ArithOp::Rsh: return r < 32 ? std::optional<std::uint32_t>(l >> r) : std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

ValueId Values::from_ir(const ir::Value& v) {
    if (const auto* c = std::get_if<ir::Const>(&v)) return intern({.kind = ValueKind::Const, .k = c->value});
    if (std::holds_alternative<ir::WireLength>(v)) return intern({.kind = ValueKind::WireLength});
    if (const auto* h = std::get_if<ir::IpHeaderLength>(&v)) return intern({.kind = ValueKind::IpHeaderLength, .k = h->at});
    if (const auto* x = std::get_if<ir::Var>(&v)) return intern({.kind = ValueKind::Var, .k = x->slot});
    if (const auto* l = std::get_if<std::shared_ptr<ir::Load>>(&v)) {
        const ir::Load& load = **l;
        ValueId index = load.index ? from_ir(*load.index) : kNoValue;
        // An index that is a constant folds into the offset (libpcap's `ld [x + k]` with x known).
        if (auto k = index != kNoValue ? constant(index) : std::nullopt)
            return intern({.kind = ValueKind::Load, .size = load.size, .k = load.offset + *k});
        return intern({.kind = ValueKind::Load, .size = load.size, .k = load.offset, .index = index});
    }
    const ir::Arith& a = *std::get<std::shared_ptr<ir::Arith>>(v);
    ValueId lhs = from_ir(a.lhs), rhs = from_ir(a.rhs);
    const auto l = constant(lhs), r = constant(rhs);
    if (l && r)
        if (auto folded = fold(a.op, *l, *r)) return intern({.kind = ValueKind::Const, .k = *folded});
    // Operations that leave x as it is (x + 0, x ^ 0, x * 1, x & 0xffffffff…): x itself, which
    // loads the same bytes.
    if (r && !l) {
        using enum ir::ArithOp;
        const ir::ArithOp op = a.op;
        if (*r == 0 && (op == Add || op == Sub || op == Or || op == Xor || op == Lsh || op == Rsh)) return lhs;
        if (*r == 1 && (op == Mul || op == Div)) return lhs;
        if (*r == 0xffffffffu && op == And) return lhs;
    }
    if (l && !r && (*l == 0 && (a.op == ir::ArithOp::Add || a.op == ir::ArithOp::Or || a.op == ir::ArithOp::Xor))) return rhs;
    // Constants go right (`5 * x` is `x * 5`), where both backends take an immediate operand.
    const bool commutes = ir::commutes(a.op);
    if (l && !r && commutes) std::swap(lhs, rhs);
    // So do values one instruction puts in X (a header length, a variable), for `op x`.
    auto in_x = [&](ValueId id) {
        const ValueKind k = nodes_[id].kind;
        return k == ValueKind::Const || k == ValueKind::IpHeaderLength || k == ValueKind::Var;
    };
    if (commutes && in_x(lhs) && !in_x(rhs)) std::swap(lhs, rhs);
    return intern({.kind = ValueKind::Arith, .op = a.op, .lhs = lhs, .rhs = rhs});
}

SetId Sets::intern(const Ranges& ranges) {
    std::string key(reinterpret_cast<const char*>(ranges.data()), ranges.size() * sizeof ranges[0]);
    auto [it, inserted] = ids_.try_emplace(std::move(key), static_cast<SetId>(sets_.size()));
    if (inserted) sets_.push_back(ranges);
    return it->second;
}

bool Sets::contains(SetId id, std::uint32_t v) const {
    const Ranges& r = sets_[id];
    auto it = std::upper_bound(r.begin(), r.end(), v, [](std::uint32_t x, const auto& range) { return x < range.first; });
    return it != r.begin() && v <= std::prev(it)->second;
}

void compact(Graph& g) {
    const std::size_t n = g.blocks.size();
    std::vector<bool> live(n, false);
    live[g.entry] = true;
    // Edges go forward, so one pass in id order marks everything reachable.
    for (BlockId b = 0; b < n; ++b) {
        if (!live[b]) continue;
        BlockId out[2];
        for (int i = 0, m = successors(g.blocks[b], out); i < m; ++i) live[out[i]] = true;
    }
    std::vector<BlockId> renumber(n, 0);
    std::vector<Block> kept;
    for (BlockId b = 0; b < n; ++b) {
        if (!live[b]) continue;
        renumber[b] = static_cast<BlockId>(kept.size());
        kept.push_back(std::move(g.blocks[b]));
    }
    for (Block& b : kept) {
        b.jt = renumber[b.jt];
        b.jf = renumber[b.jf];
    }
    g.entry = renumber[g.entry];
    g.blocks = std::move(kept);
}

bool accepts_some(const Graph& g) {
    std::vector<bool> live(g.blocks.size(), false);
    live[g.entry] = true;
    for (BlockId b = 0; b < g.blocks.size(); ++b) {
        if (!live[b]) continue;
        const Block& block = g.blocks[b];
        if (block.exit == Exit::Return && block.k != 0) return true;
        BlockId out[2];
        for (int i = 0, m = successors(block, out); i < m; ++i) live[out[i]] = true;
    }
    return false;
}

std::uint32_t vars_used(const Graph& g) {
    std::uint32_t used = 0;
    for (const Block& b : g.blocks) {
        for (const Assign& a : b.assigns) used |= (1u << a.slot) | g.values.vars(a.value);
        for (ValueId v : {b.load, b.rhs})
            if (v != kNoValue) used |= g.values.vars(v);
        if (b.chain && b.chain->base) used |= 1u << b.chain->base->slot;
        for (ValueId w : b.tuple_words) used |= g.values.vars(w);
    }
    return used;
}

}  // namespace sniff::cfg
