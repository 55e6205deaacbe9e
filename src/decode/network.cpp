// Network layers: ARP/RARP (RFC 826, RFC 903), IPv4 with options and fragments (RFC 791) and
// IPv6 with its extension headers (RFC 8200), then the dispatch on the IP protocol number.
#include <fmt/format.h>

#include "decode/dissect.hpp"
#include "decode/registry.hpp"

namespace decode::detail {
namespace {

// Names of the IPv4 options tcpdump -v lists (IANA "IP Option Numbers").
std::string ipv4_options(const ByteReader& r, std::size_t at, std::size_t end) {
    std::string out;
    auto append = [&out](std::string_view s) {
        if (!out.empty()) out += ',';
        out += s;
    };
    while (at < end && r.has(at, 1)) {
        std::uint8_t type = r.u8(at);
        if (type == 0) { append("EOL"); break; }
        if (type == 1) { append("NOP"); ++at; continue; }
        if (!r.has(at + 1, 1)) { append("[|options]"); break; }
        std::size_t len = r.u8(at + 1);
        if (len < 2 || at + len > end) { append(fmt::format("[bad length {}]", len)); break; }
        switch (type) {
            case 7: append("RR"); break;
            case 68: append("TS"); break;
            case 131: append("LSRR"); break;
            case 137: append("SSRR"); break;
            case 148: append("RA"); break;
            case 130: append("security"); break;
            default: append(fmt::format("unknown {}", type)); break;
        }
        at += len;
    }
    return out;
}

}  // namespace

void dissect_ipv4(Context& c, std::size_t o) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ipv4", o);
    if (!r.has(o, 20)) return c.truncated("ip");
    std::size_t ihl = (r.u8(o) & 0xfu) * 4u, total = r.u16(o + 2);
    std::uint16_t frag = r.u16(o + 6);
    std::uint8_t proto = r.u8(o + 9);
    if ((r.u8(o) >> 4) != 4) { l.set("bad_version", r.u8(o) >> 4); return; }
    if (ihl < 20) { l.set("bad_header_length", ihl); return; }
    l.set("src", ipv4_text(r, o + 12)).set("dst", ipv4_text(r, o + 16)).set("header_length", ihl)
        .set("tos", r.u8(o + 1)).set("length", total).set("id", r.u16(o + 4))
        .set_flag("df", frag & 0x4000).set_flag("mf", frag & 0x2000).set("frag_offset", (frag & 0x1fffu) * 8u)
        .set("ttl", r.u8(o + 8)).set("protocol", proto).set("checksum", r.u16(o + 10));
    if (!r.has(o, ihl)) return c.truncated("ip");
    l.set_flag("checksum_ok", fold_checksum(ones_sum(r, o, ihl)) == 0);
    if (ihl > 20) l.set("options", ipv4_options(r, o + 20, o + ihl));
    if (total < ihl) { l.set("bad_total_length", total); return; }
    // Later fragments carry no transport header: only the protocol number is known.
    if ((frag & 0x1fff) != 0) return;
    dissect_ip_payload(c, o + ihl, o + total, proto);
}

void dissect_ipv6(Context& c, std::size_t o) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ipv6", o);
    if (!r.has(o, 40)) return c.truncated("ip6");
    std::uint32_t first = r.u32(o);
    std::size_t payload = r.u16(o + 4);
    std::uint8_t next = r.u8(o + 6);
    l.set("src", ipv6_text(r, o + 8)).set("dst", ipv6_text(r, o + 24)).set("traffic_class", (first >> 20) & 0xff)
        .set("flow", first & 0xfffff).set("payload_length", payload).set("next_header", next).set("hop_limit", r.u8(o + 7));
    // A zero payload length means a jumbogram (RFC 2675): the captured bytes bound it instead.
    std::size_t end = payload == 0 ? r.size() : o + 40 + payload;
    std::size_t at = o + 40;
    // RFC 8200 4.1: extension headers chain through their first byte.
    for (int guard = 0; guard < 16 && c.can_nest(); ++guard) {
        switch (next) {
            case 0:     // hop-by-hop options
            case 60:    // destination options
            case 135: { // mobility
                if (!r.has(at, 2)) return c.truncated("ip6");
                std::size_t len = (r.u8(at + 1) + 1u) * 8u;
                c.add(next == 0 ? "ipv6_hbh" : next == 60 ? "ipv6_dstopt" : "ipv6_mobility", at).set("length", len);
                next = r.u8(at);
                at += len;
                continue;
            }
            case 43: {  // routing
                if (!r.has(at, 4)) return c.truncated("ip6");
                std::size_t len = (r.u8(at + 1) + 1u) * 8u;
                Layer& rt = c.add("ipv6_routing", at);
                rt.set("length", r.u8(at + 1)).set("type", r.u8(at + 2)).set("segments_left", r.u8(at + 3));
                if (r.u8(at + 2) == 0) {  // type 0 (deprecated by RFC 5095): a list of addresses
                    std::string addrs;
                    for (std::size_t i = 0; at + 8 + 16 * i + 16 <= at + len; ++i) {
                        if (!r.has(at + 8 + 16 * i, 16)) return c.truncated("ip6");
                        if (!addrs.empty()) addrs += ' ';
                        addrs += ipv6_text(r, at + 8 + 16 * i);
                    }
                    rt.set("addresses", std::move(addrs));
                }
                next = r.u8(at);
                at += len;
                continue;
            }
            case 44: {  // fragment
                if (!r.has(at, 8)) return c.truncated("frag6");
                std::uint16_t off = r.u16(at + 2);
                std::size_t offset_bytes = (off & 0xfff8u);
                c.add("ipv6_fragment", at).set("fragment_offset", offset_bytes).set_flag("more", off & 1).set("id", r.u32(at + 4))
                    .set("length", end > at + 8 ? end - at - 8 : 0);
                next = r.u8(at);
                at += 8;
                if (offset_bytes != 0) return;  // no upper-layer header in later fragments
                continue;
            }
            case 59: c.add("ipv6_none", at); return;  // no next header
            default: return dissect_ip_payload(c, at, end, next);
        }
    }
}

void dissect_ip_payload(Context& c, std::size_t o, std::size_t end, std::uint8_t protocol) {
    if (!c.can_nest()) return;
    switch (protocol) {
        case 6: return dissect_tcp(c, o, end);
        case 17: return dissect_udp(c, o, end);
        case 132: return dissect_sctp(c, o, end);
        case 1: return dissect_icmp(c, o, end);
        case 58: return dissect_icmp6(c, o, end);
        case 2: return dissect_igmp(c, o, end);
        case 47: return dissect_gre(c, o, end);
        case 4: return dissect_ipv4(c, o);  // IP in IP (RFC 2003)
        case 41: return dissect_ipv6(c, o);  // IPv6 in IP (RFC 4213)
        default:
            if (PayloadDissector next = ip_protocol_dissector(protocol)) return next(c, o, end);
            c.add("ip_unknown", o).set("protocol", protocol).set("length", end > o ? end - o : 0); return;
    }
}

}  // namespace decode::detail
