// Lowering: walks the tree in expression order (qualifier carry-over and encapsulations depend on
// it) and hands each primitive to its builder. Builders mirror what libpcap's gencode emits,
// including the order of tests (a load past the captured bytes rejects, so order is meaning).
#include "compiler/lower.hpp"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <optional>

#include "compiler/layout.hpp"
#include "compiler/lower_arith.hpp"
#include "compiler/lower_parts.hpp"
#include "compiler/names.hpp"
#include "compiler/parse.hpp"

namespace sniff {
namespace {

using ast::Dir;
using ast::Kind;
using ast::Proto;
using Result = std::expected<ir::Pred, Diagnostic>;

// The leftmost leaf of an expression: what a group starts with.
const ast::Expr& leftmost(const ast::Expr& e) {
    const ast::Expr* at = &e;
    for (;;) {
        if (const auto* n = std::get_if<std::shared_ptr<ast::Not>>(at)) at = &(*n)->operand;
        else if (const auto* b = std::get_if<std::shared_ptr<ast::Binary>>(at)) at = &(*b)->lhs;
        else if (const auto* g = std::get_if<std::shared_ptr<ast::Group>>(at)) at = &(*g)->inner;
        else return *at;
    }
}

bool is_bare_value(const ast::Expr& e) {
    const auto* p = std::get_if<ast::Primitive>(&e);
    return p && p->q.empty();
}

// A group that starts with a bare value is a list of values (libpcap's `paren pid ')'`), which
// holds nothing else: `host a and (b or port 80)` is a syntax error there. The first primitive
// in such a list, if any, as an error.
std::optional<Diagnostic> primitive_among_values(const ast::Expr& inner) {
    if (!is_bare_value(leftmost(inner))) return std::nullopt;
    std::vector<const ast::Expr*> todo = {&inner};
    while (!todo.empty()) {
        const ast::Expr* e = todo.back();
        todo.pop_back();
        if (const auto* n = std::get_if<std::shared_ptr<ast::Not>>(e)) todo.push_back(&(*n)->operand);
        else if (const auto* g = std::get_if<std::shared_ptr<ast::Group>>(e)) todo.push_back(&(*g)->inner);
        else if (const auto* b = std::get_if<std::shared_ptr<ast::Binary>>(e)) {
            todo.push_back(&(*b)->rhs);
            todo.push_back(&(*b)->lhs);
        } else if (!is_bare_value(*e)) {
            return Diagnostic{ast::span_of(*e), "a parenthesised list of values cannot hold a primitive",
                              "put the values in one list and the primitive outside it, e.g. 'host a and (b or c) or port 80'"};
        }
    }
    return std::nullopt;
}

class Lowering {
public:
    Lowering(const LinkType& lt, std::string_view text, LowerOptions options)
        : layout_(lt, options.savefile), context_{layout_, text, options.kernel_vlan, options.netmask} {}

    // `carry`: the qualifiers a bare value after and/or/not takes (libpcap's $<blk>0.q);
    // empty after a protocol keyword alone, where a bare value is a syntax error.
    Result expr(const ast::Expr& e, std::optional<ast::Qualifiers>& carry) {
        if (auto d = lowering::needs_missing_network_layer(context_, e)) return std::unexpected(*d);
        if (auto* p = std::get_if<ast::Primitive>(&e)) {
            if (!p->q.empty()) carry = p->q;
            if (!carry) {
                if (auto k = p->value.shape == ast::Value::Shape::Name ? keyword_like(p->value.text) : std::nullopt)
                    return error(p->value.span, fmt::format("'{}' is not a keyword", p->value.text), fmt::format("did you mean '{}'?", *k));
                return error(p->value.span, fmt::format("'{}' needs a qualifier", p->value.text),
                             fmt::format("write 'host {0}', 'net {0}' or 'port {0}'", p->value.text));
            }
            return primitive(*carry, p->value);
        }
        if (auto* a = std::get_if<ast::ProtoAbbrev>(&e)) {
            carry.reset();
            if (a->proto == Proto::Ether)
                return error(a->span, fmt::format("'{0}' needs what follows it: '{0} host', '{0} src', '{0} proto'...",
                                                  context_.text_of(a->span)));
            return layout_.proto_abbrev(a->proto);
        }
        if (auto* g = std::get_if<std::shared_ptr<ast::Group>>(&e)) {
            if (auto mixed = primitive_among_values((*g)->inner)) return std::unexpected(*mixed);
            const std::optional<ast::Qualifiers> before = carry;
            auto r = expr((*g)->inner, carry);
            carry = before;
            return r;
        }
        if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(&e)) {
            auto r = expr((*n)->operand, carry);
            if (!r) return r;
            return ir::negate(std::move(*r));
        }
        if (auto* r = std::get_if<std::shared_ptr<ast::Relation>>(&e)) {
            carry.reset();  // `tcp[0] = 1 and 2` is a syntax error in libpcap
            return lower_relation(**r, context_);
        }
        if (auto* k = std::get_if<ast::Keyword>(&e)) {
            carry.reset();
            return lowering::keyword(context_, *k);
        }
        // `a or b or c …` parses left-deep, as deep as the list is long: walk its left spine in a
        // loop, then lower the operands left to right (carry-over follows expression order).
        std::vector<const ast::Binary*> spine;
        const ast::Expr* leftmost = &e;
        while (const auto* b = std::get_if<std::shared_ptr<ast::Binary>>(leftmost)) {
            spine.push_back(b->get());
            leftmost = &(*b)->lhs;
        }
        auto acc = expr(*leftmost, carry);
        if (!acc) return acc;
        for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
            auto r = expr((*it)->rhs, carry);
            if (!r) return r;
            // Not an initializer list, whose elements are copied: the list built so far must
            // reach ir::all/any as the only holder of its node (see combine()).
            std::vector<ir::Pred> both;
            both.reserve(2);
            both.push_back(std::move(*acc));
            both.push_back(std::move(*r));
            acc = (*it)->op == ast::Binary::Op::And ? ir::all(std::move(both)) : ir::any(std::move(both));
        }
        return acc;
    }

