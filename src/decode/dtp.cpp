// Cisco Dynamic Trunking Protocol (SNAP OUI 00000c, PID 0x2004): a version byte, then
// type-length-value fields. tcpdump's first line gives the version and length.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_dtp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("dtp", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 1)) return c.truncated("dtp");
    l.set("version", c.r.u8(o));
}

void print_dtp(PrintContext& p, const Layer& l) { p.put("DTPv{}, length {}", p.num(l, "version"), p.num(l, "length")); }

}  // namespace decode::detail
