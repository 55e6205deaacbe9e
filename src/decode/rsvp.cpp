// RSVP, IP protocol 46 (RFC 2205 section 3.1.1): version and flags, message type, checksum,
// send TTL, reserved, length; then objects.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_rsvp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("rsvp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 2)) return c.truncated("rsvp");
    l.set("version", r.u8(o) >> 4).set("message_type", r.u8(o + 1));
}

void print_rsvp(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    if (version != 1) return p.put("ERROR: RSVP version {} packet not supported", version);
    std::uint64_t type = p.num(l, "message_type");
    std::string_view name;
    switch (type) {
        case 1: name = "Path"; break;
        case 2: name = "Resv"; break;
        case 3: name = "PathErr"; break;
        case 4: name = "ResvErr"; break;
        case 5: name = "PathTear"; break;
        case 6: name = "ResvTear"; break;
        case 7: name = "ResvConf"; break;
        case 12: name = "Bundle"; break;
        case 13: name = "Acknowledgement"; break;
        case 15: name = "Refresh"; break;
        case 20: name = "Hello"; break;
        case 21: name = "Notify"; break;
        default: break;
    }
    p.put("RSVPv{} ", version);
    if (name.empty()) p.put("unknown ({})", type);
    else p.raw(name);
    p.put(" Message, length: {}", p.num(l, "length"));
}

}  // namespace decode::detail
