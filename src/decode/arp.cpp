// ARP and RARP (RFC 826, RFC 903, inverse ARP RFC 2390) and ATM ARP (RFC 2225 section 8.7):
// a fixed header naming the hardware and protocol address types and lengths, then the sender's
// and target's addresses. The line is tcpdump's: the operation and the IPv4 addresses, the
// address types only when they are not Ethernet-like IPv4 (or with -v), and a hex dump of the
// message for an operation it does not know.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// ARP hardware types (IANA "Hardware Types") with the names tcpdump gives them.
constexpr std::uint16_t kFrameRelay = 15, kAtm2225 = 19;

std::string hardware_type_name(std::uint64_t t) {
    switch (t) {
        case 1: return "Ethernet"; case 6: return "TokenRing"; case 7: return "ArcNet"; case 15: return "FrameRelay";
        case 19: return "ATM"; case 23: return "Strip"; case 24: return "IEEE 1394"; case 32: return "InfiniBand";
        default: return fmt::format("Unknown Hardware ({})", t);
    }
}

// Operation codes (IANA "ARP Operation Codes").
std::string operation_name(std::uint64_t op) {
    switch (op) {
        case 1: return "Request"; case 2: return "Reply"; case 3: return "Reverse Request"; case 4: return "Reverse Reply";
        case 8: return "Inverse Request"; case 9: return "Inverse Reply"; case 10: return "NACK Reply";
        default: return fmt::format("Unknown ({})", op);
    }
}

bool ip_protocol(std::uint64_t pro) { return pro == 0x0800 || pro == 0x1000; }  // IPv4, or trailer encapsulation

// A link address as hex bytes joined by ':' (Ethernet's six included); "<empty>" when it has none.
std::string link_address(const ByteReader& r, std::size_t at, std::size_t n) {
    if (n == 0) return "<empty>";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += fmt::format("{}{:02x}", i ? ":" : "", r.u8(at + i));
    return out;
}

// A Frame Relay hardware address is a Q.922 address (RFC 2390 section 3): its DLCI.
std::string q922_address(const ByteReader& r, std::size_t at, std::size_t n) {
    Q922Address a;
    return parse_q922(r, at, n, a) == 1 ? fmt::format("DLCI {}", a.dlci) : std::string{};
}

void dissect_atm_arp(Context& c, Layer& l, std::size_t o) {
    // RFC 2225 8.7: hrd, pro, shtl, sstl, op, spln, thtl, tstl, tpln, then the variable part.
    // The type-and-length octets carry the length in their low 6 bits.
    const ByteReader& r = c.r;
    if (!r.has(o, 12)) return c.truncated("arp");
    std::size_t sha = r.u8(o + 4) & 0x3f, ssa = r.u8(o + 5) & 0x3f, spa = r.u8(o + 8);
    std::size_t tha = r.u8(o + 9) & 0x3f, tsa = r.u8(o + 10) & 0x3f, tpa = r.u8(o + 11);
    l.set("hardware_type", r.u16(o)).set("protocol_type", r.u16(o + 2)).set("opcode", r.u16(o + 6))
        .set("sender_hardware_length", sha).set("sender_subaddress_length", ssa).set("sender_protocol_length", spa)
        .set("target_hardware_length", tha).set("target_subaddress_length", tsa).set("target_protocol_length", tpa);
    const std::size_t at_sha = o + 12, at_ssa = at_sha + sha, at_spa = at_ssa + ssa, at_tha = at_spa + spa,
                      at_tsa = at_tha + tha, at_tpa = at_tsa + tsa;
    if (!r.has(at_tpa, tpa)) return c.truncated("arp");
    l.set("sender_mac", sha ? link_address(r, at_sha, sha) : std::string("<No address>"))
        .set("target_mac", tha ? link_address(r, at_tha, tha) : std::string("<No address>"));
    if (ssa) l.set("sender_subaddress", link_address(r, at_ssa, ssa));
    if (tsa) l.set("target_subaddress", link_address(r, at_tsa, tsa));
    if (ip_protocol(r.u16(o + 2)) && spa == 4) l.set("sender_ip", ipv4_text(r, at_spa));
    if (ip_protocol(r.u16(o + 2)) && tpa == 4) l.set("target_ip", ipv4_text(r, at_tpa));
    l.set("message", hex_field(r, o, r.available(o, r.size())));
}

// The protocol address as tcpdump spells it: the IPv4 address, or why it cannot be one.
std::string_view protocol_address(PrintContext& p, const Layer& l, std::string_view key, std::string_view wrong_length) {
    if (!ip_protocol(p.num(l, "protocol_type"))) return "<wrong proto type>";
    if (!l.has(key)) return wrong_length;
    return p.text(l, key);
}

// "hardware[,subaddress]" of an ATM ARP party.
std::string atm_address(PrintContext& p, const Layer& l, std::string_view hardware, std::string_view subaddress) {
    std::string out(p.text(l, hardware));
    if (l.has(subaddress)) out += fmt::format(",{}", p.text(l, subaddress));
    return out;
}

void print_message_dump(PrintContext& p, const Layer& l) { print_hex_field(p, l, "message", true); }

