// Lowering of primitives to IR predicates. Each builder mirrors what libpcap's gencode emits,
// including the order of tests (a load past the captured bytes rejects, so order is meaning).
#include "compiler/lower.hpp"

#include <fmt/format.h>

#include <functional>
#include <optional>

#include "compiler/names.hpp"

namespace sniff {
namespace {

using ast::Dir;
using ast::Kind;
using ast::Proto;
using Result = std::expected<ir::Pred, Diagnostic>;

constexpr std::uint16_t kEtherIp = 0x0800, kEtherIp6 = 0x86dd, kEtherArp = 0x0806, kEtherRarp = 0x8035;
constexpr std::uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmp6 = 58, kProtoSctp = 132,
                       kProtoFragment = 44;

std::unexpected<Diagnostic> error(Span span, std::string message, std::string hint = {}) {
    return std::unexpected(Diagnostic{span, std::move(message), std::move(hint)});
}

// Packet layout of one link type: the protocol tests every primitive builds on.
class Layout {
public:
    explicit Layout(const LinkType& lt) : lt_(lt) {}

    std::uint32_t nl(std::uint32_t off) const { return lt_.network_offset + off; }

    ir::Pred ethertype(std::uint16_t type) const { return ir::eq(ir::load(lt_.ethertype_offset, 2), type); }
    ir::Pred ip() const { return ethertype(kEtherIp); }
    ir::Pred ip6() const { return ethertype(kEtherIp6); }

    ir::Pred ip_proto(std::uint8_t p) const { return ir::all({ip(), ir::eq(ir::load(nl(9), 1), p)}); }
    // libpcap also accepts the protocol behind one IPv6 fragment header.
    ir::Pred ip6_proto(std::uint8_t p) const {
        return ir::all({ip6(), ir::any({ir::eq(ir::load(nl(6), 1), p),
                                        ir::all({ir::eq(ir::load(nl(6), 1), kProtoFragment),
                                                 ir::eq(ir::load(nl(40), 1), p)})})});
    }

    ir::Pred proto_abbrev(Proto p) const {
        switch (p) {
            case Proto::Ip: return ip();
            case Proto::Ip6: return ip6();
            case Proto::Arp: return ethertype(kEtherArp);
            case Proto::Rarp: return ethertype(kEtherRarp);
            case Proto::Tcp: return ir::any({ip_proto(kProtoTcp), ip6_proto(kProtoTcp)});
            case Proto::Udp: return ir::any({ip_proto(kProtoUdp), ip6_proto(kProtoUdp)});
            case Proto::Sctp: return ir::any({ip_proto(kProtoSctp), ip6_proto(kProtoSctp)});
            case Proto::Icmp: return ip_proto(kProtoIcmp);
            case Proto::Icmp6: return ip6_proto(kProtoIcmp6);
            case Proto::Ether: break;
        }
        return false;
    }

private:
    const LinkType& lt_;
};

ir::Pred by_direction(Dir dir, const std::function<ir::Pred(bool src)>& side) {
    switch (dir) {
        case Dir::Src: return side(true);
        case Dir::Dst: return side(false);
        case Dir::SrcOrDst: return ir::any({side(true), side(false)});
        case Dir::SrcAndDst: return ir::all({side(true), side(false)});
    }
    return false;
}

ir::Pred masked_word_eq(std::uint32_t offset, std::uint32_t value, std::uint32_t mask) {
    // Nothing to compare (a /0 prefix): no load, as libpcap's optimiser leaves it.
    if (mask == 0) return true;
    if (mask == 0xffffffffu) return ir::eq(ir::load(offset, 4), value);
    return ir::eq(ir::arith(ir::ArithOp::And, ir::load(offset, 4), ir::constant(mask)), value & mask);
}

class Lowering {
public:
    explicit Lowering(const LinkType& lt) : layout_(lt) {}

