// Ethernet Configuration Testing Protocol ("Loopback", EtherType 0x9000; the Ethernet Version
// 2.0 specification, section 8): a little-endian skip count, then functions — Reply (1) with a
// receipt number, Forward Data (2) with a forwarding address — then data. A frame too short for
// the part it announces is invalid ("invalid" names the first part that did not fit).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_loopback(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("loopback", o);
    auto fits = [&](std::size_t at, std::size_t n, const char* part) {
        if (at + n > end) {
            l.set("invalid", part);
            return false;
        }
        if (!c.r.has(at, n)) {
            c.truncated("loopback");
            return false;
        }
        return true;
    };
    if (!fits(o, 2, "skip_count")) return;
    const std::size_t skip = c.r.u16le(o);
    l.set("skip_count", skip);
    const std::size_t at = o + 2 + skip;
    if (!fits(at, 2, "function")) return;
    const std::uint16_t function = c.r.u16le(at);
    l.set("function", function);
    std::size_t data = at + 2;
    if (function == 1) {
        if (!fits(data, 2, "receipt_number")) return;
        l.set("receipt_number", c.r.u16le(data));
        data += 2;
    } else if (function == 2) {
        if (!fits(data, 6, "forwarding_address")) return;
        l.set("forwarding_address", mac_text(c.r, data));
        data += 6;
    }
    l.set("data_length", end > data ? end - data : 0);
}

void print_loopback(PrintContext& p, const Layer& l) {
    const std::string_view invalid = l.has("invalid") ? p.text(l, "invalid") : std::string_view{};
    p.put("Loopback");
    if (invalid == "skip_count") return p.put(" (invalid)");
    p.put(", skipCount {}", p.num(l, "skip_count"));
    if (invalid == "function") return p.put(" (invalid)");
    const std::uint64_t function = p.num(l, "function");
    if (function == 1) p.put(", Reply");
    else if (function == 2) p.put(", Forward Data");
    else p.put(", unknown function {}", function);
    if (!invalid.empty()) return p.put(" (invalid)");
    if (function == 1) p.put(", receipt number {}", p.num(l, "receipt_number"));
    else if (function == 2) p.put(", forwarding address {}", p.text(l, "forwarding_address"));
    p.put(", data ({} octets)", p.num(l, "data_length"));
}

}  // namespace decode::detail
