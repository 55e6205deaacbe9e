// Datagram Congestion Control Protocol (RFC 4340, IP protocol 33): the generic header
// (section 5.1: ports, data offset, CCVal and CsCov, checksum, type, X for 48-bit sequence
// numbers), the acknowledgement subheader (5.3) and the Request's and Response's service code
// (5.4, 5.5) and the Reset's code (5.6), as tcpdump's one line shows them.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string_view type_name(std::uint64_t type) {
    static constexpr std::string_view kNames[] = {"DCCP-Request", "DCCP-Response", "DCCP-Data", "DCCP-Ack", "DCCP-DataAck",
                                                  "DCCP-CloseReq", "DCCP-Close", "DCCP-Reset", "DCCP-Sync", "DCCP-SyncAck"};
    return type < std::size(kNames) ? kNames[type] : std::string_view{};
}

std::string_view reset_code(std::uint64_t code) {
    static constexpr std::string_view kNames[] = {"unspecified", "closed", "aborted", "no_connection", "packet_error",
                                                  "option_error", "mandatory_error", "connection_refused",
                                                  "bad_service_code", "too_busy", "bad_init_cookie", "aggression_penalty"};
    return code < std::size(kNames) ? kNames[code] : "invalid";
}

// Bytes each type adds after the generic header (acknowledgement subheader and its own fields).
std::size_t type_fields(unsigned type, bool x) {
    switch (type) {
        case 0: return 4;
        case 1: case 7: case 8: case 9: return 12;
        case 3: case 4: case 5: case 6: return 8;
        default: (void)x; return 0;
    }
}

}  // namespace

void dissect_dccp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("dccp", o);
    std::size_t length = end > o ? end - o : 0;
    if (!r.has(o, 12)) return c.truncated("dccp");
    if (length < 12) return l.set("missing", 12 - length), void();
    bool x = r.u8(o + 8) & 1;
    std::size_t generic = x ? 16 : 12;
    if (length < generic) return l.set("missing", generic - length), void();
    if (!r.has(o, generic)) return c.truncated("dccp");
    unsigned type = (r.u8(o + 8) >> 1) & 0x0f;
    l.set("sport", r.u16(o)).set("dport", r.u16(o + 2)).set("data_offset", r.u8(o + 4)).set("ccval", r.u8(o + 5) >> 4)
        .set("cscov", r.u8(o + 5) & 0x0f).set("checksum", r.u16(o + 6)).set("type", type).set_flag("x", x)
        .set("seq", x ? (std::uint64_t{r.u16(o + 10)} << 32) | r.u32(o + 12) : r.u32(o + 8) & 0xffffff);
    std::size_t fixed = generic + type_fields(type, x);
    if (length < fixed) return l.set("type_missing", fixed - length), void();
    std::size_t a = o + generic;
    // tcpdump reads the Request's, Response's and Reset's fields before it names the type, and
    // every other type's acknowledgement number (even an unknown type's) after.
    if ((type == 0 || type == 1 || type == 7) && !r.has(o, fixed)) return c.truncated("dccp");
    if (type == 0) l.set("service", r.u32(a));
    if (type == 1) l.set("service", r.u32(a + 8));
    if (type == 7) l.set("reset_code", r.u8(a + 8));
    if (type == 0 || type == 2) return;
    if (!r.has(a, x ? 8 : 4)) return c.truncated("dccp");
    l.set("ack", x ? (std::uint64_t{r.u16(a + 2)} << 32) | r.u32(a + 4) : r.u32(a) & 0xffffff);
}

void print_dccp(PrintContext& p, const Layer& l) {
    if (l.has("missing")) {
        p.put("truncated-dccp - {} bytes missing!", p.num(l, "missing"));
        return p.stop();
    }
    if (!l.has("sport")) return;  // cut short: tcpdump prints nothing before its marker
    p.raw("DCCP ");
    std::uint64_t type = p.num(l, "type");
    std::string_view name = type_name(type);
    if (l.has("type_missing")) {
        p.put("truncated-{} - {} bytes missing!", name, p.num(l, "type_missing"));
        return p.stop();
    }
    if ((type == 0 || type == 1) && !l.has("service")) return;  // cut: the marker follows "DCCP "
    if (type == 7 && !l.has("reset_code")) return;
    if (name.empty()) p.put("unknown-type-{} ", type);
    else p.put("{} ", name);
    if (type == 0 || type == 1) p.put("(service={}) ", p.num(l, "service"));
    if (type == 7) p.put("(code={}) ", reset_code(p.num(l, "reset_code")));
    if (type != 0 && type != 2 && l.has("ack")) p.put("(ack={}) ", p.num(l, "ack"));
}

}  // namespace decode::detail
