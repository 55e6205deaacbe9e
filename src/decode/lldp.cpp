// Link Layer Discovery Protocol (IEEE 802.1AB-2016 clause 8; EtherType 0x88cc): a sequence of
// TLVs, each a 7-bit type and 9-bit length, ending with the End Of LLDPDU TLV (type 0).
// tcpdump's first line gives the length and each System Name (TLV 5); a newline separates
// several in the system_name field.
#include <algorithm>

#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_lldp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("lldp", o);
    l.set("length", end > o ? end - o : 0);
    std::size_t count = 0;
    std::string names;  // every System Name TLV's value, one per line
    for (std::size_t at = o; end - at >= 2;) {
        if (!c.r.has(at, 2)) return c.truncated("lldp");
        const std::uint16_t header = c.r.u16(at);
        const std::size_t type = header >> 9, length = header & 0x1ffu;
        at += 2;
        if (length > end - at) return c.truncated("lldp");  // longer than the LLDPDU
        if (!c.r.has(at, length)) return c.truncated("lldp");
        ++count;
        if (type == 5) {
            if (l.has("system_name") || !names.empty()) names += '\n';
            for (std::size_t i = 0; i < length; ++i) names += static_cast<char>(c.r.u8(at + i));
            l.fields.erase(std::remove_if(l.fields.begin(), l.fields.end(), [](const Field& f) { return f.key == "system_name"; }),
                           l.fields.end());
            l.set("system_name", names);
        }
        at += length;
        if (type == 0) break;
    }
    l.set("tlv_count", count);
}

void print_lldp(PrintContext& p, const Layer& l) {
    p.put("LLDP, length {}", p.num(l, "length"));
    if (!l.has("system_name")) return;
    // Each System Name, as tcpdump prints text: "^X" for control characters, "M-" for 8-bit ones.
    p.raw(": ");
    for (char ch : p.text(l, "system_name")) {
        auto u = static_cast<unsigned char>(ch);
        if (ch == '\n') {
            p.raw(": ");
            continue;
        }
        if (u & 0x80) {
            p.raw("M-");
            u &= 0x7f;
        }
        if (u < 0x20 || u == 0x7f) {
            p.raw("^");
            u ^= 0x40;
        }
        const char out = static_cast<char>(u);
        p.raw(std::string_view(&out, 1));
    }
}

}  // namespace decode::detail
