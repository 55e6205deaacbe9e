// DECnet Phase IV addresses: `decnet host 50.764`, `decnet src 1.1`, `decnet dst not 63.1023`,
// tested in the routing header's source or destination field as libpcap's gen_dnhostop does.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <cctype>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

// A DECnet address is 16 bits: the area (6 bits) above the node (10 bits), `area.node` in
// decimal. libpcap reads two decimal numbers and keeps whatever of `(area << 10) | node` fits in
// 16 bits (`64.1` is 1, `63.1024` is 63.0); anything after the node is ignored (`1.2.3` is 1.2).
std::optional<std::uint16_t> parse_area_node(std::string_view text) {
    std::size_t at = 0;
    auto decimal = [&](std::uint32_t& out) {
        const std::size_t start = at;
        out = 0;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) out = (out * 10 + (text[at++] - '0')) & 0xffff;
        return at > start;
    };
    std::uint32_t area = 0, node = 0;
    if (!decimal(area) || at >= text.size() || text[at] != '.') return std::nullopt;
    ++at;
    if (!decimal(node)) return std::nullopt;
    return static_cast<std::uint16_t>((area << 10) | node);
}

// The routing header, after its 2-byte length: a flags byte whose low 3 bits say the format
// (2: short data packet, 6: long), optionally after one pad byte 0x81 (pad flag, pad length 1).
// The destination is 1 byte on in a short header and 7 in a long one, the source 3 and 15. The
// address is stored little-endian, so a big-endian 16-bit load sees it byte-swapped.
ir::Pred routed_address(const Context& c, bool src, std::uint16_t address) {
    const std::uint32_t short_at = src ? 3 : 1, long_at = src ? 15 : 7;
    const std::uint32_t swapped = static_cast<std::uint32_t>((address >> 8) | ((address & 0xff) << 8));
    auto flags_are = [&](std::uint32_t kind) { return ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(2, 1), ir::constant(7)), kind); };
    auto padded_flags_are = [&](std::uint32_t kind) {
        return ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(2, 2), ir::constant(0xff07)), 0x8100 | kind);
    };
    auto address_at = [&](std::uint32_t off) { return ir::eq(c.layout.nl(off, 2), swapped); };
    return ir::any({ir::all({flags_are(2), address_at(2 + short_at)}), ir::all({padded_flags_are(2), address_at(3 + short_at)}),
                    ir::all({flags_are(6), address_at(2 + long_at)}), ir::all({padded_flags_are(6), address_at(3 + long_at)})});
}

}  // namespace

Result decnet_address(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
    const Span qualifier = q.kind ? q.kind->span : q.proto->span;
    switch (kind) {
        case Kind::Host:
        case Kind::Net: break;
        case Kind::Broadcast: return error(qualifier, "only link-layer and IP broadcast filters are supported", "write 'ether broadcast'");
        case Kind::Multicast: return error(qualifier, "'decnet multicast' is not supported", "write 'ether multicast'");
        case Kind::Protocol: return error(q.proto->span, "DECnet has no protocol field to test with 'proto'");
        case Kind::Protochain: return error(q.kind->span, "'protochain' applies to IP and IPv6, not DECnet");
        default:
            return error(qualifier, fmt::format("'decnet' cannot qualify '{}': DECnet addresses are hosts", ast::name_of(kind)),
                         "write 'decnet host 1.1' or 'decnet src 1.1'");
    }
    if (ast::is_wlan_dir(dir)) return error(q.dir->span, fmt::format("'{}' qualifies 802.11 addresses only", c.text_of(q.dir->span)));
    std::uint16_t address = 0;
    if (v.prefix || v.mask) {
        // libpcap reads a network with a prefix or mask as IPv4 and tests its low 16 bits.
        auto a = names::parse_ipv4(v.text);
        if (!a.error.empty() || v.shape == ast::Value::Shape::Ipv6) return error(v.span, fmt::format("'{}' is not a DECnet network", v.text));
        const std::uint32_t net = a.bits == 32 ? a.value : a.value << (32 - a.bits);
        std::uint32_t mask = 0;
        if (v.prefix) {
            auto len = names::parse_number(v.prefix->value);
            if (!len.value || *len.value > 32) return error(v.prefix->span, "mask length must be <= 32");
            mask = *len.value == 0 ? 0 : ~0u << (32 - *len.value);
        } else {
            auto m = names::parse_ipv4(v.mask->value);
            if (!m.error.empty()) return error(v.mask->span, fmt::format("'{}' is not a dotted netmask", v.mask->value));
            mask = m.bits == 32 ? m.value : m.value << (32 - m.bits);
        }
        const Span whole{v.span.begin, (v.prefix ? v.prefix->span : v.mask->span).end};
        if (net & ~mask) return error(whole, fmt::format("non-network bits set in '{}'", c.text_of(whole)));
        address = static_cast<std::uint16_t>(net & 0xffff);
    } else if (v.shape == ast::Value::Shape::Number) {
        auto n = names::parse_number(v.text);
        if (!n.value) return error(v.span, n.error);
        address = static_cast<std::uint16_t>(*n.value & 0xffff);
    } else if (auto a = parse_area_node(v.text)) {
        address = *a;
    } else if (!v.text.empty() && std::isdigit(static_cast<unsigned char>(v.text[0]))) {
        return error(v.span, fmt::format("'{}' is not a DECnet address", v.text), "write area.node in decimal, e.g. 'decnet host 1.1'");
    } else {
        return error(v.span, fmt::format("'{}' is not a DECnet address: DECnet names are not looked up", v.text),
                     "write area.node in decimal, e.g. 'decnet host 1.1'");
    }
    auto is_decnet = keyword(c, ast::Keyword{ast::Keyword::Which::Decnet, std::nullopt, std::nullopt, q.proto->span});
    if (!is_decnet) return is_decnet;
    return ir::all({std::move(*is_decnet), by_direction(dir, [&](bool src) { return routed_address(c, src, address); })});
}

}  // namespace sniff::lowering
