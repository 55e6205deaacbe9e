// Cisco VLAN Trunking Protocol (SNAP OUI 00000c, PID 0x2003): version, message type, then a
// body per type. tcpdump's first line gives version, type and length.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_vtp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("vtp", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 2)) return c.truncated("vtp");
    l.set("version", c.r.u8(o)).set("code", c.r.u8(o + 1));
}

void print_vtp(PrintContext& p, const Layer& l) {
    static constexpr const char* kCodes[] = {"", "Summary advertisement", "Subset advertisement", "Advertisement request",
                                             "Join message"};
    const std::uint64_t code = p.num(l, "code");
    p.put("VTPv{}, Message {} (0x{:02x}), length {}", p.num(l, "version"),
          code && code < std::size(kCodes) ? kCodes[code] : "Unknown message type", code, p.num(l, "length"));
}

}  // namespace decode::detail