void print_atm_arp(PrintContext& p, const Layer& l) {
    std::uint64_t pro = p.num(l, "protocol_type"), op = p.num(l, "opcode");
    std::uint64_t spa = p.num(l, "sender_protocol_length"), tpa = p.num(l, "target_protocol_length");
    if (!ip_protocol(pro) || spa != 4 || tpa != 4 || p.verbose()) {
        p.put("{}, {} (len {}/{})", hardware_type_name(p.num(l, "hardware_type")), ethertype_name(pro), spa, tpa);
        if (!p.verbose()) return p.put(", length {}", p.num(l, "length"));
    }
    p.put("{}{} ", p.verbose() ? ", " : "", operation_name(op));
    auto sender = [&] { return protocol_address(p, l, "sender_ip", "<wrong splen>"); };
    auto target = [&] { return protocol_address(p, l, "target_ip", "<wrong tplen>"); };
    switch (op) {
        case 1:
            p.put("who-has {}", target());
            if (p.num(l, "target_hardware_length")) p.put(" ({})", atm_address(p, l, "target_mac", "target_subaddress"));
            p.put(" tell {}", sender());
            break;
        case 2: p.put("{} is-at {}", sender(), atm_address(p, l, "sender_mac", "sender_subaddress")); break;
        case 8:
            p.put("who-is {}", atm_address(p, l, "target_mac", "target_subaddress"));
            p.put(" tell {}", atm_address(p, l, "sender_mac", "sender_subaddress"));
            break;
        case 9: p.put("{}at {}", atm_address(p, l, "sender_mac", "sender_subaddress"), sender()); break;  // no space: tcpdump's
        case 10: p.put("for {}", sender()); break;
        default: return print_message_dump(p, l);
    }
    p.put(", length {}", p.num(l, "length"));
}

}  // namespace


void dissect_arp(Context& c, std::size_t o, bool reverse) {
    const ByteReader& r = c.r;
    Layer& l = c.add(reverse ? "rarp" : "arp", o);
    l.set("length", c.out.wire_length > o ? c.out.wire_length - o : r.available(o, r.size()));
    if (r.has(o, 2) && r.u16(o) == kAtm2225) return dissect_atm_arp(c, l, o);
    if (!r.has(o, 8)) return c.truncated("arp");
    const std::uint16_t hrd = r.u16(o), pro = r.u16(o + 2);
    const std::size_t hlen = r.u8(o + 4), plen = r.u8(o + 5);
    l.set("hardware_type", hrd).set("protocol_type", pro).set("hardware_length", hlen).set("protocol_length", plen)
        .set("opcode", r.u16(o + 6));
    const std::size_t sha = o + 8, spa = sha + hlen, tha = spa + plen, tpa = tha + hlen;
    // tcpdump prints nothing of a message whose addresses were not all captured.
    if (!r.has(tpa, plen)) return c.truncated("arp");
    auto hardware = [&](std::size_t at) { return hrd == kFrameRelay ? q922_address(r, at, hlen) : link_address(r, at, hlen); };
    l.set("sender_mac", hardware(sha)).set("target_mac", hardware(tha));
    bool target_set = false;
    for (std::size_t i = 0; i < hlen; ++i) target_set |= r.u8(tha + i) != 0;
    l.set_flag("target_mac_set", target_set);
    if (plen == 4) l.set("sender_ip", ipv4_text(r, spa)).set("target_ip", ipv4_text(r, tpa));
    l.set("message", hex_field(r, o, r.available(o, r.size())));
}

void print_arp(PrintContext& p, const Layer& l) {
    // A message cut short prints only tcpdump's marker.
    if (!l.has("sender_mac") && p.truncated() == "arp") return;
    if (!p.options().link_header) p.put("ARP, ");
    if (l.has("sender_subaddress_length")) return print_atm_arp(p, l);
    std::uint64_t pro = p.num(l, "protocol_type"), op = p.num(l, "opcode");
    std::uint64_t hlen = p.num(l, "hardware_length"), plen = p.num(l, "protocol_length");
    if (!ip_protocol(pro) || plen != 4 || hlen == 0 || p.verbose()) {
        p.put("{} (len {}), {} (len {})", hardware_type_name(p.num(l, "hardware_type")), hlen, ethertype_name(pro), plen);
        if (!p.verbose()) return p.put(", length {}", p.num(l, "length"));
    }
    p.put("{}{} ", p.verbose() ? ", " : "", operation_name(op));
    auto sender = [&] { return protocol_address(p, l, "sender_ip", "<wrong len>"); };
    auto target = [&] { return protocol_address(p, l, "target_ip", "<wrong len>"); };
    switch (op) {
        case 1:
            p.put("who-has {}", target());
            if (p.flag(l, "target_mac_set")) p.put(" ({})", p.text(l, "target_mac"));
            p.put(" tell {}", sender());
            break;
        case 2: p.put("{} is-at {}", sender(), p.text(l, "sender_mac")); break;
        case 3:
        case 8: p.put("who-is {} tell {}", p.text(l, "target_mac"), p.text(l, "sender_mac")); break;
        case 4: p.put("{} at {}", p.text(l, "target_mac"), target()); break;
        case 9: p.put("{} at {}", p.text(l, "sender_mac"), sender()); break;
        default: return print_message_dump(p, l);
    }
    p.put(", length {}", p.num(l, "length"));
}

}  // namespace decode::detail
