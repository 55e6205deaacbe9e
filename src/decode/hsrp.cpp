// Cisco HSRP version 0/1, UDP port 1985 (RFC 2281 section 5): version, op code, state, hello
// time, hold time, priority, group, reserved, 8 bytes of authentication data, virtual IPv4
// address.
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

namespace decode::detail {

void dissect_hsrp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("hsrp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("hsrp");
    l.set("version", r.u8(o));
    if (r.u8(o) != 0) return;
    if (!r.has(o + 1, 1)) return c.truncated("hsrp");
    l.set("op_code", r.u8(o + 1));
    if (!r.has(o + 2, 1)) return c.truncated("hsrp");
    l.set("state", r.u8(o + 2));
    if (!r.has(o + 6, 1)) return c.truncated("hsrp");
    l.set("group", r.u8(o + 6));
    if (!r.has(o + 7, 1)) return c.truncated("hsrp");
    l.set("reserved", r.u8(o + 7));
    if (!r.has(o + 16, 4)) return c.truncated("hsrp");
    l.set("virtual_address", ipv4_text(r, o + 16));
    l.set("hello_time", r.u8(o + 3)).set("hold_time", r.u8(o + 4)).set("priority", r.u8(o + 5));
    bool complete = false;
    l.set("auth_data", printable_text(r, o + 8, 8, complete));
    if (complete) l.set_flag("auth_complete", true);
}

void print_hsrp(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    p.put("HSRPv{}", version);
    if (version != 0) return;
    std::uint64_t op = p.num(l, "op_code");
    static constexpr std::string_view kOps[] = {"hello", "coup", "resign"};
    if (op < std::size(kOps)) p.put("-{} ", kOps[op]);
    else p.put("-unknown ({}) ", op);
    p.put("{}: ", p.num(l, "length"));
    std::uint64_t state = p.num(l, "state");
    std::string_view name;
    switch (state) {
        case 0: name = "initial"; break;
        case 1: name = "learn"; break;
        case 2: name = "listen"; break;
        case 4: name = "speak"; break;
        case 8: name = "standby"; break;
        case 16: name = "active"; break;
        default: break;
    }
    if (name.empty()) p.put("state=Unknown ({}) ", state);
    else p.put("state={} ", name);
    p.put("group={} ", p.num(l, "group"));
    if (!l.has("reserved")) return;
    if (l.num("reserved") != 0) p.put("[reserved={}!] ", l.num("reserved"));
    // A cut header leaves "group=N " and tcpdump's marker follows after that space.
    if (!l.has("virtual_address")) return;
    p.put("addr={}", l.text("virtual_address"));
    if (!p.verbose()) return;
    p.put(" hellotime={} holdtime={} priority={} auth=\"{}", relative_seconds(static_cast<std::uint32_t>(l.num("hello_time"))),
          relative_seconds(static_cast<std::uint32_t>(l.num("hold_time"))), l.num("priority"), l.text("auth_data"));
    p.flag(l, "auth_complete");
    p.put("\"");
}

}  // namespace decode::detail
