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
    const std::uint16_t computed = fold_checksum(ones_sum(r, o, ihl));
    l.set_flag("checksum_ok", computed == 0);
    if (computed != 0) l.set("checksum_should_be", checksum_should_be(r.u16(o + 10), computed));
    if (ihl > 20) l.set("options", ipv4_options(r, o + 20, o + ihl));
    if (total < ihl) { l.set("bad_total_length", total); return; }
    // Later fragments carry no transport header: only the protocol number is known.
    if ((frag & 0x1fff) != 0) return;
    dissect_ip_payload(c, o + ihl, o + total, proto);
}

namespace {

// The options of a Hop-by-Hop or Destination Options header (RFC 8200 4.2) as tcpdump -v lists
// them: "(pad1)", "(padn)", "(rtalert: 0x0000) " (RFC 2711), jumbo payload (RFC 2675), and
// "(opt_type 0x3e: len=2)" for the rest. `hbh` and `payload_length` decide the jumbo wording.
// An option that overruns the header or has a wrong length ends the list: `error` then holds what
// tcpdump prints about it at any verbosity (possibly nothing), and the header counts as cut.
struct OptionList {
    std::string text, error;
    bool bad = false;
};
OptionList ipv6_options(const ByteReader& r, std::size_t at, std::size_t end, bool hbh, std::size_t payload_length) {
    OptionList out;
    auto fail = [&out](std::string why) {
        out.text += why;
        out.error = std::move(why);
        out.bad = true;
        return out;
    };
    while (at < end) {
        if (!r.has(at, 1)) return fail("");
        const std::uint8_t type = r.u8(at);
        if (type == 0) {
            out.text += "(pad1)";
            ++at;
            continue;
        }
        if (!r.has(at + 1, 1) || at + 2 > end) return fail("");
        const std::size_t len = r.u8(at + 1);
        if (at + 2 + len > end || !r.has(at + 2, len)) return fail("");
        switch (type) {
            case 1: out.text += "(padn)"; break;
            case 5:
                if (len != 2) return fail(fmt::format("(rtalert: invalid len {})", len));
                out.text += fmt::format("(rtalert: 0x{:04x}) ", r.u16(at + 2));
                break;
            case 0xc2: {
                if (len != 4) return fail(fmt::format("(jumbo: invalid len {})", len));
                {
                    const std::uint32_t jumbo = r.u32(at + 2);
                    if (!hbh) out.text += fmt::format("(jumbo: {} - not a hop-by-hop option) ", jumbo);
                    else if (payload_length != 0) out.text += fmt::format("(jumbo: {} - payload len != 0) ", jumbo);
                    else if (jumbo < 65536) out.text += fmt::format("(jumbo: {} - < 65536) ", jumbo);
                    else out.text += fmt::format("(jumbo: {}) ", jumbo);
                }
                break;
            }
            default: out.text += fmt::format("(opt_type 0x{:02x}: len={})", type, len); break;
        }
        at += 2 + len;
    }
    return out;
}

}  // namespace

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
    for (;;) {
        if (!c.can_nest()) return c.truncated("ip6");
        switch (next) {
            case 0:     // hop-by-hop options
            case 60:    // destination options
            case 135: { // mobility
                if (!r.has(at, 2)) return c.truncated("ip6");
                std::size_t len = (r.u8(at + 1) + 1u) * 8u;
                Layer& ext = c.add(next == 0 ? "ipv6_hbh" : next == 60 ? "ipv6_dstopt" : "ipv6_mobility", at);
                ext.set("length", len);
                if (next != 135) {
                    OptionList options = ipv6_options(r, at + 2, at + len, next == 0, payload);
                    ext.set("options", std::move(options.text));
                    // tcpdump checks Hop-by-Hop options at any verbosity, but reads Destination
                    // Options only to print them at -v (the printer stops there then).
                    if (options.bad) {
                        ext.set("options_error", std::move(options.error));
                        if (next == 0) return c.truncated("hbhopt");
                    }
                }
                next = r.u8(at);
                at += len;
                continue;
            }
            case 43: {  // routing
                if (!r.has(at, 1)) return c.truncated("ip6");
                std::size_t len = (r.u8(at + 1) + 1u) * 8u;
                Layer& rt = c.add("ipv6_routing", at);
                // Each field only when captured; the printer stops with "[|rt6]" at the first missing.
                if (r.has(at + 1, 1)) rt.set("length", r.u8(at + 1));
                if (r.has(at + 2, 1)) rt.set("type", r.u8(at + 2));
                if (r.has(at + 3, 1)) rt.set("segments_left", r.u8(at + 3));
                const std::uint8_t type = r.u8(at + 2);
                if ((type == 0 || type == 2) && r.has(at + 4, 4)) rt.set("reserved", r.u32(at + 4));
                if (type == 4) {  // RFC 8754 2: the segment routing header
                    if (r.has(at + 4, 1)) rt.set("last_entry", r.u8(at + 4));
                    if (r.has(at + 5, 1)) rt.set("srh_flags", r.u8(at + 5));
                    if (r.has(at + 6, 2)) rt.set("tag", r.u16(at + 6));
                }
                // Type 0 (deprecated by RFC 5095) lists addresses, type 2 (RFC 6275 6.4) holds one,
                // the SRH its segment list: as many as its length holds.
                if (type == 0 || type == 2 || type == 4) {
                    std::string addrs;
                    std::size_t i = 0, count = r.u8(at + 1) / 2u;
                    for (; i < count && r.has(at + 8 + 16 * i, 16); ++i) {
                        if (!addrs.empty()) addrs += ' ';
                        addrs += ipv6_text(r, at + 8 + 16 * i);
                    }
                    rt.set("addresses", std::move(addrs));
                    if (i == count) rt.set_flag("addresses_complete", true);
                }
                if (r.has(at + 3, 1) && type != 0 && type != 2 && type != 4) return;  // tcpdump stops at an unknown type
                if (!r.has(at, len)) return c.truncated("rt6");
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
