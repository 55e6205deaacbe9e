// Broadcom lawful-interception shim (UDP port 49152): a 32-bit word of direction (3 bits),
// packet type (4), packet subtype (3) and intercept ID (22), then the intercepted packet.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_bcm_li(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("bcm_li", o);
    l.set("length", end > o ? end - o : 0);
    if (end < o + 4) return;  // shorter than the shim: invalid
    if (!c.r.has(o, 4)) return c.truncated("bcm_li");
    const std::uint32_t shim = c.r.u32(o);
    const unsigned type = (shim >> 25) & 0xf;
    l.set("direction", shim >> 29).set("packet_type", type).set("packet_subtype", (shim >> 22) & 7).set("li_id", shim & 0x3fffff);
    // The whole intercepted packet must have been captured.
    l.set_flag("payload_captured", c.r.has(o + 4, end - o - 4));
    if (!c.can_nest() || !c.r.has(o + 4, 1)) return;
    // Packet types 4 (undecided: the IP version nibble decides), 5 IPv4, 6 IPv6, 7 Ethernet.
    const unsigned nibble = c.r.u8(o + 4) >> 4;
    if (type == 7) dissect_ethernet(c, o + 4);
    else if (type == 5 || (type == 4 && nibble == 4)) dissect_ipv4(c, o + 4);
    else if (type == 6 || (type == 4 && nibble == 6)) dissect_ipv6(c, o + 4);
}

void print_bcm_li(PrintContext& p, const Layer& l) {
    if (p.num(l, "length") < 4) return p.put(" (length {} < 4) (invalid)", p.num(l, "length"));
    static constexpr const char* kDirections[] = {"unknown", "unused", "egress", "ingress"};
    static constexpr const char* kTypes[] = {"undecided", "ipv4", "ipv6", "ethernet"};
    static constexpr const char* kSubtypes[] = {"unknown", "single VLAN tag", "double VLAN tag", "untagged"};
    const std::uint64_t direction = p.num(l, "direction"), type = p.num(l, "packet_type"), subtype = p.num(l, "packet_subtype");
    if (p.verbose()) p.raw("\n    ");
    p.put("BCM-LI-SHIM: direction {}, pkt-type {}, pkt-subtype {}, li-id {}", direction < 4 ? kDirections[direction] : "unknown",
          type >= 4 && type <= 7 ? kTypes[type - 4] : "unknown", subtype < 4 ? kSubtypes[subtype] : "unknown", p.num(l, "li_id"));
    if (!p.verbose()) {
        p.stop();
        if (!p.flag(l, "payload_captured")) p.num(l, "captured payload");  // ends the line with the marker
        return;
    }
    p.raw("\n    ");
    if (type < 4 || type > 7) {
        p.stop();
        return p.put(" (invalid)");
    }
    if (!p.next()) {
        p.stop();
        if (type == 4) p.put("unknown payload");
    }
}

}  // namespace decode::detail
