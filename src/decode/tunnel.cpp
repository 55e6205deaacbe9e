// Tunnels that carry a whole inner packet: VXLAN (RFC 7348) and Geneve (RFC 8926). The inner
// packet is decoded into the same layer list. GRE is in gre.cpp.
#include "decode/dissect.hpp"

namespace decode::detail {

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
