// Cisco Discovery Protocol (SNAP OUI 00000c, PID 0x2000): version, TTL, checksum, then
// type-length-value fields whose length counts their 4-byte header. tcpdump's first line names
// the device (TLV 1, Device-ID).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_cdp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("cdp", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 2)) return c.truncated("cdp");
    l.set("version", c.r.u8(o)).set("ttl", c.r.u8(o + 1));
    if (!c.r.has(o + 2, 2)) return c.truncated("cdp");
    l.set("checksum", c.r.u16(o + 2));
    // The first line names the device when Device-ID is the first field; tcpdump prints the
    // other fields' values on lines of their own, then the length.
    const std::size_t at = o + 4;
    bool more = at < end;
    if (at + 4 <= end && c.r.has(at, 4) && c.r.u16(at) == 0x0001 && c.r.u16(at + 2) >= 4) {
        const std::size_t length = c.r.u16(at + 2);
        if (!c.r.has(at + 4, length - 4)) return c.truncated("cdp");
        std::string id;
        for (std::size_t i = 4; i < length; ++i) id += static_cast<char>(c.r.u8(at + i));
        l.set("device_id", std::move(id));
        more = at + length < end;
    }
    l.set_flag("more_fields", more);
}

void print_cdp(PrintContext& p, const Layer& l) {
    p.put("CDPv{}, ttl: {}s", p.num(l, "version"), p.num(l, "ttl"));
    if (l.has("device_id")) {
        p.raw(", Device-ID '");
        for (char ch : p.text(l, "device_id")) {
            auto u = static_cast<unsigned char>(ch);
            if (u >= 0x20 && u < 0x7f) p.raw(std::string_view(&ch, 1));
            else p.put("\\0x{:02x}", u);
        }
        p.raw("'");
    }
    if (!p.flag(l, "more_fields")) p.put(", length {}", p.num(l, "length"));
}

}  // namespace decode::detail
