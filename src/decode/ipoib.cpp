// IP over InfiniBand as libpcap captures it (LINKTYPE_IPOIB, RFC 4391 section 6): 40 bytes of
// addressing, then the 4-byte encapsulation header whose first half is an EtherType.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_ipoib(Context& c) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ipoib", 0);
    l.set("length", c.out.wire_length);
    if (!r.has(0, 44)) return c.truncated("ipoib");
    l.set("type", r.u16(40));
    c.out.link_length = 44;
    dissect_ethertype(c, 44, r.u16(40));
}

void print_ipoib(PrintContext& p, const Layer& l) {
    if (!l.has("type") || !p.options().link_header) return;
    const std::uint64_t type = p.num(l, "type");
    p.put("IPOIB, ethertype {} (0x{:04x}), length {}: ", ethertype_name_or(type, "Unknown"), type, p.num(l, "length"));
    p.payload_named();
}

}  // namespace decode::detail
