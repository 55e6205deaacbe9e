// ERSPAN (draft-foschiano-erspan-03): Cisco's mirrored frames in GRE, protocol type 0x88be
// (type I without a GRE sequence number and no header of its own, type II with an 8-byte header)
// and 0x22eb (type III, a 12-byte header). tcpdump 4.99 does not decode them: after GRE's
// header it names the protocol type only ("gre-proto-0x88be").
#include "decode/protocols.hpp"

namespace decode::detail {

namespace {

void dissect_erspan(Context& c, std::size_t o, std::uint16_t protocol) {
    Layer& l = c.add("erspan", o);
    l.set("protocol", protocol);
    const Layer* outer = c.out.layers.size() >= 2 ? &c.out.layers[c.out.layers.size() - 2] : nullptr;
    // Type I: GRE without a sequence number, the mirrored frame follows GRE directly.
    if (protocol == 0x88be && outer && outer->protocol == "gre" && !outer->has("sequence")) return;
    if (!c.r.has(o, 4)) return;
    // Section 4.2 (type II) and the type III layout: version (4 bits), VLAN (12), then
    // COS (3), encapsulation (2), truncated (1) and the session ID (10).
    std::uint16_t first = c.r.u16(o), second = c.r.u16(o + 2);
    l.set("version", first >> 12).set("vlan", first & 0xfffu).set("cos", second >> 13).set("session_id", second & 0x3ffu);
}

}  // namespace

void dissect_erspan_ii(Context& c, std::size_t o, std::size_t /*end*/) { dissect_erspan(c, o, 0x88be); }
void dissect_erspan_iii(Context& c, std::size_t o, std::size_t /*end*/) { dissect_erspan(c, o, 0x22eb); }

void print_erspan(PrintContext& p, const Layer& l) {
    p.put("gre-proto-0x{:x}", p.num(l, "protocol"));
    p.stop();
}

}  // namespace decode::detail