    // `carry`: the qualifiers a bare value after and/or/not takes (libpcap's $<blk>0.q);
    // empty after a protocol keyword alone, where a bare value is a syntax error.
    Result expr(const ast::Expr& e, std::optional<ast::Qualifiers>& carry) {
        if (auto* p = std::get_if<ast::Primitive>(&e)) {
            if (!p->q.empty()) carry = p->q;
            if (!carry)
                return error(p->value.span, fmt::format("'{}' needs a qualifier", p->value.text),
                             fmt::format("write 'host {0}', 'net {0}' or 'port {0}'", p->value.text));
            return primitive(*carry, p->value);
        }
        if (auto* a = std::get_if<ast::ProtoAbbrev>(&e)) {
            carry.reset();
            if (a->proto == Proto::Ether)
                return error(a->span, "'ether' needs what follows it: 'ether host', 'ether src', 'ether proto'...");
            return layout_.proto_abbrev(a->proto);
        }
        if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(&e)) {
            auto r = expr((*n)->operand, carry);
            if (!r) return r;
            return ir::negate(std::move(*r));
        }
        const auto& b = *std::get<std::shared_ptr<ast::Binary>>(e);
        auto l = expr(b.lhs, carry);
        if (!l) return l;
        auto r = expr(b.rhs, carry);
        if (!r) return r;
        return b.op == ast::Binary::Op::And ? ir::all({std::move(*l), std::move(*r)})
                                            : ir::any({std::move(*l), std::move(*r)});
    }

private:
    Result primitive(const ast::Qualifiers& q, const ast::Value& v) {
        Dir dir = q.dir ? q.dir->value : Dir::SrcOrDst;
        Kind kind = q.kind ? q.kind->value : (v.prefix || v.mask ? Kind::Net : Kind::Host);
        if ((v.prefix || v.mask) && kind != Kind::Net)
            return error(v.prefix ? v.prefix->span : v.mask->span,
                         fmt::format("a network mask is only allowed with 'net', not '{}'", ast::name_of(kind)),
                         fmt::format("write 'net {}'", v.text));
        if (q.proto && q.proto->value == Proto::Ether)
            return error(q.proto->span, "'ether' qualifiers (MAC addresses) are not supported by this build yet");
        switch (kind) {
            case Kind::Port: return port(q, dir, v);
            case Kind::Host:
            case Kind::Net: return address(q, dir, kind, v);
        }
        return false;
    }

    // ---- ports ----

    Result port(const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
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
            return port_pred(proto, dir, static_cast<std::uint16_t>(*n.value));
        }
        if (v.shape != ast::Value::Shape::Name)
            return error(v.span, fmt::format("'{}' is not a port number or name", v.text));
        // A service name may differ between transports; match each with its own number.
        std::vector<ir::Pred> alternatives;
        const std::pair<Proto, const char*> transports[] = {{Proto::Tcp, "tcp"}, {Proto::Udp, "udp"}, {Proto::Sctp, "sctp"}};
        auto tcp = names::resolve_service(v.text, "tcp");
        auto udp = names::resolve_service(v.text, "udp");
        if (!proto && tcp && udp && *tcp == *udp) return port_pred(std::nullopt, dir, *tcp);
        for (auto [p, name] : transports) {
            if (proto && *proto != p) continue;
            auto num = names::resolve_service(v.text, name);
            // libpcap resolves sctp ports through tcp's entries when sctp has none.
            if (!num && p == Proto::Sctp) num = tcp;
            if (num) alternatives.push_back(port_pred(p, dir, *num));
        }
        if (alternatives.empty())
            return error(v.span, fmt::format("unknown port name '{}'", v.text), "names come from /etc/services");
        return ir::any(std::move(alternatives));
    }

    ir::Pred port_pred(std::optional<Proto> proto, Dir dir, std::uint16_t port) const {
        auto proto_test = [&](std::uint32_t field) {
            auto is = [&](std::uint8_t p) { return ir::eq(ir::load(field, 1), p); };
            if (proto == Proto::Tcp) return is(kProtoTcp);
            if (proto == Proto::Udp) return is(kProtoUdp);
            if (proto == Proto::Sctp) return is(kProtoSctp);
            return ir::any({is(kProtoSctp), is(kProtoTcp), is(kProtoUdp)});
        };
        const ir::Value header_len = ir::IpHeaderLength{layout_.nl(0)};
        ir::Pred not_fragment = ir::negate(ir::cmp(ir::CmpOp::AnySet, ir::load(layout_.nl(6), 2), ir::constant(0x1fff)));
        ir::Pred v4 = ir::all({layout_.ip(), proto_test(layout_.nl(9)), not_fragment, by_direction(dir, [&](bool src) {
                                   return ir::eq(ir::load_indexed(header_len, layout_.nl(src ? 0 : 2), 2), port);
                               })});
        ir::Pred v6 = ir::all({layout_.ip6(), proto_test(layout_.nl(6)), by_direction(dir, [&](bool src) {
                                   return ir::eq(ir::load(layout_.nl(src ? 40 : 42), 2), port);
                               })});
        return ir::any({v4, v6});
    }

