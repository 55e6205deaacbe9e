// Hosts and networks: IPv4 (IP, ARP, RARP) and IPv6 addresses, prefixes, masks and names,
// with libpcap's order of tests.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

ir::Pred masked_word_eq(ir::Value word, std::uint32_t value, std::uint32_t mask) {
    // A /0 prefix compares nothing, but the address is still loaded, and so its length checked:
    // libpcap's -O program keeps the load (its optimizer drops it in some filters and not in
    // others, `net 0/0` against `src or dst net 0/0 or geneve`).
    if (mask == 0xffffffffu) return ir::eq(std::move(word), value);
    return ir::eq(ir::arith(ir::ArithOp::And, std::move(word), ir::constant(mask)), value & mask);
}

std::string format_ipv4(std::uint32_t a) {
    return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

// Defined below, in the order a reader meets them.
Result ipv4_or_error(const Context& c, const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, const ast::Value&,
                     std::uint32_t addr, std::uint32_t mask, Kind kind);
ir::Pred host_v4(const Context& c, std::optional<Proto> proto, Dir dir, std::uint32_t addr, std::uint32_t mask);
ir::Pred host_v6(const Context& c, Dir dir, const std::array<std::uint8_t, 16>& a, unsigned len);

Result ipv4_value(const Context& c, const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
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
        // A mask of two or three parts is promoted like a short network: `mask 255.255` is
        // 255.255.0.0 (libpcap's gen_mcode). One part is a number there, and a syntax error.
        auto m = names::parse_ipv4(v.mask->value);
        if (!m.error.empty() || m.bits < 16)
            return error(v.mask->span, fmt::format("'{}' is not a dotted IPv4 netmask", v.mask->value),
                         "write the mask with two to four parts: 255.255, 255.255.255 or 255.255.255.0");
        mask = m.bits == 32 ? m.value : m.value << (32 - m.bits);
    }
    if (v.prefix || v.mask) {
        if (addr & ~mask) {
            Span whole{v.span.begin, (v.prefix ? v.prefix->span : v.mask->span).end};
            return error(whole, fmt::format("non-network bits set in '{}'", c.text_of(whole)),
                         fmt::format("the network is {}", format_ipv4(addr & mask)));
        }
    }
    return ipv4_or_error(c, q, proto, dir, v, addr, mask, kind);
}

Result ipv4_or_error(const Context& c, const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, const ast::Value&,
                     std::uint32_t addr, std::uint32_t mask, Kind kind) {
    if (proto == Proto::Ip6)
        return error(q.proto->span, fmt::format("'ip6' cannot qualify the IPv4 {}", ast::name_of(kind)));
    return host_v4(c, proto, dir, addr, mask);
}

ir::Pred host_v4(const Context& c, std::optional<Proto> proto, Dir dir, std::uint32_t addr, std::uint32_t mask) {
    // IPv4 addresses at 12/16 in the IP header; ARP/RARP sender/target protocol address at 14/24.
    auto on = [&](ir::Pred is_proto, std::uint32_t src_off, std::uint32_t dst_off) {
        return ir::all({std::move(is_proto), by_direction(dir, [&](bool src) {
                            return masked_word_eq(c.layout.nl(src ? src_off : dst_off, 4), addr, mask);
                        })});
    };
    ir::Pred ip = on(c.layout.ip(), 12, 16);
    ir::Pred arp = on(c.layout.ethertype(kEtherArp), 14, 24);
    ir::Pred rarp = on(c.layout.ethertype(kEtherRarp), 14, 24);
    if (!proto) return ir::any({ip, arp, rarp});
    if (*proto == Proto::Ip) return ip;
    if (*proto == Proto::Arp) return arp;
    return rarp;
}

Result ipv6_value(const Context& c, const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
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
                return error(whole, fmt::format("non-network bits set in '{}'", c.text_of(whole)));
            }
        if (kind == Kind::Host && len != 128)
            return error(v.prefix->span, q.kind ? "a network mask is only allowed with 'net', not 'host'" : "a network mask needs 'net'",
                         fmt::format("an IPv6 host takes only /128; write 'net {}/{}'", v.text, len));
    }
    if (proto && *proto != Proto::Ip6)
        return error(q.proto->span, fmt::format("'{}' cannot qualify the IPv6 {}", ast::name_of(*proto), ast::name_of(kind)),
                     "write 'ip6' or no protocol");
    return host_v6(c, dir, *a, len);
}

ir::Pred host_v6(const Context& c, Dir dir, const std::array<std::uint8_t, 16>& a, unsigned len) {
    auto side = [&](bool src) {
        std::vector<ir::Pred> words;
        for (unsigned w = 0; w < 4; ++w) {
            unsigned bits = len > w * 32 ? std::min(32u, len - w * 32) : 0;
            std::uint32_t mask = bits == 32 ? 0xffffffffu : bits == 0 ? 0 : ~0u << (32 - bits);
            std::uint32_t value = (std::uint32_t{a[w * 4]} << 24) | (a[w * 4 + 1] << 16) | (a[w * 4 + 2] << 8) | a[w * 4 + 3];
            // Words past the prefix compare nothing; libpcap -O loads each, but only the last
            // load's length check can decide (the ones before it are shorter): keep that one.
            if (mask == 0 && w < 3) continue;
            words.push_back(masked_word_eq(c.layout.nl((src ? 8 : 24) + 4 * w, 4), value, mask));
        }
        return ir::all(std::move(words));
    };
    return ir::all({c.layout.ip6(), by_direction(dir, side)});
}

Result named(const Context& c, const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
    if (kind == Kind::Net) {
        auto n = names::resolve_network(v.text);
        if (!n) return error(v.span, fmt::format("unknown network '{}'", v.text), "names come from /etc/networks");
        std::uint32_t addr = *n, mask = 0xffffffffu;
        while (addr && (addr & 0xff000000u) == 0) { addr <<= 8; mask <<= 8; }
        return ipv4_or_error(c, q, proto, dir, v, addr, mask, kind);
    }
    auto hosts = names::resolve_host(v.text);
    std::vector<ir::Pred> alternatives;
    if (proto != Proto::Ip6)
        for (std::uint32_t a : hosts.v4) alternatives.push_back(host_v4(c, proto, dir, a, 0xffffffffu));
    if (!proto || proto == Proto::Ip6)
        for (const auto& a : hosts.v6) alternatives.push_back(host_v6(c, dir, a, 128));
    if (alternatives.empty())
        return error(v.span, fmt::format("unknown host '{}'", v.text), "names come from /etc/hosts and DNS");
    return ir::any(std::move(alternatives));
}

}  // namespace

ir::Pred ipv4_host(const Context& c, std::optional<Proto> proto, Dir dir, std::uint32_t addr) {
    return host_v4(c, proto, dir, addr, 0xffffffffu);
}

Result address(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
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
            return ipv4_or_error(c, q, proto, dir, v, addr, mask, kind);
        }
        case ast::Value::Shape::Ipv4: return ipv4_value(c, q, proto, dir, kind, v);
        case ast::Value::Shape::Ipv6: return ipv6_value(c, q, proto, dir, kind, v);
        case ast::Value::Shape::Name: return named(c, q, proto, dir, kind, v);
    }
    return false;
}

}  // namespace sniff::lowering
