// EAP over LAN (IEEE 802.1X-2020 clause 11; EtherType 0x888e): protocol version, packet type
// and body length. tcpdump's first line gives these.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_eapol(Context& c, std::size_t o, std::size_t /*end*/) {
    Layer& l = c.add("eapol", o);
    if (!c.r.has(o, 4)) return c.truncated("eap");
    l.set("version", c.r.u8(o)).set("type", c.r.u8(o + 1)).set("body_length", c.r.u16(o + 2));
}

void print_eapol(PrintContext& p, const Layer& l) {
    // Packet types (11.3.2, table 11-3).
    static constexpr const char* kTypes[] = {"EAP packet", "EAPOL start", "EAPOL logoff", "EAPOL key", "Encapsulated ASF alert"};
    if (!l.has("type")) return;  // nothing captured: the line ends with the marker alone
    const std::uint64_t type = p.num(l, "type");
    p.put("{} ({}) v{}, len {}", type < std::size(kTypes) ? kTypes[type] : "unknown", type, p.num(l, "version"),
          p.num(l, "body_length"));
}

}  // namespace decode::detail
