// Switch tags that sit inside an Ethernet frame (Linux DSA link types): Marvell DSA and EDSA
// (a 4-byte tag after the source address, for EDSA behind its own EtherType and 2 reserved
// bytes) and Broadcom's 4-byte tag (after the source address, or before the whole frame). The
// tag says which switch port the frame came from or goes to; the frame's EtherType follows.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

void set_ethernet_fields(Context& c, Layer& l, std::size_t frame) {
    l.set("src", mac_text(c.r, frame + 6)).set("dst", mac_text(c.r, frame));
}

// Broadcom tag: opcode in the top 3 bits of byte 0; egress (0) names the class, reason and
// source port, ingress (1) the traffic class, tag enforcement, time stamp and port map.
void set_brcm_tag(Context& c, Layer& l, std::size_t at) {
    const ByteReader& r = c.r;
    l.set("opcode", r.u8(at) >> 5);
    if (r.u8(at) >> 5 == 1) {
        l.set("tc", (r.u8(at + 1) >> 2) & 7).set("te", r.u8(at + 1) & 3).set("ts", r.u8(at + 1) >> 7)
            .set("dst_map", r.u16(at + 2) & 0x1ffu);
    } else {
        l.set("cid", r.u8(at + 1)).set("reason", r.u8(at + 2)).set("tc", r.u8(at + 3) >> 5).set("port", r.u8(at + 3) & 0x1f);
    }
}

void print_brcm_tag(PrintContext& p, const Layer& l) {
    const std::uint64_t op = p.num(l, "opcode");
    p.put("BRCM tag OP: {}", op ? "IG" : "EG");
    if (op == 1) {
        static constexpr std::string_view kEnforcement[] = {"None", "Untag", "Header", "Reserved"};
        p.put(", TC: {}, TE: {}, TS: {}, DST map: 0x{:04x}", p.num(l, "tc"), kEnforcement[p.num(l, "te") & 3], p.num(l, "ts"),
              p.num(l, "dst_map"));
    } else {
        std::string_view reason = "reserved";
        switch (p.num(l, "reason")) {
            case 0x01: reason = "mirror"; break;
            case 0x02: reason = "MAC learning"; break;
            case 0x04: reason = "switching"; break;
            case 0x08: reason = "prot term"; break;
            case 0x10: reason = "prot snoop"; break;
            case 0x20: reason = "exception"; break;
            default: break;
        }
        p.put(", CID: {}, RC: {}, TC: {}, port: {}", p.num(l, "cid"), reason, p.num(l, "tc"), p.num(l, "port"));
    }
    p.put(", ");
}

void print_ethertype_tail(PrintContext& p, const Layer& l) {
    const std::uint64_t type = p.num(l, "type");
    p.put("ethertype {} (0x{:04x}), length {}: ", ethertype_name_or(type, "Unknown"), type, p.num(l, "length"));
    p.payload_named();
}

}  // namespace

void dissect_dsa(Context& c, bool extended) {
    const ByteReader& r = c.r;
    Layer& l = c.add(extended ? "edsa" : "dsa", 0);
    l.set("length", c.out.wire_length);
    const std::size_t tag = extended ? 16 : 12, header = tag + 6;
    if (!r.has(0, header)) return c.truncated(extended ? "edsa" : "dsa");
    set_ethernet_fields(c, l, 0);
    if (extended) l.set("edsa_ethertype", r.u16(12)).set("reserved1", r.u8(14)).set("reserved2", r.u8(15));
    // Marvell tag: mode (2 bits), tagged, device; port, trunk/sniff/code bits, CFI; priority, code
    // bit, VID.
    const std::uint8_t b0 = r.u8(tag), b1 = r.u8(tag + 1), b2 = r.u8(tag + 2);
    l.set("mode", b0 >> 6).set_flag("tagged", b0 & 0x20).set("device", b0 & 0x1f).set("port", b1 >> 3)
        .set_flag("trunk", b1 & 0x04).set_flag("cfi", b1 & 0x01).set("code", (b1 & 0x06u) | ((b2 >> 4) & 1u))
        .set("priority", b2 >> 5).set("vid", (b2 & 0x0fu) << 8 | r.u8(tag + 3)).set("type", r.u16(tag + 4));
    c.out.link_length = header;
    dissect_ethertype(c, header, r.u16(tag + 4));
}

