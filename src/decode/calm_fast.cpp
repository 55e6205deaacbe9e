// CALM FAST (ISO 29281, EtherType 0x1111): source and destination network references, then
// the FAST payload. tcpdump's first line gives the sender and both references.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_calm_fast(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("calm_fast", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 2)) return c.truncated("calm_fast");
    l.set("source_nwref", c.r.u8(o)).set("destination_nwref", c.r.u8(o + 1));
}

void print_calm_fast(PrintContext& p, const Layer& l) {
    const Layer* link = p.previous();
    p.put("CALM FAST");
    if (link && link->protocol == "ethernet") p.put(" src:{};", p.text(*link, "src"));
    p.put(" SrcNwref:{}; DstNwref:{}; ", p.num(l, "source_nwref"), p.num(l, "destination_nwref"));
}

}  // namespace decode::detail
