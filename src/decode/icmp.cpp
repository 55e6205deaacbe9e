// ICMP (RFC 792), ICMPv6 with neighbour discovery and MLD (RFC 4443, RFC 4861, RFC 3810) and
// IGMP v1–v3 (RFC 1112, RFC 2236, RFC 3376).
#include "decode/dissect.hpp"

namespace decode::detail {
namespace {

// ICMP errors quote the offending IP header and the first 8 bytes after it: enough for the
// destination, protocol and ports, which is what tcpdump prints ("10.0.0.1 udp port 53").
void quoted_packet(Context& c, Layer& l, std::size_t at, bool v6) {
    const ByteReader& r = c.r;
    if (!v6) {
        if (!r.has(at, 20)) return;
        std::size_t ihl = (r.u8(at) & 0xfu) * 4u;
        l.set("quoted_src", ipv4_text(r, at + 12)).set("quoted_dst", ipv4_text(r, at + 16)).set("quoted_protocol", r.u8(at + 9));
        if (ihl >= 20 && r.has(at + ihl, 4)) l.set("quoted_sport", r.u16(at + ihl)).set("quoted_dport", r.u16(at + ihl + 2));
        return;
    }
    if (!r.has(at, 40)) return;
    l.set("quoted_src", ipv6_text(r, at + 8)).set("quoted_dst", ipv6_text(r, at + 24)).set("quoted_protocol", r.u8(at + 6));
    if (r.has(at + 40, 4)) l.set("quoted_sport", r.u16(at + 40)).set("quoted_dport", r.u16(at + 42));
}

}  // namespace

void dissect_icmp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("icmp", o);
    std::size_t len = end > o ? end - o : 0;
    l.set("length", len);
    if (!r.has(o, 4)) return c.truncated("icmp");
    std::uint8_t type = r.u8(o), code = r.u8(o + 1);
    l.set("type", type).set("code", code).set("checksum", r.u16(o + 2));
    if (r.has(o, len)) l.set_flag("checksum_ok", fold_checksum(ones_sum(r, o, len)) == 0);
    switch (type) {
        case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18:
            if (!r.has(o, 8)) return c.truncated("icmp");
            l.set("id", r.u16(o + 4)).set("seq", r.u16(o + 6));
            return;
        case 3: case 4: case 5: case 11: case 12:
            if (!r.has(o, 8)) return c.truncated("icmp");
            if (type == 3 && code == 4) l.set("mtu", r.u16(o + 6));
            if (type == 5) l.set("gateway", ipv4_text(r, o + 4));
            if (type == 12) l.set("pointer", r.u8(o + 4));
            quoted_packet(c, l, o + 8, false);
            return;
        default: return;
    }
}

void dissect_icmp6(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("icmp6", o);
    std::size_t len = end > o ? end - o : 0;
    l.set("length", len);
    if (!r.has(o, 4)) return c.truncated("icmp6");
    std::uint8_t type = r.u8(o), code = r.u8(o + 1);
    l.set("type", type).set("code", code).set("checksum", r.u16(o + 2));
    switch (type) {
        case 128: case 129:
            if (!r.has(o, 8)) return c.truncated("icmp6");
            l.set("id", r.u16(o + 4)).set("seq", r.u16(o + 6));
            return;
        case 1: case 3: case 4:
            if (!r.has(o, 8)) return c.truncated("icmp6");
            if (type == 4) l.set("pointer", r.u32(o + 4));
            quoted_packet(c, l, o + 8, true);
            return;
        case 2:
            if (!r.has(o, 8)) return c.truncated("icmp6");
            l.set("mtu", r.u32(o + 4));
            quoted_packet(c, l, o + 8, true);
            return;
        case 135: case 136: case 137:  // neighbour solicitation/advertisement, redirect: a target address
            if (!r.has(o, 24)) return c.truncated("icmp6");
            l.set("target", ipv6_text(r, o + 8));
            if (type == 136) l.set_flag("router", r.u8(o + 4) & 0x80).set_flag("solicited", r.u8(o + 4) & 0x40).set_flag("override", r.u8(o + 4) & 0x20);
            return;
        case 134:  // router advertisement
            if (!r.has(o, 16)) return c.truncated("icmp6");
            l.set("hop_limit", r.u8(o + 4)).set("router_lifetime", r.u16(o + 6));
            return;
        case 130: case 131: case 132:  // MLDv1 query, report, done: a multicast address
            if (!r.has(o, 24)) return c.truncated("icmp6");
            l.set("group", ipv6_text(r, o + 8));
            return;
        case 143:  // MLDv2 report
            if (!r.has(o, 8)) return c.truncated("icmp6");
            l.set("records", r.u16(o + 6));
            return;
        default: return;
    }
}

void dissect_igmp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("igmp", o);
    std::size_t len = end > o ? end - o : 0;
    l.set("length", len);
    if (!r.has(o, 8)) return c.truncated("igmp");
    std::uint8_t type = r.u8(o);
    l.set("type", type).set("max_response", r.u8(o + 1)).set("checksum", r.u16(o + 2));
    if (type == 0x22) {  // v3 report: the record count instead of a group
        l.set("records", r.u16(o + 6));
        return;
    }
    l.set("group", ipv4_text(r, o + 4));
    // RFC 3376 7.1: the query version follows from its length and Max Resp Code.
    if (type == 0x11) l.set("version", len >= 12 ? 3 : r.u8(o + 1) == 0 ? 1 : 2);
}

}  // namespace decode::detail