    const Layout& layout() const { return layout_; }

private:
    Result primitive(const ast::Qualifiers& q, const ast::Value& v) {
        Dir dir = q.dir ? q.dir->value : Dir::SrcOrDst;
        Kind kind = q.kind ? q.kind->value : Kind::Host;
        // A prefix or mask needs `net`, even after a bare direction (`src 10.0.0.0/8` is refused:
        // libpcap's gen_mcode). An IPv6 host may carry /128 (gen_mcode6; ipv6_value checks the length).
        const bool ipv6_host_prefix = kind == Kind::Host && v.shape == ast::Value::Shape::Ipv6 && v.prefix && !v.mask;
        if ((v.prefix || v.mask) && kind != Kind::Net && !ipv6_host_prefix) {
            const Span at = v.prefix ? v.prefix->span : v.mask->span;
            if (!q.kind) {
                const Span qualifiers{q.proto ? q.proto->span.begin : q.dir->span.begin, q.dir ? q.dir->span.end : q.proto->span.end};
                return error(at, "a network mask needs 'net'",
                             fmt::format("write '{} net {}'", context_.text_of(qualifiers), context_.text_of({v.span.begin, at.end})));
            }
            return error(at, fmt::format("a network mask is only allowed with 'net', not '{}'", ast::name_of(kind)),
                         fmt::format("write 'net {}'", v.text));
        }
        if (ast::is_wlan_dir(dir) && !(q.proto && q.proto->value == Proto::Ether))
            return error(q.dir->span,
                         fmt::format("'{}' is not a valid qualifier for addresses other than 802.11 MAC addresses", context_.text_of(q.dir->span)),
                         fmt::format("write 'wlan {} 00:11:22:33:44:55'", context_.text_of(q.dir->span)));
        if (q.proto && q.proto->value == Proto::Decnet) return lowering::decnet_address(context_, q, dir, kind, v);
        if (lowering::is_arcnet_address(v)) return lowering::arcnet_host(context_, q, dir, kind, v);
        switch (kind) {
            case Kind::Broadcast: return lowering::broadcast(context_, q);
            case Kind::Multicast: return lowering::multicast(context_, q);
            case Kind::Protocol: return lowering::protocol(context_, q, v);
            case Kind::Protochain: return lowering::protochain(context_, q, v);
            case Kind::Gateway: return lowering::gateway(context_, q, v);
            default: break;
        }
        if (q.proto && q.proto->value == Proto::Ether) return lowering::ether_host(context_, q, dir, kind, v);
        switch (kind) {
            case Kind::Port: return lowering::port(context_, q, dir, v);
            case Kind::PortRange: return lowering::port_range(context_, q, dir, v);
            case Kind::Host:
            case Kind::Net: return lowering::address(context_, q, dir, kind, v);
            default: break;
        }
        return false;
    }

    Layout layout_;
    lowering::Context context_;
};

}  // namespace

namespace lowering {

ir::Pred by_direction(Dir dir, const std::function<ir::Pred(bool src)>& side) {
    switch (dir) {
        case Dir::Src: return side(true);
        case Dir::Dst: return side(false);
        case Dir::SrcOrDst: return ir::any({side(true), side(false)});
        case Dir::SrcAndDst: return ir::all({side(true), side(false)});
        default: break;  // 802.11 address fields: only MAC addresses take them
    }
    return false;
}

}  // namespace lowering

std::expected<ir::Pred, Diagnostic> lower(const ast::Expr& expr, const LinkType& link, std::string_view text, LowerOptions options) {
    Lowering l(link, text, options);
    std::optional<ast::Qualifiers> carry;
    auto pred = l.expr(expr, carry);
    if (pred && !l.layout().setup().empty()) return ir::all({ir::set_vars(l.layout().setup()), std::move(*pred)});
    return pred;
}

}  // namespace sniff
