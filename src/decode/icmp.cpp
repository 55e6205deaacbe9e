// ICMP (RFC 792), ICMPv6 with neighbour discovery and MLD (RFC 4443, RFC 4861, RFC 3810) and
// IGMP v1–v3 (RFC 1112, RFC 2236, RFC 3376).
#include "decode/dissect.hpp"

namespace decode::detail {
namespace {

// ICMP errors quote the offending IP header and the first 8 bytes after it (RFC 792; RFC 1812
// 4.3.2.3 allows more). The fields the one-line summary names (destination, protocol, ports) are
// set each only when its bytes were captured; then the quoted datagram is decoded as layers of
// its own behind a "quoted" layer, which tcpdump prints at -v.
void quoted_packet(Context& c, Layer& l, std::size_t at, std::size_t end, bool v6) {
    const ByteReader& r = c.r;
    if (!v6) {
        std::size_t ihl = r.has(at, 1) ? (r.u8(at) & 0xfu) * 4u : 0;
        if (r.has(at + 12, 4)) l.set("quoted_src", ipv4_text(r, at + 12));
        if (r.has(at + 16, 4)) l.set("quoted_dst", ipv4_text(r, at + 16));
        if (r.has(at + 9, 1)) l.set("quoted_protocol", r.u8(at + 9));
        if (ihl && r.has(at + ihl, 2)) l.set("quoted_sport", r.u16(at + ihl));
        if (ihl && r.has(at + ihl + 2, 2)) l.set("quoted_dport", r.u16(at + ihl + 2));
    } else {
        if (r.has(at + 8, 16)) l.set("quoted_src", ipv6_text(r, at + 8));
        if (r.has(at + 24, 16)) l.set("quoted_dst", ipv6_text(r, at + 24));
        if (r.has(at + 6, 1)) l.set("quoted_protocol", r.u8(at + 6));
        if (r.has(at + 40, 2)) l.set("quoted_sport", r.u16(at + 40));
        if (r.has(at + 42, 2)) l.set("quoted_dport", r.u16(at + 42));
    }
    if (!c.can_nest()) return;
    Layer& q = c.add("quoted", at);
    q.set("by", v6 ? "icmp6" : "icmp");
    if (!v6 && r.has(at, 4)) q.set("ip_length", r.u16(at + 2));  // what tcpdump reads first
    if (v6 && r.has(at, 8)) q.set("ip_length", r.u16(at + 4));
    if (!r.has(at, 1)) return;
    if (v6) dissect_ipv6(c, at);
    else dissect_ipv4(c, at);
}

}  // namespace

void dissect_icmp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("icmp", o);
    std::size_t len = end > o ? end - o : 0;
    l.set("length", len);
    // Each field is set only when captured: tcpdump names some messages from 2 bytes alone.
    if (!r.has(o, 2)) {
        if (r.has(o, 1)) l.set("type", r.u8(o));
        return;
    }
    std::uint8_t type = r.u8(o), code = r.u8(o + 1);
    l.set("type", type).set("code", code);
    if (r.has(o + 2, 2)) l.set("checksum", r.u16(o + 2));
    if (r.has(o, len)) {
        std::uint16_t sum = fold_checksum(ones_sum(r, o, len));
        l.set_flag("checksum_ok", sum == 0);
        // The value that would have made the sum come out right, as tcpdump's "(->0x…)" shows it.
        if (sum != 0) l.set("checksum_expected", fold_checksum(ones_sum(r, o, len) + 0xffffu - r.u16(o + 2)));
    }
    switch (type) {
        case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18:
            if (r.has(o + 4, 2)) l.set("id", r.u16(o + 4));
            if (r.has(o + 6, 2)) l.set("seq", r.u16(o + 6));
            if ((type == 13 || type == 14) && r.has(o + 8, 12))  // RFC 792: ms since midnight UT
                l.set("originate", r.u32(o + 8)).set("receive", r.u32(o + 12)).set("transmit", r.u32(o + 16));
            if ((type == 17 || type == 18) && r.has(o + 8, 4)) l.set("mask", r.u32(o + 8));  // RFC 950
            break;
        case 3: case 4: case 5: case 11: case 12:
            if (type == 3 && code == 4 && r.has(o + 6, 2)) l.set("mtu", r.u16(o + 6));  // RFC 1191
            if (type == 5 && r.has(o + 4, 4)) l.set("gateway", ipv4_text(r, o + 4));
            if (type == 12 && r.has(o + 4, 1)) l.set("pointer", r.u8(o + 4));
            quoted_packet(c, l, o + 8, end, false);
            break;
        case 9:  // RFC 1256 router advertisement: count, entry size (words), lifetime, then entries
            if (!r.has(o, 8)) break;
            l.set("addresses", r.u8(o + 4)).set("entry_size", r.u8(o + 5)).set("lifetime", r.u16(o + 6));
            break;
        default: break;
    }
}

