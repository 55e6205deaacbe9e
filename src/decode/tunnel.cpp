// Tunnels that carry a whole inner packet: GRE (RFC 2784, RFC 2890), VXLAN (RFC 7348) and
// Geneve (RFC 8926). The inner packet is decoded into the same layer list.
#include "decode/dissect.hpp"

namespace decode::detail {

void dissect_gre(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("gre", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 4)) return c.truncated("gre");
    std::uint16_t flags = r.u16(o), proto = r.u16(o + 2);
    l.set("version", flags & 7u).set("flags", flags).set("protocol", proto);
    std::size_t at = o + 4;
    if (flags & 0x8000) at += 4;  // checksum and reserved
    if (flags & 0x2000) {
        if (!r.has(at, 4)) return c.truncated("gre");
        l.set("key", r.u32(at));
        at += 4;
    }
    if (flags & 0x1000) {
        if (!r.has(at, 4)) return c.truncated("gre");
        l.set("sequence", r.u32(at));
        at += 4;
    }
    if ((flags & 7u) != 0) return;  // version 1 is PPTP's enhanced GRE: not decoded further
    if (!r.has(at, 1)) return c.truncated("gre");
    dissect_ethertype(c, at, proto);
}

void dissect_vxlan(Context& c, std::size_t o, std::size_t /*end*/) {
    const ByteReader& r = c.r;
    Layer& l = c.add("vxlan", o);
    if (!r.has(o, 8)) return c.truncated("vxlan");
    l.set("flags", r.u8(o)).set("vni", r.u32(o + 4) >> 8);
    dissect_ethernet(c, o + 8);
}

void dissect_geneve(Context& c, std::size_t o, std::size_t /*end*/) {
    const ByteReader& r = c.r;
    Layer& l = c.add("geneve", o);
    if (!r.has(o, 8)) return c.truncated("geneve");
    std::uint8_t first = r.u8(o), second = r.u8(o + 1);
    std::size_t options = (first & 0x3fu) * 4u;
    std::uint16_t proto = r.u16(o + 2);
    l.set("version", first >> 6).set_flag("oam", second & 0x80).set_flag("critical", second & 0x40)
        .set("protocol", proto).set("vni", r.u32(o + 4) >> 8).set("options_length", options);
    if (first >> 6 != 0) return;  // an unknown version's layout is unknown
    if (!r.has(o + 8 + options, 1)) return c.truncated("geneve");
    dissect_ethertype(c, o + 8 + options, proto);
}

}  // namespace decode::detail
