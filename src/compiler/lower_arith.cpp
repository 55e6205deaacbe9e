// Packet accessors per protocol follow libpcap's gen_load: network-layer protocols index from
// the network header after checking the protocol; IPv4 transports index from the transport
// header (found with the IPv4 header length) after checking the protocol and that the packet is
// not a later fragment.
#include "compiler/lower_arith.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "compiler/names.hpp"
#include "compiler/spelling.hpp"

namespace sniff {
namespace {

using Result = std::expected<GuardedValue, Diagnostic>;

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 66> kNamedConstants = {{
    {"icmptype", 0}, {"icmpcode", 1}, {"icmp-echoreply", 0}, {"icmp-unreach", 3}, {"icmp-sourcequench", 4},
    {"icmp-redirect", 5}, {"icmp-echo", 8}, {"icmp-routeradvert", 9}, {"icmp-routersolicit", 10},
    {"icmp-timxceed", 11}, {"icmp-paramprob", 12}, {"icmp-tstamp", 13}, {"icmp-tstampreply", 14},
    {"icmp-ireq", 15}, {"icmp-ireqreply", 16}, {"icmp-maskreq", 17}, {"icmp-maskreply", 18},
    {"icmp6type", 0}, {"icmp6code", 1}, {"icmp6-destinationunreach", 1}, {"icmp6-packettoobig", 2},
    {"icmp6-timeexceeded", 3}, {"icmp6-parameterproblem", 4}, {"icmp6-echo", 128}, {"icmp6-echoreply", 129},
    {"icmp6-multicastlistenerquery", 130}, {"icmp6-multicastlistenerreportv1", 131},
    {"icmp6-multicastlistenerdone", 132}, {"icmp6-routersolicit", 133}, {"icmp6-routeradvert", 134},
    {"icmp6-neighborsolicit", 135}, {"icmp6-neighboradvert", 136}, {"icmp6-redirect", 137},
    {"icmp6-routerrenum", 138}, {"icmp6-nodeinformationquery", 139}, {"icmp6-nodeinformationresponse", 140},
    {"icmp6-ineighbordiscoverysolicit", 141}, {"icmp6-ineighbordiscoveryadvert", 142},
    {"icmp6-multicastlistenerreportv2", 143}, {"icmp6-homeagentdiscoveryrequest", 144},
    {"icmp6-homeagentdiscoveryreply", 145}, {"icmp6-mobileprefixsolicit", 146}, {"icmp6-mobileprefixadvert", 147},
    {"icmp6-certpathsolicit", 148}, {"icmp6-certpathadvert", 149}, {"icmp6-multicastrouteradvert", 151},
    {"icmp6-multicastroutersolicit", 152}, {"icmp6-multicastrouterterm", 153},
    {"tcpflags", 13}, {"tcp-fin", 0x01}, {"tcp-syn", 0x02}, {"tcp-rst", 0x04}, {"tcp-push", 0x08},
    {"tcp-ack", 0x10}, {"tcp-urg", 0x20}, {"tcp-ece", 0x40}, {"tcp-cwr", 0x80},
    // The rest are libpcap's synonyms and the few older spellings users still type.
    {"icmp-squench", 4}, {"icmp-routeradv", 9}, {"icmp-timeexceeded", 11}, {"icmp-parameterproblem", 12},
    {"icmp-timestamp", 13}, {"icmp-timestampreply", 14}, {"icmp-inforeq", 15}, {"icmp-inforeply", 16},
    {"icmp-addrmaskreq", 17},
}};

ir::ArithOp ir_op(ast::ArithOp op) {
    switch (op) {
        case ast::ArithOp::Add: return ir::ArithOp::Add;
        case ast::ArithOp::Sub: return ir::ArithOp::Sub;
        case ast::ArithOp::Mul: return ir::ArithOp::Mul;
        case ast::ArithOp::Div: return ir::ArithOp::Div;
        case ast::ArithOp::Mod: return ir::ArithOp::Mod;
        case ast::ArithOp::And: return ir::ArithOp::And;
        case ast::ArithOp::Or: return ir::ArithOp::Or;
        case ast::ArithOp::Xor: return ir::ArithOp::Xor;
        case ast::ArithOp::Lsh: return ir::ArithOp::Lsh;
        case ast::ArithOp::Rsh: return ir::ArithOp::Rsh;
        case ast::ArithOp::Neg: break;
    }
    return ir::ArithOp::Sub;
}

// What an accessor's protocol means: where its index counts from, and what must hold first.
Result access(const ast::Access& a, const lowering::Context& c) {
    const Layout& layout = c.layout;
    if (a.size != 1 && a.size != 2 && a.size != 4)
        return error(a.size_span, fmt::format("data size must be 1, 2 or 4, not {}", a.size_text), "write proto[offset:1], [offset:2] or [offset:4]");
    auto index = lower_arith(a.index, c);
    if (!index) return index;
    const auto* k = std::get_if<ir::Const>(&index->value);
    auto at = [&](const Base& base) {
        // A constant index folds into the load's offset; otherwise the index goes through X.
        return k ? base.load(k->value, static_cast<std::uint8_t>(a.size))
                 : base.load_at(index->value, 0, static_cast<std::uint8_t>(a.size));
    };
    GuardedValue out{ir::Const{0}, {}};
    const std::string& p = a.proto;
    // Every name of the link layer counts from the link-layer header (after any radio header).
    if (p == "ether" || p == "link" || p == "wlan" || p == "fddi" || p == "tr" || p == "ppp" || p == "slip") {
        out.value = at(layout.link_header());
        out.guards = std::move(index->guards);
        return out;
    }
    if (p == "radio") {
        // The radio header itself (radiotap, Prism/AVS), from the first byte of the packet.
        LinkPrefix prefix = layout.link().prefix;
        if (prefix != LinkPrefix::Radiotap && prefix != LinkPrefix::Prism && prefix != LinkPrefix::Avs)
            return error(a.proto_span, fmt::format("'radio[...]' is not supported on link type {}: no radio header", layout.link().name),
                         "'radio[...]' needs IEEE802_11_RADIO, PRISM_HEADER or IEEE802_11_RADIO_AVS captures");
        out.value = at(Base{});
        out.guards = std::move(index->guards);
        return out;
    }
    const auto network = [&](ir::Pred is) {
        out.guards = std::move(index->guards);
        out.guards.insert(out.guards.begin(), std::move(is));
        out.value = at(layout.network());
        return out;
    };
    if (p == "ip") return network(layout.ip());
    if (p == "ip6") return network(layout.ip6());
    if (p == "arp") return network(layout.ethertype(kEtherArp));
    if (p == "rarp") return network(layout.ethertype(kEtherRarp));
    // The LAN protocols libpcap's gen_load indexes from the network header, after the same test
    // as the keyword alone (`atalk` also over SNAP, on 802.3 frames).
    using W = ast::Keyword::Which;
    static const std::pair<std::string_view, W> lan[] = {{"atalk", W::Atalk}, {"decnet", W::Decnet}, {"lat", W::Lat},
                                                         {"sca", W::Sca},     {"moprc", W::Moprc},   {"mopdl", W::Mopdl}};
    for (auto [name, which] : lan) {
        if (p != name) continue;
        auto is = lowering::keyword(c, ast::Keyword{which, std::nullopt, std::nullopt, a.proto_span});
        if (!is) return std::unexpected(is.error());
        return network(std::move(*is));
    }
    if (p == "icmp6") {
        out.guards = {layout.ip6(), ir::eq(layout.nl(6, 1), kProtoIcmp6)};
        out.guards.insert(out.guards.end(), index->guards.begin(), index->guards.end());
        out.value = at(layout.network().plus(40));
        return out;
    }
    static const std::pair<std::string_view, Proto> transports[] = {
        {"tcp", Proto::Tcp}, {"udp", Proto::Udp}, {"sctp", Proto::Sctp}, {"icmp", Proto::Icmp}, {"igmp", Proto::Igmp},
        {"igrp", Proto::Igrp}, {"pim", Proto::Pim}, {"vrrp", Proto::Vrrp}, {"carp", Proto::Carp}};
    for (auto [name, proto] : transports) {
        if (p != name) continue;
        // ip, then the index's own guards, then the protocol, then "first fragment" (gen_load's order).
        out.guards = {layout.ip()};
        out.guards.insert(out.guards.end(), index->guards.begin(), index->guards.end());
        out.guards.push_back(layout.proto_abbrev(proto));
        out.guards.push_back(layout.ipv4_first_fragment());
        if (k) out.value = layout.transport(k->value, static_cast<std::uint8_t>(a.size));
        else out.value = layout.transport_at(index->value, 0, static_cast<std::uint8_t>(a.size));
        return out;
    }
    // The other protocol names libpcap's grammar takes before '[' (ah, esp, aarp, iso, stp, the
    // IS-IS PDU types…): gen_load has no index operation for them, and refuses them.
    return error(a.proto_span, fmt::format("'{}[...]' is not supported: there is no index operation for '{}'", p, p),
                 "index the link layer (link[...]) or, where the protocol has one, the network header (ip[...], atalk[...])");
}

}  // namespace

std::optional<std::uint32_t> named_constant(std::string_view name) {
    for (auto [n, v] : kNamedConstants)
        if (n == name) return v;
    return std::nullopt;
}

std::optional<std::string> nearest_named_constant(std::string_view name) {
    std::vector<std::string_view> names;
    for (auto [n, v] : kNamedConstants) names.push_back(n);
    return nearest(name, names);
}

std::expected<GuardedValue, Diagnostic> lower_arith(const ast::Arith& a, const lowering::Context& c) {
    if (const auto* n = std::get_if<ast::Number>(&a)) {
        auto v = names::parse_number(n->text);
        if (!v.value) return error(n->span, v.error);
        return GuardedValue{ir::Const{*v.value}, {}};
    }
    if (const auto* c = std::get_if<ast::NamedConstant>(&a)) {
        if (auto v = named_constant(c->name)) return GuardedValue{ir::Const{*v}, {}};
        auto guess = nearest_named_constant(c->name);
        return error(c->span, fmt::format("unknown name '{}' in an arithmetic expression", c->name),
                     guess ? fmt::format("did you mean '{}'?", *guess)
                           : std::string("names are tcpflags, tcp-syn…, icmptype, icmp-echo…, icmp6type, icmp6-echo…"));
    }
    if (std::holds_alternative<ast::WireLength>(a)) return GuardedValue{ir::WireLength{}, {}};
    if (const auto* acc = std::get_if<std::shared_ptr<ast::Access>>(&a)) return access(**acc, c);
    const ast::ArithNode& node = *std::get<std::shared_ptr<ast::ArithNode>>(a);
    auto lhs = lower_arith(node.lhs, c);
    if (!lhs) return lhs;
    if (node.op == ast::ArithOp::Neg) {
        // 0 - x: the same 32-bit wrap as the NEG instruction.
        if (auto* k = std::get_if<ir::Const>(&lhs->value)) return GuardedValue{ir::Const{0u - k->value}, lhs->guards};
        return GuardedValue{ir::arith(ir::ArithOp::Sub, ir::Const{0}, lhs->value), lhs->guards};
    }
    auto rhs = lower_arith(node.rhs, c);
    if (!rhs) return rhs;
    const auto* rk = std::get_if<ir::Const>(&rhs->value);
    if (rk && rk->value == 0 && (node.op == ast::ArithOp::Div || node.op == ast::ArithOp::Mod))
        return error(ast::span_of(node.rhs), node.op == ast::ArithOp::Div ? "division by zero" : "modulus by zero");
    if (rk && rk->value > 31 && (node.op == ast::ArithOp::Lsh || node.op == ast::ArithOp::Rsh))
        return error(ast::span_of(node.rhs), fmt::format("shift by {} bits; the most is 31", rk->value));
    GuardedValue out{ir::arith(ir_op(node.op), lhs->value, rhs->value), lhs->guards};
    out.guards.insert(out.guards.end(), rhs->guards.begin(), rhs->guards.end());
    return out;
}

std::expected<ir::Pred, Diagnostic> lower_relation(const ast::Relation& r, const lowering::Context& c) {
    auto lhs = lower_arith(r.lhs, c);
    if (!lhs) return std::unexpected(lhs.error());
    auto rhs = lower_arith(r.rhs, c);
    if (!rhs) return std::unexpected(rhs.error());
    ir::Pred test = false;
    switch (r.op) {
        case ast::RelOp::Eq: test = ir::cmp(ir::CmpOp::Eq, lhs->value, rhs->value); break;
        case ast::RelOp::Ne: test = ir::negate(ir::cmp(ir::CmpOp::Eq, lhs->value, rhs->value)); break;
        case ast::RelOp::Gt: test = ir::cmp(ir::CmpOp::Gt, lhs->value, rhs->value); break;
        case ast::RelOp::Ge: test = ir::cmp(ir::CmpOp::Ge, lhs->value, rhs->value); break;
        case ast::RelOp::Lt: test = ir::negate(ir::cmp(ir::CmpOp::Ge, lhs->value, rhs->value)); break;
        case ast::RelOp::Le: test = ir::negate(ir::cmp(ir::CmpOp::Gt, lhs->value, rhs->value)); break;
    }
    std::vector<ir::Pred> terms = std::move(lhs->guards);
    terms.insert(terms.end(), rhs->guards.begin(), rhs->guards.end());
    terms.push_back(std::move(test));
    return ir::all(std::move(terms));
}

}  // namespace sniff