void dissect_icmp6(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("icmp6", o);
    std::size_t len = end > o ? end - o : 0;
    l.set("length", len);
    // Each field is set only when captured: the printer prints up to the first one missing.
    if (!r.has(o, 1)) return;
    std::uint8_t type = r.u8(o);
    l.set("type", type);
    if (r.has(o + 1, 1)) l.set("code", r.u8(o + 1));
    if (r.has(o + 2, 2)) l.set("checksum", r.u16(o + 2));
    // RFC 4443 2.3: the checksum covers the IPv6 pseudo header; not checked in a fragment.
    if (len > 0 && !first_fragment(c))
        if (auto v = upper_layer_checksum(c, o, len, 58, o + 2)) {
            l.set_flag("checksum_ok", v->ok);
            if (!v->ok) l.set("checksum_should_be", v->should_be);
        }
    auto address = [&](std::string_view key, std::size_t at) {
        if (r.has(at, 16)) l.set(key, ipv6_text(r, at));
    };
    auto u32_at = [&](std::string_view key, std::size_t at) {
        if (r.has(at, 4)) l.set(key, r.u32(at));
    };
    switch (type) {
        case 1: case 3: case 4:  // destination unreachable, time exceeded, parameter problem
            if (type == 4) u32_at("pointer", o + 4);
            quoted_packet(c, l, o + 8, end, true);
            break;
        case 2:  // packet too big (RFC 8201)
            u32_at("mtu", o + 4);
            quoted_packet(c, l, o + 8, end, true);
            break;
        case 128: case 129:  // echo
            if (r.has(o + 4, 2)) l.set("id", r.u16(o + 4));
            if (r.has(o + 6, 2)) l.set("seq", r.u16(o + 6));
            break;
        case 130: case 131: case 132:  // MLDv1 (RFC 2710 3): maximum response delay, multicast address
            if (r.has(o + 4, 2)) l.set("max_response_delay", r.u16(o + 4));
            address("group", o + 8);
            break;
        case 144: case 146:  // RFC 6275 6.5, 6.7: home agent discovery, mobile prefix solicitation
            if (r.has(o + 4, 2)) l.set("id", r.u16(o + 4));
            break;
        case 143:  // MLDv2 report (RFC 3810 5.2): the number of records
            if (r.has(o + 6, 2)) l.set("records", r.u16(o + 6));
            break;
        case 134:  // router advertisement (RFC 4861 4.2)
            if (r.has(o + 4, 1)) l.set("hop_limit", r.u8(o + 4));
            if (r.has(o + 5, 1)) l.set("ra_flags", r.u8(o + 5));
            if (r.has(o + 6, 2)) l.set("router_lifetime", r.u16(o + 6));
            u32_at("reachable_time", o + 8);
            u32_at("retransmit_timer", o + 12);
            break;
        case 135: case 136:  // neighbor solicitation and advertisement (RFC 4861 4.3, 4.4)
            if (type == 136) u32_at("na_flags", o + 4);
            address("target", o + 8);
            break;
        case 137:  // redirect (RFC 4861 4.5): target, then destination
            address("target", o + 8);
            address("destination", o + 24);
            break;
        default: break;
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
