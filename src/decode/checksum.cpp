// Upper-layer checksums over the IP pseudo header (RFC 768, RFC 9293 3.1, RFC 4443 2.3 and
// RFC 8200 8.1), with the value a bad checksum should have held, as tcpdump's "-> 0x…" shows it.
#include "decode/dissect.hpp"

namespace decode::detail {
namespace {

// Where the pseudo header's destination address is for the IPv6 header at `ip` (RFC 8200 8.1:
// the final destination): behind a Routing header of type 0 or 2 (RFC 6275 6.4) the last address
// it lists, behind a segment routing header (RFC 8754 2) the first entry of its segment list,
// which is the last segment; otherwise the IPv6 destination (other types do not say where they end).
std::size_t ipv6_final_destination(const Context& c, const Layer& ip, std::size_t ip_index) {
    std::size_t dst = ip.offset + 24;
    for (std::size_t i = ip_index + 1; i < c.out.layers.size(); ++i) {
        const Layer& l = c.out.layers[i];
        if (l.protocol != "ipv6_routing") continue;
        const ByteReader& r = c.r;
        std::uint8_t type = r.u8(l.offset + 2), words = r.u8(l.offset + 1);
        if (!r.has(l.offset, 4) || words < 2) continue;
        if (type == 4) dst = l.offset + 8;
        else if ((type == 0 || type == 2) && words % 2 == 0) dst = l.offset + 8 + 16 * (words / 2u - 1);
    }
    return dst;
}

}  // namespace

// Whether the innermost IP datagram is the first fragment of several (IPv4 MF, or an IPv6
// Fragment header with M set): its transport header counts bytes that are not in it.
bool first_fragment(const Context& c) {
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it) {
        if (it->protocol == "ipv6_fragment") return it->flag("more");
        if (it->protocol == "ipv4") return it->flag("mf");
        if (it->protocol == "ipv6") return false;
    }
    return false;
}

std::optional<std::uint32_t> pseudo_header_sum(const Context& c, std::size_t length, std::uint8_t protocol) {
    const auto& layers = c.out.layers;
    for (std::size_t i = layers.size(); i-- > 0;) {
        const Layer& ip = layers[i];
        if (ip.protocol != "ipv4" && ip.protocol != "ipv6") continue;
        std::uint32_t sum = protocol + static_cast<std::uint32_t>(length & 0xffff) + static_cast<std::uint32_t>(length >> 16);
        if (ip.protocol == "ipv4") {
            if (!c.r.has(ip.offset + 12, 8)) return std::nullopt;
            return ones_sum(c.r, ip.offset + 12, 8, sum);
        }
        std::size_t dst = ipv6_final_destination(c, ip, i);
        if (!c.r.has(ip.offset + 8, 16) || !c.r.has(dst, 16)) return std::nullopt;
        return ones_sum(c.r, dst, 16, ones_sum(c.r, ip.offset + 8, 16, sum));
    }
    return std::nullopt;
}

std::uint16_t checksum_should_be(std::uint16_t field, std::uint16_t computed) {
    std::uint32_t v = std::uint32_t{field} + computed;
    v = (v & 0xffff) + (v >> 16);
    v = (v & 0xffff) + (v >> 16);
    return static_cast<std::uint16_t>(v);
}

std::optional<ChecksumVerdict> upper_layer_checksum(const Context& c, std::size_t o, std::size_t length,
                                                    std::uint8_t protocol, std::size_t checksum_at) {
    if (!c.r.has(o, length)) return std::nullopt;
    auto pseudo = pseudo_header_sum(c, length, protocol);
    if (!pseudo) return std::nullopt;
    std::uint16_t computed = fold_checksum(ones_sum(c.r, o, length, *pseudo));
    return ChecksumVerdict{computed == 0, checksum_should_be(c.r.u16(checksum_at), computed)};
}

}  // namespace decode::detail