    // ---- hosts and networks ----

    Result address(const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
        std::optional<Proto> proto = q.proto ? std::optional(q.proto->value) : std::nullopt;
        if (proto && *proto != Proto::Ip && *proto != Proto::Ip6 && *proto != Proto::Arp && *proto != Proto::Rarp)
            return error(q.proto->span, fmt::format("'{}' cannot qualify '{}'", ast::name_of(*proto), ast::name_of(kind)),
                         fmt::format("{} applies to ip, ip6, arp or rarp", ast::name_of(kind)));
        switch (v.shape) {
            case ast::Value::Shape::Number: {
                auto n = names::parse_number(v.text);
                if (!n.value) return error(v.span, n.error);
                std::uint32_t addr = *n.value, mask = 0xffffffffu;
                // libpcap promotes a short network number: `net 10` is 10.0.0.0/8.
                if (kind == Kind::Net)
                    while (addr && (addr & 0xff000000u) == 0) { addr <<= 8; mask <<= 8; }
                return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
            }
            case ast::Value::Shape::Ipv4: return ipv4_value(q, proto, dir, kind, v);
            case ast::Value::Shape::Ipv6: return ipv6_value(q, proto, dir, kind, v);
            case ast::Value::Shape::Name: return named(q, proto, dir, kind, v);
        }
        return false;
    }

    Result ipv4_value(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        auto a = names::parse_ipv4(v.text);
        if (!a.error.empty()) return error(v.span, a.error);
        std::uint32_t addr = a.bits == 32 ? a.value : a.value << (32 - a.bits);
        std::uint32_t mask = a.bits == 32 ? 0xffffffffu : ~0u << (32 - a.bits);
        if (v.prefix) {
            auto len = names::parse_number(v.prefix->value);
            if (!len.value || *len.value > 32)
                return error(v.prefix->span, "mask length must be <= 32", "an IPv4 prefix is /0 to /32");
            mask = *len.value == 0 ? 0 : ~0u << (32 - *len.value);
        } else if (v.mask) {
            auto m = names::parse_ipv4(v.mask->value);
            if (!m.error.empty() || m.bits != 32)
                return error(v.mask->span, fmt::format("'{}' is not a dotted IPv4 netmask", v.mask->value));
            mask = m.value;
        }
        if (v.prefix || v.mask) {
            if (addr & ~mask) {
                Span whole{v.span.begin, (v.prefix ? v.prefix->span : v.mask->span).end};
                return error(whole, fmt::format("non-network bits set in '{}'", text_of(whole)),
                             fmt::format("the network is {}", format_ipv4(addr & mask)));
            }
        }
        return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
    }

    Result ipv4_or_error(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, const ast::Value&,
                         std::uint32_t addr, std::uint32_t mask, Kind kind) {
        if (proto == Proto::Ip6)
            return error(q.proto->span, fmt::format("'ip6' cannot qualify the IPv4 {}", ast::name_of(kind)));
        return host_v4(proto, dir, addr, mask);
    }

    ir::Pred host_v4(std::optional<Proto> proto, Dir dir, std::uint32_t addr, std::uint32_t mask) const {
        // IPv4 addresses at 12/16 in the IP header; ARP/RARP sender/target protocol address at 14/24.
        auto on = [&](ir::Pred is_proto, std::uint32_t src_off, std::uint32_t dst_off) {
            return ir::all({std::move(is_proto), by_direction(dir, [&](bool src) {
                                return masked_word_eq(layout_.nl(src ? src_off : dst_off), addr, mask);
                            })});
        };
        ir::Pred ip = on(layout_.ip(), 12, 16);
        ir::Pred arp = on(layout_.ethertype(kEtherArp), 14, 24);
        ir::Pred rarp = on(layout_.ethertype(kEtherRarp), 14, 24);
        if (!proto) return ir::any({ip, arp, rarp});
        if (*proto == Proto::Ip) return ip;
        if (*proto == Proto::Arp) return arp;
        return rarp;
    }

