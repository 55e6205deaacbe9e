// Pragmatic General Multicast (RFC 3208 section 8, IP protocol 113): source and destination
// ports, type, options, checksum, global source ID and TSDU length. tcpdump's line repeats the
// addresses with the ports, then names the TSDU length.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_pgm(Context& c, std::size_t o, std::size_t /*end*/) {
    const ByteReader& r = c.r;
    Layer& l = c.add("pgm", o);
    if (!r.has(o, 4)) return c.truncated("pgm");
    l.set("sport", r.u16(o)).set("dport", r.u16(o + 2));
    if (!r.has(o, 16)) return c.truncated("pgm");
    l.set("type", r.u8(o + 4)).set("options", r.u8(o + 5)).set("checksum", r.u16(o + 6)).set("tsdu_length", r.u16(o + 14));
}

void print_pgm(PrintContext& p, const Layer& l) {
    const Layer* ip = p.previous();
    bool direct = ip && (ip->protocol == "ipv4" || ip->protocol == "ipv6");
    if (!l.has("sport")) {
        if (ip && ip->has("src")) p.put("{} > {}:", p.text(*ip, "src"), p.text(*ip, "dst"));
        return;
    }
    if (direct) p.put("{}.{} > {}.{}: ", p.text(*ip, "src"), p.num(l, "sport"), p.text(*ip, "dst"), p.num(l, "dport"));
    else p.put("{} > {}: ", p.num(l, "sport"), p.num(l, "dport"));
    p.put("PGM, length {}", p.num(l, "tsdu_length"));
    p.stop();
}

}  // namespace decode::detail
