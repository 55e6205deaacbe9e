// AHCP, the ad-hoc configuration protocol that comes with Babel, over UDP port 5359: a magic
// byte (43), then the version (draft-chroboczek-ahcp-00 section 3).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_ahcp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ahcp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("ahcp");
    l.set("magic", r.u8(o));
    if (r.u8(o) != 43) return;
    if (!r.has(o + 1, 1)) return c.truncated("ahcp");
    l.set("version", r.u8(o + 1));
}

void print_ahcp(PrintContext& p, const Layer& l) {
    p.put("AHCP");
    if (p.num(l, "magic") != 43) return p.put(" (invalid)");
    p.put(" Version {}", p.num(l, "version"));
}

}  // namespace decode::detail