    Result ipv6_value(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        auto a = names::parse_ipv6(v.text);
        if (!a) return error(v.span, fmt::format("'{}' is not an IPv6 address", v.text));
        unsigned len = 128;
        if (v.mask) return error(v.mask->span, "'mask' takes an IPv4 netmask; write an IPv6 prefix as addr/len");
        if (v.prefix) {
            auto n = names::parse_number(v.prefix->value);
            if (!n.value || *n.value > 128)
                return error(v.prefix->span, "mask length must be <= 128", "an IPv6 prefix is /0 to /128");
            len = *n.value;
            for (unsigned bit = len; bit < 128; ++bit)
                if ((*a)[bit / 8] & (0x80 >> (bit % 8))) {
                    Span whole{v.span.begin, v.prefix->span.end};
                    return error(whole, fmt::format("non-network bits set in '{}'", text_of(whole)));
                }
        }
        if (proto && *proto != Proto::Ip6)
            return error(q.proto->span, fmt::format("'{}' cannot qualify the IPv6 {}", ast::name_of(*proto), ast::name_of(kind)),
                         "write 'ip6' or no protocol");
        return host_v6(dir, *a, len);
    }

    ir::Pred host_v6(Dir dir, const std::array<std::uint8_t, 16>& a, unsigned len) const {
        auto side = [&](bool src) {
            std::vector<ir::Pred> words;
            for (unsigned w = 0; w < 4; ++w) {
                unsigned bits = len > w * 32 ? std::min(32u, len - w * 32) : 0;
                if (bits == 0) continue;
                std::uint32_t mask = bits == 32 ? 0xffffffffu : ~0u << (32 - bits);
                std::uint32_t value = (std::uint32_t{a[w * 4]} << 24) | (a[w * 4 + 1] << 16) | (a[w * 4 + 2] << 8) | a[w * 4 + 3];
                words.push_back(masked_word_eq(layout_.nl((src ? 8 : 24) + 4 * w), value, mask));
            }
            return ir::all(std::move(words));
        };
        return ir::all({layout_.ip6(), by_direction(dir, side)});
    }

    Result named(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        if (kind == Kind::Net) {
            auto n = names::resolve_network(v.text);
            if (!n) return error(v.span, fmt::format("unknown network '{}'", v.text), "names come from /etc/networks");
            std::uint32_t addr = *n, mask = 0xffffffffu;
            while (addr && (addr & 0xff000000u) == 0) { addr <<= 8; mask <<= 8; }
            return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
        }
        auto hosts = names::resolve_host(v.text);
        std::vector<ir::Pred> alternatives;
        if (proto != Proto::Ip6)
            for (std::uint32_t a : hosts.v4) alternatives.push_back(host_v4(proto, dir, a, 0xffffffffu));
        if (!proto || proto == Proto::Ip6)
            for (const auto& a : hosts.v6) alternatives.push_back(host_v6(dir, a, 128));
        if (alternatives.empty())
            return error(v.span, fmt::format("unknown host '{}'", v.text), "names come from /etc/hosts and DNS");
        return ir::any(std::move(alternatives));
    }

    std::string text_of(Span s) const { return text_ ? std::string(text_->substr(s.begin, s.end - s.begin)) : std::string{}; }
    static std::string format_ipv4(std::uint32_t a) {
        return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    }

public:
    const std::string_view* text_ = nullptr;

private:
    Layout layout_;
};

}  // namespace

std::expected<ir::Pred, Diagnostic> lower(const ast::Expr& expr, const LinkType& link, std::string_view text) {
    Lowering l(link);
    l.text_ = &text;
    std::optional<ast::Qualifiers> carry;
    return l.expr(expr, carry);
}

}  // namespace sniff
