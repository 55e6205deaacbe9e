// IEEE 802.3 Slow Protocols (EtherType 0x8809, annex 57A): a subtype byte names LACP (1) or the
// Marker protocol (2) (IEEE 802.1AX-2020 clause 6.4), then a version byte. tcpdump's first
// line gives the protocol, its version and the length.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_slow_protocols(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("slow_protocols", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 1)) return c.truncated("slow");
    l.set("subtype", c.r.u8(o));
    if (!c.r.has(o + 1, 1)) return c.truncated("slow");
    l.set("version", c.r.u8(o + 1));
}

void print_slow_protocols(PrintContext& p, const Layer& l) {
    const std::uint64_t subtype = p.num(l, "subtype");
    const char* name = subtype == 1 ? "LACP" : subtype == 2 ? "MARKER" : nullptr;
    if (!name) return p.put("Slow Protocols, unknown subtype {}, length {}", subtype, p.num(l, "length"));
    p.put("{}v{}, length {}", name, p.num(l, "version"), p.num(l, "length"));
}

}  // namespace decode::detail
