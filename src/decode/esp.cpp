// IP Encapsulating Security Payload (RFC 4303 section 2: SPI and sequence number, then the
// encrypted payload sniff cannot read), directly over IP (protocol 50) or in UDP on port 4500
// (RFC 3948 section 2: a zero non-ESP marker means IKE follows, one 0xff byte is a NAT
// keepalive, anything else is ESP).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_esp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("esp", o);
    l.set("length", end > o ? end - o : 0);
    // tcpdump wants at least one byte past the 8-byte header.
    if (!c.r.has(o, 9)) return c.truncated("esp");
    l.set("spi", c.r.u32(o)).set("seq", c.r.u32(o + 4));
}

void print_esp(PrintContext& p, const Layer& l) {
    if (!l.has("spi")) return;  // the marker alone, after tcpdump's space
    p.put("ESP(spi=0x{:08x},seq=0x{:x}), length {}", p.num(l, "spi"), p.num(l, "seq"), p.num(l, "length"));
}

void dissect_udp_encap(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("udp_encap", o);
    std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (length == 1 && r.has(o, 1) && r.u8(o) == 0xff) return l.set_flag("keepalive", true), void();
    if (length < 4) return c.truncated("isakmp_rfc3948");
    if (!r.has(o, 4)) return c.truncated("isakmp_rfc3948");
    if (r.u32(o) == 0) {  // IKE after the four-byte marker
        l.set_flag("non_esp", true);
        return dissect_isakmp(c, o + 4, end);
    }
    l.set_flag("non_esp", false);
    dissect_esp(c, o, end);
}

void print_udp_encap(PrintContext& p, const Layer& l) {
    if (l.flag("keepalive")) return p.raw("isakmp-nat-keep-alive");
    if (!l.has("non_esp")) return;
    p.raw(p.flag(l, "non_esp") ? "NONESP-encap: " : "UDP-encap: ");
}

}  // namespace decode::detail
