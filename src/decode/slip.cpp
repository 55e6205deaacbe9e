// SLIP as libpcap captures it (LINKTYPE_SLIP): a 16-byte pseudo-header (direction, then the
// first 15 bytes of a Van Jacobson compressed header, RFC 1144), then the IP packet (RFC 1055
// framing removed). The IP version nibble names the payload.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_slip(Context& c) {
    const ByteReader& r = c.r;
    constexpr std::size_t kHeader = 16;
    if (!r.has(0, kHeader + 1)) {  // tcpdump needs the IP version byte too
        c.add("slip", 0);
        return c.truncated("slip");
    }
    c.out.link_length = kHeader;
    const unsigned version = r.u8(kHeader) >> 4;
    if (version == 4) return dissect_ipv4(c, kHeader);
    if (version == 6) return dissect_ipv6(c, kHeader);
    c.add("slip", 0).set("direction", r.u8(0)).set("ip_version", version);
}

void print_slip(PrintContext& p, const Layer& l) {
    if (l.has("ip_version")) p.put("ip v{}", p.num(l, "ip_version"));
}

}  // namespace decode::detail