void dissect_brcm_tag(Context& c, bool prepended) {
    const ByteReader& r = c.r;
    Layer& l = c.add(prepended ? "brcm_prepend" : "brcm", 0);
    // The Ethernet frame's length: a prepended tag is not part of it.
    l.set("length", prepended && c.out.wire_length >= 4 ? c.out.wire_length - 4 : c.out.wire_length);
    const std::size_t frame = prepended ? 4 : 0, tag = prepended ? 0 : 12, header = 18;
    if (prepended && !r.has(0, 4)) return c.truncated("brcm-tag-prepend");
    if (!r.has(0, header)) return c.truncated(prepended ? "ether" : "brcm-tag");
    set_ethernet_fields(c, l, frame);
    set_brcm_tag(c, l, tag);
    const std::uint16_t type = r.u16(16);
    l.set("type", type);
    c.out.link_length = header;
    dissect_ethertype(c, header, type);
}

void print_dsa(PrintContext& p, const Layer& l) {
    if (!l.has("mode")) return;
    const std::uint64_t mode = p.num(l, "mode"), dev = p.num(l, "device"), port = p.num(l, "port");
    const bool edsa = l.has("edsa_ethertype");
    if (!p.options().link_header) {
        if (edsa) p.put("EDSA 0x{:04x}, ", p.num(l, "edsa_ethertype"));
        else p.put("DSA ");
        switch (mode) {
            case 0: p.put("port {}.{} > CPU, ", dev, port); break;
            case 1: p.put("CPU > port {}.{}, ", dev, port); break;
            case 2: p.put("port {}.{} > {} Sniffer, ", dev, port, p.flag(l, "trunk") ? "Rx" : "Tx"); break;
            default: p.put("Forward {} {}.{}, ", p.flag(l, "trunk") ? "trunk" : "port", dev, port); break;
        }
        p.put("VLAN {}{}, ", p.num(l, "vid"), p.flag(l, "tagged") ? "t" : "u");
        return;
    }
    p.put("{} > {}, ", p.text(l, "src"), p.text(l, "dst"));
    if (edsa) {
        const std::uint64_t t = p.num(l, "edsa_ethertype");
        p.put("Marvell EDSA ethertype 0x{:04x} ({}), rsvd {} {}, ", t, ethertype_name_or(t, "Unknown"), p.num(l, "reserved1"),
              p.num(l, "reserved2"));
    } else {
        p.put("Marvell DSA ");
    }
    static constexpr std::string_view kModes[] = {"To CPU", "From CPU", "To Sniffer", "Forward"};
    static constexpr std::string_view kDevices[] = {"source dev", "target dev", "source dev", "dev"};
    p.put("mode {}, {} {}, {} {}, ", kModes[mode & 3], kDevices[mode & 3], dev, mode == 3 && p.flag(l, "trunk") ? "trunk" : "port",
          port);
    if (mode == 0) {
        static constexpr std::string_view kCodes[] = {"BPDU (MGMT) Trap", "Frame2Reg", "IGMP/MLD Trap", "Policy Trap",
                                                      "ARP Mirror", "Policy Mirror", "reserved", "reserved"};
        p.put("code {}, ", kCodes[p.num(l, "code") & 7]);
    } else if (mode == 2) {
        p.put("{} sniff, ", p.flag(l, "trunk") ? "ingress" : "egress");
    }
    p.put("{}, {}VID {}, FPri {}, ", p.flag(l, "tagged") ? "tagged" : "untagged", p.flag(l, "cfi") ? "CFI, " : "", p.num(l, "vid"),
          p.num(l, "priority"));
    print_ethertype_tail(p, l);
}

void print_brcm(PrintContext& p, const Layer& l) {
    if (!l.has("opcode")) return;
    const bool e = p.options().link_header;
    if (l.protocol == "brcm_prepend") {
        if (!e) return;
        print_brcm_tag(p, l);
        p.put("{} > {}, ", p.text(l, "src"), p.text(l, "dst"));
        return print_ethertype_tail(p, l);
    }
    if (e) p.put("{} > {}, ", p.text(l, "src"), p.text(l, "dst"));
    print_brcm_tag(p, l);
    if (e) print_ethertype_tail(p, l);
}

}  // namespace decode::detail
