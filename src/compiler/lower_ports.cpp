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


// A port as written, and the transport its name restricts it to (libpcap's pcap_nametoport): a
// name only TCP has is a TCP port, one only UDP has a UDP port; a name with the same number for
// both, and any number, is a port of every transport. A name whose numbers differ is TCP's.
struct PortValue {
    std::uint32_t port;
    std::optional<Proto> transport;
};

std::optional<PortValue> port_value(const std::string& text) {
    if (auto n = names::parse_number(text); n.value) return PortValue{*n.value, std::nullopt};
    auto tcp = names::resolve_service(text, "tcp");
    auto udp = names::resolve_service(text, "udp");
    if (tcp) return PortValue{*tcp, udp && *udp == *tcp ? std::nullopt : std::optional(Proto::Tcp)};
    if (udp) return PortValue{*udp, Proto::Udp};
    return std::nullopt;
}

// The qualifier's transport, or the name's; a name of another transport than the qualifier's is
// an error, as in libpcap ("port 'ftp' is tcp").
std::expected<std::optional<Proto>, Diagnostic> transport_of(const Context& c, const ast::Qualifiers& q, std::optional<Proto> named,
                                                             const ast::Value& v, const char* what) {
    if (!q.proto) return named;
    Proto p = q.proto->value;
    if (p != Proto::Tcp && p != Proto::Udp && p != Proto::Sctp)
        return error(q.proto->span, fmt::format("'{}' cannot qualify '{}'", c.text_of(q.proto->span), what),
                     fmt::format("{}s belong to tcp, udp or sctp: write e.g. 'tcp {} 80', or '{} 80' for all three", what, what, what));
    if (named && *named != p)
        return error(v.span, fmt::format("{} '{}' is {}, not {}", what, v.text, ast::name_of(*named), ast::name_of(p)),
                     fmt::format("/etc/services names it for {} only", ast::name_of(*named)));
    return p;
}

}  // namespace

Result port(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
    if (v.shape != ast::Value::Shape::Number && v.shape != ast::Value::Shape::Name)
        return error(v.span, fmt::format("'{}' is not a port number or name", v.text));
    if (v.shape == ast::Value::Shape::Number)
        if (auto n = names::parse_number(v.text); !n.value) return error(v.span, n.error);
    auto value = port_value(v.text);
    if (!value) return error(v.span, fmt::format("unknown port name '{}'", v.text), "names come from /etc/services");
    if (value->port > 65535) return error(v.span, fmt::format("port number {} is out of range", value->port), "ports are 0..65535");
    auto transport = transport_of(c, q, value->transport, v, "port");
    if (!transport) return std::unexpected(transport.error());
    return port_pred(c, *transport, dir, static_cast<std::uint16_t>(value->port));
}

Result port_range(const Context& c, const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
    // One number is a range of one port, as libpcap takes it (`portrange 25`).
    struct End {
        PortValue value;
        std::string text;
        std::size_t at;  // where it starts in v.text
    };
    std::optional<End> ends[2];
    if (v.shape == ast::Value::Shape::Number) {
        auto n = names::parse_number(v.text);
        if (!n.value) return error(v.span, n.error);
        ends[0] = ends[1] = End{{*n.value, std::nullopt}, v.text, 0};
    }
    // Names may hold dashes themselves (ftp-data-http): take the first split where both ends resolve.
    for (std::size_t dash = v.text.find('-', 1); !ends[0] && dash != std::string::npos; dash = v.text.find('-', dash + 1)) {
        auto low = port_value(v.text.substr(0, dash)), high = port_value(v.text.substr(dash + 1));
        if (low && high) {
            ends[0] = End{*low, v.text.substr(0, dash), 0};
            ends[1] = End{*high, v.text.substr(dash + 1), dash + 1};
        }
    }
    if (!ends[0])
        return error(v.span, fmt::format("'{}' is not a port range", v.text), "write it as low-high, e.g. 6000-6010 or ftp-data-http");
    for (const auto& e : ends)
        if (e->value.port > 65535) return error(v.span, fmt::format("port number {} is out of range", e->value.port), "ports are 0..65535");
    // A transport qualifier must fit every named end (libpcap after its issue 1440; 1.10 checked
    // only ranges whose two ends are both names). Unqualified, ends named for one transport
    // restrict the range to it; otherwise it is every transport's.
    std::optional<Proto> named = ends[0]->value.transport == ends[1]->value.transport ? ends[0]->value.transport : std::nullopt;
    auto transport = transport_of(c, q, named, v, "portrange");
    if (!transport) return std::unexpected(transport.error());
    for (const auto& e : ends) {
        if (!q.proto || !e->value.transport) continue;
        const ast::Value end_value{v.shape, e->text, {v.span.begin + e->at, v.span.begin + e->at + e->text.size()}, {}, {}};
        if (auto t = transport_of(c, q, e->value.transport, end_value, "port"); !t) return std::unexpected(t.error());
    }
    auto lo = static_cast<std::uint16_t>(std::min(ends[0]->value.port, ends[1]->value.port));
    auto hi = static_cast<std::uint16_t>(std::max(ends[0]->value.port, ends[1]->value.port));
    return transport_ports(c, *transport, dir, [&](ir::Value port) {
        if (lo == hi) return ir::eq(port, lo);
        return ir::all({ir::cmp(ir::CmpOp::Ge, port, ir::constant(lo)), ir::negate(ir::cmp(ir::CmpOp::Gt, port, ir::constant(hi)))});
    });
}

}  // namespace sniff::lowering
