// Ports and port ranges over TCP, UDP and SCTP, on IPv4 (first fragments) and IPv6.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

ir::Pred transport_ports(const Context& c, std::optional<Proto> proto, Dir dir, const std::function<ir::Pred(ir::Value)>& test);

ir::Pred port_pred(const Context& c, std::optional<Proto> proto, Dir dir, std::uint16_t port) {
    return transport_ports(c, proto, dir, [&](ir::Value v) { return ir::eq(v, port); });
}

// TCP/UDP/SCTP over IPv4 (first fragments only) and IPv6, with `test` applied to the source
// and/or destination port as the direction says.
ir::Pred transport_ports(const Context& c, std::optional<Proto> proto, Dir dir, const std::function<ir::Pred(ir::Value)>& test) {
    auto proto_test = [&](std::uint32_t field) {
        auto is = [&](std::uint8_t p) { return ir::eq(c.layout.nl(field, 1), p); };
        if (proto == Proto::Tcp) return is(kProtoTcp);
        if (proto == Proto::Udp) return is(kProtoUdp);
        if (proto == Proto::Sctp) return is(kProtoSctp);
        return ir::any({is(kProtoSctp), is(kProtoTcp), is(kProtoUdp)});
    };
    ir::Pred v4 = ir::all({c.layout.ip(), proto_test(9), c.layout.ipv4_first_fragment(), by_direction(dir, [&](bool src) {
                               return test(c.layout.transport(src ? 0 : 2, 2));
                           })});
    ir::Pred v6 = ir::all({c.layout.ip6(), proto_test(6), by_direction(dir, [&](bool src) {
                               return test(c.layout.nl(src ? 40 : 42, 2));
                           })});
    return ir::any({v4, v6});
}

}  // namespace

Result port(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
    std::optional<Proto> proto;
    if (q.proto) {
        Proto p = q.proto->value;
        if (p != Proto::Tcp && p != Proto::Udp && p != Proto::Sctp)
            return error(q.proto->span, fmt::format("'{}' cannot qualify 'port'", ast::name_of(p)),
                         "ports belong to tcp, udp or sctp: write e.g. 'tcp port 80', or 'port 80' for all three");
        proto = p;
    }
    if (v.shape == ast::Value::Shape::Number) {
        auto n = names::parse_number(v.text);
        if (!n.value) return error(v.span, n.error);
        if (*n.value > 65535)
            return error(v.span, fmt::format("port number {} is out of range", *n.value), "ports are 0..65535");
        return port_pred(c, proto, dir, static_cast<std::uint16_t>(*n.value));
    }
    if (v.shape != ast::Value::Shape::Name)
        return error(v.span, fmt::format("'{}' is not a port number or name", v.text));
    // A service name may differ between transports; match each with its own number.
    std::vector<ir::Pred> alternatives;
    const std::pair<Proto, const char*> transports[] = {{Proto::Tcp, "tcp"}, {Proto::Udp, "udp"}, {Proto::Sctp, "sctp"}};
    auto tcp = names::resolve_service(v.text, "tcp");
    auto udp = names::resolve_service(v.text, "udp");
    if (!proto && tcp && udp && *tcp == *udp) return port_pred(c, std::nullopt, dir, *tcp);
    for (auto [p, name] : transports) {
        if (proto && *proto != p) continue;
        auto num = names::resolve_service(v.text, name);
        // libpcap resolves sctp ports through tcp's entries when sctp has none.
        if (!num && p == Proto::Sctp) num = tcp;
        if (num) alternatives.push_back(port_pred(c, p, dir, *num));
    }
    if (alternatives.empty())
        return error(v.span, fmt::format("unknown port name '{}'", v.text), "names come from /etc/services");
    return ir::any(std::move(alternatives));
}

Result port_range(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
    std::optional<Proto> proto;
    if (q.proto) {
        Proto p = q.proto->value;
        if (p != Proto::Tcp && p != Proto::Udp && p != Proto::Sctp)
            return error(q.proto->span, fmt::format("'{}' cannot qualify 'portrange'", ast::name_of(p)),
                         "port ranges belong to tcp, udp or sctp");
        proto = p;
    }
    // Names may hold dashes themselves (ftp-data-http): take the first split where both ends resolve.
    auto port_number = [](const std::string& t) -> std::optional<std::uint32_t> {
        if (auto n = names::parse_number(t); n.value) return n.value;
        if (auto p = names::resolve_service(t, "tcp")) return *p;
        if (auto p = names::resolve_service(t, "udp")) return *p;
        return std::nullopt;
    };
    std::optional<std::uint32_t> ends[2];
    for (std::size_t dash = v.text.find('-', 1); dash != std::string::npos; dash = v.text.find('-', dash + 1)) {
        ends[0] = port_number(v.text.substr(0, dash));
        ends[1] = port_number(v.text.substr(dash + 1));
        if (ends[0] && ends[1]) break;
    }
    if (!ends[0] || !ends[1])
        return error(v.span, fmt::format("'{}' is not a port range", v.text), "write it as low-high, e.g. 6000-6010 or ftp-data-http");
    for (auto e : ends)
        if (*e > 65535) return error(v.span, fmt::format("port number {} is out of range", *e), "ports are 0..65535");
    auto lo = static_cast<std::uint16_t>(std::min(*ends[0], *ends[1])), hi = static_cast<std::uint16_t>(std::max(*ends[0], *ends[1]));
    return transport_ports(c, proto, dir, [&](ir::Value port) {
        if (lo == hi) return ir::eq(port, lo);
        return ir::all({ir::cmp(ir::CmpOp::Ge, port, ir::constant(lo)), ir::negate(ir::cmp(ir::CmpOp::Gt, port, ir::constant(hi)))});
    });
}

}  // namespace sniff::lowering
