// IP Authentication Header, IP protocol 51 (RFC 4302 section 2): next header, payload length
// (in 4-byte words, minus 2), reserved, security parameters index, sequence number, then the
// integrity check value. Routing protocols (OSPFv3, RFC 4552) sign their packets with it;
// the protocol it protects follows.
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

namespace decode::detail {

void dissect_ah(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ah", o);
    if (!r.has(o, 8)) return c.truncated("AH");
    std::size_t length = (r.u8(o + 1) + 2u) * 4u;
    l.set("next_header", r.u8(o)).set("spi", r.u32(o + 4));
    // The ICV is what follows the 12 fixed bytes.
    std::size_t icv = length > 12 ? length - 12 : 0;
    l.set("icv_length", icv);
    if (!r.has(o + 8, 4)) return c.truncated("AH");
    l.set("sequence", r.u32(o + 8));
    if (!r.has(o, 12 + icv)) return c.truncated("AH");
    l.set("icv", hex_bytes(r, o + 12, icv));
    if (o + length > end) return;
    dissect_ip_payload(c, o + length, end, r.u8(o));
}

void print_ah(PrintContext& p, const Layer& l) {
    p.put("AH(spi=0x{:08x}", p.num(l, "spi"));
    if (p.verbose()) p.put(",sumlen={}", p.num(l, "icv_length"));
    p.put(",seq=0x{:x}", p.num(l, "sequence"));
    if (!l.has("icv")) return p.put(")");
    p.put(",icv=0x{}): ", l.text("icv"));
}

}  // namespace decode::detail
