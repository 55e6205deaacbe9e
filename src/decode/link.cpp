// Link layers: where each pcap LINKTYPE puts its header and how it names the payload, plus the
// EtherType-named encapsulations (802.1Q/QinQ, MPLS, PPPoE) that sit between link and network.
#include <algorithm>

#include <fmt/format.h>

#include "decode/dissect.hpp"
#include "decode/protocols.hpp"
#include "decode/registry.hpp"

namespace decode::detail {
namespace {

// PPP protocol numbers that carry what an EtherType would name (RFC 1332, RFC 5072).
void dissect_ppp_protocol(Context& c, std::size_t offset, std::uint16_t protocol) {
    switch (protocol) {
        case 0x0021: dissect_ipv4(c, offset); break;
        case 0x0057: dissect_ipv6(c, offset); break;
        case 0x0281: dissect_ethertype(c, offset, 0x8847); break;
        default: c.add("ppp", offset).set("protocol", protocol); break;
    }
}

// RFC 1042 / 802.2 LLC: SNAP (AA AA 03, OUI, EtherType) carries an EtherType; anything else is
// named by its SAPs only.
void dissect_llc(Context& c, std::size_t offset, std::size_t end) {
    // A length field may claim more than the frame holds; the frame's end bounds it.
    end = std::min(end, std::max<std::size_t>(c.r.size(), c.out.wire_length));
    if (!c.r.has(offset, 3)) return c.truncated("llc");
    std::uint8_t dsap = c.r.u8(offset), ssap = c.r.u8(offset + 1);
    if (dsap == 0xaa && ssap == 0xaa && c.r.u8(offset + 2) == 0x03) {
        if (!c.r.has(offset, 8)) return c.truncated("snap");
        const std::uint32_t oui = c.r.u32(offset + 2) & 0xffffffu;
        const std::uint16_t pid = c.r.u16(offset + 6);
        // RFC 1042 (OUI 0) and 802.1H bridge tunnelling (00-00-f8) name an EtherType.
        if (oui == 0 || oui == 0xf8) return dissect_ethertype(c, offset + 8, pid);
        // Cisco's OUI 00-00-0c names its own protocols.
        if (oui == 0x00000c) switch (pid) {
            case 0x010b: return dissect_stp(c, offset + 8, end);  // PVST+ BPDUs
            case 0x0111: return dissect_udld(c, offset + 8, end);
            case 0x2000: return dissect_cdp(c, offset + 8, end);
            case 0x2003: return dissect_vtp(c, offset + 8, end);
            case 0x2004: return dissect_dtp(c, offset + 8, end);
            default: break;
        }
    }
    // Novell's "raw" 802.3: no LLC header, the IPX checksum ffff is where DSAP and SSAP would be.
    if (dsap == 0xff && ssap == 0xff) return dissect_ipx(c, offset, end);
    if (dsap == 0x42 && ssap == 0x42 && c.r.u8(offset + 2) == 0x03) return dissect_stp(c, offset + 3, end);
    if (PayloadDissector next = llc_dissector(dsap)) return next(c, offset, end);
    c.add("llc", offset).set("dsap", dsap).set("ssap", ssap).set("length", end > offset ? end - offset : 0);
}

void dissect_pppoe(Context& c, std::size_t offset, bool session) {
    if (!c.r.has(offset, 6)) return c.truncated("pppoe");
    std::uint8_t code = c.r.u8(offset + 1);
    std::uint16_t length = c.r.u16(offset + 4);
    Layer& l = c.add("pppoe", offset);
    l.set("code", code).set("session", c.r.u16(offset + 2)).set("length", length);
    if (session) {
        if (!c.r.has(offset + 6, 2)) return c.truncated("ppp");
        l.set("protocol", c.r.u16(offset + 6));
        return dissect_ppp_protocol(c, offset + 8, c.r.u16(offset + 6));
    }
    // RFC 2516 discovery: a list of tags (type, length, value); names only.
    std::string tags;
    std::size_t at = offset + 6, end = offset + 6 + length;
    while (at + 4 <= end && c.r.has(at, 4)) {
        std::uint16_t type = c.r.u16(at), len = c.r.u16(at + 2);
        if (type == 0) break;  // End-Of-List
        const char* name = type == 0x0101 ? "Service-Name" : type == 0x0102 ? "AC-Name" : type == 0x0103 ? "Host-Uniq"
                         : type == 0x0104 ? "AC-Cookie" : type == 0x0105 ? "Vendor-Specific" : type == 0x0110 ? "Relay-Session-ID"
                         : type == 0x0201 ? "Service-Name-Error" : type == 0x0202 ? "AC-System-Error" : type == 0x0203 ? "Generic-Error"
                         : nullptr;
        if (!tags.empty()) tags += ' ';
        tags += name ? fmt::format("[{}]", name) : fmt::format("[tag 0x{:04x}]", type);
        at += 4u + len;
    }
    l.set("tags", std::move(tags));
    if (at < end && !c.r.has(at, 1)) c.truncated("pppoe");
}

void dissect_mpls(Context& c, std::size_t offset) {
    // RFC 3032: 4-byte entries until the bottom-of-stack bit. The payload names no protocol, so
    // the first nibble decides, as routers and tcpdump guess it.
    for (int n = 0; n < 16; ++n) {
        if (!c.r.has(offset, 4)) return c.truncated("mpls");
        std::uint32_t e = c.r.u32(offset);
        c.add("mpls", offset).set("label", e >> 12).set("tc", (e >> 9) & 7).set_flag("bottom", (e >> 8) & 1).set("ttl", e & 0xff);
        offset += 4;
        if (e & 0x100) break;
        if (!c.can_nest()) return;
    }
    if (!c.r.has(offset, 1)) return c.truncated("mpls");
    switch (c.r.u8(offset) >> 4) {
        case 4: return dissect_ipv4(c, offset);
        case 6: return dissect_ipv6(c, offset);
        default: c.add("data", offset).set("length", c.r.available(offset, c.r.size())); return;
    }
}

}  // namespace

void dissect_8022(Context& c, std::size_t offset, std::size_t end) { dissect_llc(c, offset, end); }

void dissect_ethernet(Context& c, std::size_t offset) {
    if (!c.r.has(offset, 14)) return c.truncated("ether");
    std::uint16_t type = c.r.u16(offset + 12);
    Layer& l = c.add("ethernet", offset);
    l.set("src", mac_text(c.r, offset + 6)).set("dst", mac_text(c.r, offset)).set("type", type);
    if (type <= 1500) return dissect_llc(c, offset + 14, offset + 14 + type);  // IEEE 802.3 length field
    dissect_ethertype(c, offset + 14, type);
}

void dissect_ethertype(Context& c, std::size_t offset, std::uint16_t type) {
    if (!c.can_nest()) return;
    switch (type) {
        case 0x0800: return dissect_ipv4(c, offset);
        case 0x86dd: return dissect_ipv6(c, offset);
        case 0x0806: return dissect_arp(c, offset, false);
        case 0x8035: return dissect_arp(c, offset, true);
        case 0x8100:
        case 0x88a8:
        case 0x9100: {
            // 802.1Q tag: PCP(3) DEI(1) VID(12), then the next EtherType.
            if (!c.r.has(offset, 4)) return c.truncated("vlan");
            std::uint16_t tci = c.r.u16(offset), next = c.r.u16(offset + 2);
            c.add("vlan", offset).set("tpid", type).set("id", tci & 0xfffu).set("pcp", tci >> 13).set_flag("dei", (tci >> 12) & 1).set("type", next);
            return dissect_ethertype(c, offset + 4, next);
        }
        case 0x8847:
        case 0x8848: return dissect_mpls(c, offset);
        case 0x8863: return dissect_pppoe(c, offset, false);
        case 0x8864: return dissect_pppoe(c, offset, true);
        case 0x6558: return dissect_ethernet(c, offset);  // transparent Ethernet bridging (GRE, Geneve)
        default:
            // After an 802.1Q tag, a length rather than a type (IEEE 802.3 3.2.6): 802.2 LLC follows.
            if (type <= 1500 && !c.out.layers.empty() && c.out.layers.back().protocol == "vlan")
                return dissect_llc(c, offset, offset + type);
            // The frame ends where the wire length says (Ethernet padding included), as tcpdump counts.
            if (PayloadDissector next = ethertype_dissector(type))
                return next(c, offset, std::max<std::size_t>(c.r.size(), c.out.wire_length));
            c.add("unknown", offset).set("ethertype", type).set("length", c.r.available(offset, c.r.size())); return;
    }
}

void dissect_link(Context& c, int dlt) {
    const ByteReader& r = c.r;
    switch (dlt) {
        case 1:  // EN10MB
            c.out.link_length = 14;
            return dissect_ethernet(c, 0);
        case 113: {  // LINUX_SLL: packet type, ARPHRD, address length, 8 address bytes, protocol
            if (!r.has(0, 16)) return c.truncated("sll");
            c.out.link_length = 16;
            std::uint16_t proto = r.u16(14);
            std::size_t alen = r.u16(4);
            c.add("sll", 0).set("packet_type", r.u16(0)).set("hatype", r.u16(2))
                .set("src", alen == 6 ? mac_text(r, 6) : std::string{}).set("type", proto);
            if (proto == 4) return dissect_llc(c, 16, r.size());  // ETH_P_802_2
            return dissect_ethertype(c, 16, proto);
        }
        case 276: {  // LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address
            if (!r.has(0, 20)) return c.truncated("sll2");
            c.out.link_length = 20;
            std::uint16_t proto = r.u16(0);
            c.add("sll2", 0).set("type", proto).set("ifindex", r.u32(4)).set("hatype", r.u16(8))
                .set("packet_type", r.u8(10)).set("src", r.u8(11) == 6 ? mac_text(r, 12) : std::string{});
            if (proto == 4) return dissect_llc(c, 20, r.size());
            return dissect_ethertype(c, 20, proto);
        }
        case 0:      // NULL: address family in the capturing host's byte order
        case 108: {  // LOOP: the same in network byte order
            if (!r.has(0, 4)) return c.truncated("null");
            c.out.link_length = 4;
            std::uint32_t family = dlt == 108 ? r.u32(0) : r.u32le(0);
            if (dlt == 0 && (family & 0xffff0000u)) family = r.u32(0);  // written on a big-endian host
            c.add("null", 0).set("family", family);
            // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD, 10 on Linux.
            if (family == 2) return dissect_ipv4(c, 4);
            if (family == 24 || family == 28 || family == 30 || family == 10) return dissect_ipv6(c, 4);
            return;
        }
        case 12:
        case 14:
        case 101:  // RAW: the IP version nibble decides
            if (!r.has(0, 1)) return c.truncated("raw");
            return (r.u8(0) >> 4) == 6 ? dissect_ipv6(c, 0) : dissect_ipv4(c, 0);
        case 228: return dissect_ipv4(c, 0);
        case 229: return dissect_ipv6(c, 0);
        case 9: {  // PPP: optional address/control bytes FF 03, then the protocol
            if (!r.has(0, 4)) return c.truncated("ppp");
            std::size_t at = r.u8(0) == 0xff || r.u8(0) == 0x0f || r.u8(0) == 0x8f ? 2 : 0;
            c.out.link_length = at + 2;
            return dissect_ppp_protocol(c, at + 2, r.u16(at));
        }
        case 104: return dissect_chdlc(c, 0);  // C_HDLC (chdlc.cpp)
        case 107: return dissect_fr(c, 0);     // FRELAY (fr.cpp)
        case 242: return dissect_ipoib(c);     // IPOIB (ipoib.cpp)
        case 226: return dissect_ipnet(c);     // IPNET (ipnet.cpp)
        case 239: return dissect_nflog(c);     // NFLOG (nflog.cpp)
        case 271: return dissect_vsock(c);     // VSOCK (vsock.cpp)
        case 8: return dissect_slip(c);        // SLIP (slip.cpp)
        case 281: return dissect_brcm_tag(c, false);  // DSA_TAG_BRCM (dsa.cpp)
        case 282: return dissect_brcm_tag(c, true);   // DSA_TAG_BRCM_PREPEND
        case 284: return dissect_dsa(c, false);       // DSA_TAG_DSA
        case 285: return dissect_dsa(c, true);        // DSA_TAG_EDSA
        case 127: return dissect_radiotap(c);
        case 105: return dissect_ieee80211(c, 0, false, false);  // IEEE802_11: the frame itself
        case 119: {  // PRISM_HEADER: 144 bytes, or an AVS header that gives its length
            if (!r.has(0, 8)) return c.truncated("prism");
            std::size_t length = (r.u32(0) & 0xfffff000u) == 0x80211000u ? r.u32(4) : 144;
            if (!r.has(0, length)) return c.truncated("prism");
            c.out.link_length = length;
            return dissect_ieee80211(c, length, false, false);
        }
        case 163: {  // IEEE802_11_RADIO_AVS: an AVS header, its length at [4:4]
            if (!r.has(0, 8)) return c.truncated("avs");
            const std::size_t length = r.u32(4);
            if (!r.has(0, length)) return c.truncated("avs");
            c.out.link_length = length;
            return dissect_ieee80211(c, length, false, false);
        }
        case 117: return dissect_pflog(c);
        case 7: return dissect_arcnet(c, false);
        case 129: return dissect_arcnet(c, true);
        case 192: {  // PPI: version, flags, length and DLT (little-endian), then fields
            if (!r.has(0, 8)) return c.truncated("ppi");
            std::size_t length = r.u16le(2);
            if (!r.has(0, length)) return c.truncated("ppi");
            c.out.link_length = length;
            std::uint32_t inner = r.u32le(4);
            if (inner == 105) return dissect_ieee80211(c, length, false, false);
            if (inner == 1) return dissect_ethernet(c, length);
            c.add("link", length).set("linktype", static_cast<std::uint64_t>(inner)).set("length", r.available(length, r.size()));
            return;
        }
        case 10:    // FDDI: frame control, destination, source, then 802.2 LLC
        case 6: {   // IEEE802 (Token Ring): access and frame control, destination, source, routing, LLC
            const std::size_t macs = dlt == 10 ? 1 : 2;
            if (!r.has(0, macs + 12)) return c.truncated(dlt == 10 ? "fddi" : "token-ring");
            std::size_t llc = macs + 12;
            // A source address with the routing bit set is followed by routing information.
            if (dlt == 6 && (r.u8(macs + 6) & 0x80)) {
                if (!r.has(llc, 1)) return c.truncated("token-ring");
                llc += r.u8(llc) & 0x1f;
            }
            c.out.link_length = llc;
            // Shown as Ethernet is: the addresses, and SNAP's EtherType when there is one.
            std::uint16_t type = r.has(llc, 8) && r.u8(llc) == 0xaa && r.u8(llc + 1) == 0xaa ? r.u16(llc + 6) : 0;
            c.add("ethernet", 0).set("src", mac_text(r, macs + 6)).set("dst", mac_text(r, macs)).set("type", type);
            return dissect_llc(c, llc, r.size());
        }
        case 51: return dissect_pppoe(c, 0, true);  // PPP_ETHER: a PPPoE session header, then PPP
        default:
            if (tcpdump_lacks_printer(dlt)) {  // tcpdump says so and dumps the bytes
                c.add("unsupported_link", 0).set("linktype", static_cast<std::uint64_t>(dlt)).set("length", r.size())
                    .set("data", hex_field(r, 0, r.size()));
                return;
            }
            c.add("link", 0).set("linktype", static_cast<std::uint64_t>(dlt)).set("length", r.size());
            return;
    }
}

}  // namespace decode::detail
