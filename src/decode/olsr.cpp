// OLSR over UDP port 698 (RFC 3626 section 3.3): packet length and sequence number, then
// messages; the address family is the enclosing IP header's.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_olsr(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    bool ipv6 = false;
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it) {
        if (it->protocol == "ipv4" || it->protocol == "ipv6") {
            ipv6 = it->protocol == "ipv6";
            break;
        }
    }
    Layer& l = c.add("olsr", o);
    l.set("length", end > o ? end - o : 0).set("ip_version", ipv6 ? 6 : 4);
    if (end < o + 4 || !r.has(o, 4)) return c.truncated("olsr");
    l.set("sequence", r.u16(o + 2));
}

void print_olsr(PrintContext& p, const Layer& l) {
    p.put("OLSRv{}, seq 0x{:04x}, length {}", p.num(l, "ip_version"), p.num(l, "sequence"), p.num(l, "length"));
}

}  // namespace decode::detail
