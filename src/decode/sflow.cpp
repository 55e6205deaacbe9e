// sFlow version 5 datagrams (UDP port 6343; sFlow.org "sFlow Version 5", section "sFlow
// Datagram Format"): version, agent address type (1 IPv4, 2 IPv6), agent address, sub-agent
// ID. tcpdump's one-line form names those and the UDP payload length.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_sflow(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("sflow", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 8)) return c.truncated("sflow");  // version and agent address type
    std::uint32_t version = r.u32(o);
    if (end - o < 28) return l.set("version", version).set_flag("too_short", true), void();
    if (!r.has(o, 28)) return c.truncated("sflow");  // tcpdump then reads the IPv4-agent header size
    std::uint32_t address_type = r.u32(o + 4);
    l.set("version", version);
    if (version != 5) return;
    l.set("agent_address_type", address_type);
    bool v4 = address_type == 1;
    if (!r.has(o + 8, v4 ? 8 : 20)) return c.truncated("sflow");
    l.set("agent", v4 ? ipv4_text(r, o + 8) : ipv6_text(r, o + 8)).set("agent_id", r.u32(o + (v4 ? 12 : 24)));
}

void print_sflow(PrintContext& p, const Layer& l) {
    if (!l.has("version")) return;
    std::uint64_t version = p.num(l, "version");
    if (l.flag("too_short")) return p.put("sFlowv{} [length {} < 28] (invalid)", version, p.num(l, "length"));
    if (version != 5) return p.put("sFlow version {} packet not supported", version);
    std::uint64_t type = p.num(l, "agent_address_type");
    p.put("sFlowv{}, {} agent {}, agent-id {}, length {}", version, type == 1 ? "IPv4" : "IPv6", p.text(l, "agent"),
          p.num(l, "agent_id"), p.num(l, "length"));
    p.stop();
}

}  // namespace decode::detail
