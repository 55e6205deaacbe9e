// Solaris ipnet (LINKTYPE_IPNET, the ipnet_hdr_t of Solaris' <inet/ipnet.h>): version, address
// family, hook type, packet length, interface indexes and the source and destination zone IDs,
// all in network byte order, 24 bytes, then the IPv4 or IPv6 packet.
#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

constexpr std::uint8_t kFamilyInet = 2, kFamilyInet6 = 26;

}  // namespace

void dissect_ipnet(Context& c) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ipnet", 0);
    l.set("length", c.out.wire_length);
    if (!r.has(0, 24)) return c.truncated("ipnet");
    const std::uint8_t family = r.u8(1);
    l.set("version", r.u8(0)).set("family", family).set("hook", r.u16(2)).set("packet_length", r.u32(4))
        .set("ifindex", r.u32(8)).set("group_ifindex", r.u32(12)).set("source_zone", r.u32(16)).set("destination_zone", r.u32(20));
    c.out.link_length = 24;
    if (family == kFamilyInet) return dissect_ipv4(c, 24);
    if (family == kFamilyInet6) return dissect_ipv6(c, 24);
    l.set("payload", hex_field(r, 24, r.available(24, r.size())));
}

void print_ipnet(PrintContext& p, const Layer& l) {
    if (!l.has("family")) return;
    const std::uint64_t family = p.num(l, "family");
    if (p.options().link_header || l.has("payload")) {
        p.put("{} > {}, family {} ({}), length {}: ", p.num(l, "source_zone"), p.num(l, "destination_zone"),
              family == kFamilyInet ? "IPv4" : family == kFamilyInet6 ? "IPv6" : "Unknown", family, p.num(l, "length"));
        p.payload_named();
    }
    if (l.has("payload")) print_hex_field(p, l, "payload", true);
}

}  // namespace decode::detail
