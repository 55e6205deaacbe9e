// OSPF, IP protocol 89: version 2 (RFC 2328 appendix A.3.1) and version 3 (RFC 5340 appendix
// A.3.1). Both start with version, packet type and packet length.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_ospf(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    bool ipv6 = !c.out.layers.empty() && c.out.layers.back().protocol == "ipv6";
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it)
        if (it->protocol == "ipv4" || it->protocol == "ipv6") {
            ipv6 = it->protocol == "ipv6";
            break;
        }
    Layer& l = c.add("ospf", o);
    l.set("length", end > o ? end - o : 0).set_flag("over_ipv6", ipv6);
    // tcpdump names its OSPF printers "ospf2" and "ospf3" after the IP version.
    // Over IPv4 it first reads the authentication type (bytes 14-15).
    if (!r.has(o, ipv6 ? 2 : 16)) return c.truncated(ipv6 ? "ospf3" : "ospf2");
    l.set("version", r.u8(o)).set("type", r.u8(o + 1));
    if (r.has(o + 2, 2)) l.set("packet_length", r.u16(o + 2));
    // RFC 2328 appendix D.4.3: the 16-byte MD5 digest trails the packet; tcpdump leaves it out
    // of the length it prints.
    if (r.u8(o) == 2 && r.has(o + 14, 2)) l.set("auth_type", r.u16(o + 14));
}

void print_ospf(PrintContext& p, const Layer& l) {
    static constexpr std::string_view kTypes[] = {"", "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack"};
    std::uint64_t version = p.num(l, "version"), type = p.num(l, "type");
    std::string_view name = type < std::size(kTypes) ? kTypes[type] : "";
    p.put("OSPFv{}, ", version);
    // Over IPv4 tcpdump looks an unknown type up in its LSA type table.
    if (name.empty() && l.flag("over_ipv6")) p.put("unknown packet type ({})", type);
    else if (name.empty()) p.put("unknown LS-type {}", type);
    else p.raw(name);
    std::uint64_t length = p.num(l, "length");
    if (version == 2 && l.num("auth_type") == 2 && length >= 16) length -= 16;
    p.put(", length {}", length);
    if (version == 3) return;
    if (version != 2) return p.put(" [version {}]", version);
    if (!p.verbose()) return;
    if (length > p.num(l, "packet_length")) p.put(" [len {}]", l.num("packet_length"));
}

}  // namespace decode::detail
