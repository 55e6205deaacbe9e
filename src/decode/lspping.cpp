// MPLS LSP ping over UDP port 3503 (RFC 8029 section 3): version, global flags, message type,
// reply mode, return code and subcode, sender's handle, sequence number, timestamps.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_lspping(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("lspping", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 2)) return c.truncated("LSP-PING");
    l.set("version", r.u16(o));
    if (!r.has(o + 4, 1)) return c.truncated("LSP-PING");
    l.set("message_type", r.u8(o + 4));
    if (!r.has(o + 12, 4)) return c.truncated("LSP-PING");
    l.set("sequence", r.u32(o + 12));
}

void print_lspping(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    p.put("LSP-PINGv{}", version);
    if (version != 1) return p.put(" (unsupported version)");
    std::uint64_t type = p.num(l, "message_type");
    if (type == 1) p.put(", MPLS Echo Request");
    else if (type == 2) p.put(", MPLS Echo Reply");
    else p.put(", unknown ({})", type);
    p.put(", seq {}, length: {}", p.num(l, "sequence"), p.num(l, "length"));
}

}  // namespace decode::detail
