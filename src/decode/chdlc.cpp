// Cisco HDLC (the framing of Cisco's serial links, as RFC 1547 section 4.3.1 describes it): an
// address octet (0x0f unicast, 0x8f broadcast), a control octet, and an EtherType naming the
// payload. SLARP (EtherType 0x8035 on these links) asks for and tells the link's IPv4 address
// and carries keepalives: a 4-byte code, then address and mask, or two sequence numbers, a
// reliability word and an optional 4-byte uptime in milliseconds.
#include <fmt/format.h>

#include "decode/protocols.hpp"
#include "decode/registry.hpp"

namespace decode::detail {
namespace {

constexpr std::size_t kHeader = 4, kSlarpShort = 14, kSlarpLong = 18;

void dissect_slarp(Context& c, std::size_t o, std::size_t length) {
    const ByteReader& r = c.r;
    Layer& l = c.add("slarp", o);
    l.set("length", length);
    if (!r.has(o, kSlarpShort)) return c.truncated("chdlc_slarp");
    const std::uint32_t code = r.u32(o);
    l.set("code", code);
    switch (code) {
        case 0: break;  // request
        case 1: l.set("address", ipv4_text(r, o + 4)).set("mask", ipv4_text(r, o + 8)); break;
        case 2:
            l.set("mine_seen", r.u32(o + 4)).set("your_seen", r.u32(o + 8)).set("reliability", r.u16(o + 12));
            if (length >= kSlarpLong) {
                if (!r.has(o + kSlarpShort, 4)) return c.truncated("chdlc_slarp");
                l.set("uptime_ms", r.u32(o + kSlarpShort));
            }
            break;
        default: break;
    }
    l.set("data", hex_field(r, o + 4, r.available(o + 4, o + length)));
    l.set("trailing", hex_field(r, o + kSlarpLong, r.available(o + kSlarpLong, o + length)));
}

}  // namespace

void dissect_chdlc(Context& c, std::size_t o) {
    const ByteReader& r = c.r;
    const std::size_t wire = c.out.wire_length > o ? c.out.wire_length - o : 0;
    Layer& l = c.add("chdlc", o);
    l.set("length", wire);
    if (wire < kHeader || !r.has(o, kHeader)) return c.truncated("chdlc");
    const std::uint16_t protocol = r.u16(o + 2);
    l.set("address", r.u8(o)).set("control", r.u8(o + 1)).set("protocol", protocol);
    c.out.link_length = o + kHeader;
    std::size_t at = o + kHeader;
    switch (protocol) {
        case 0x0800: return dissect_ipv4(c, at);
        case 0x86dd: return dissect_ipv6(c, at);
        case 0x8847:
        case 0x8848: return dissect_ethertype(c, at, protocol);
        case 0x8035: return dissect_slarp(c, at, wire - kHeader);
        case 0xfefe:  // OSI: a pad octet of 0 may come first
            if (!r.has(at, 1)) return c.truncated("chdlc");
            if (r.u8(at) == 0) ++at;
            if (PayloadDissector next = ethertype_dissector(protocol)) return next(c, at, o + wire);
            return;
        default: return;
    }
}

void print_chdlc(PrintContext& p, const Layer& l) {
    if (!l.has("protocol")) return;  // cut short: tcpdump prints only the marker
    const std::uint64_t protocol = p.num(l, "protocol");
    if (p.options().link_header) {
        const std::uint64_t address = p.num(l, "address");
        if (address == 0x0f) p.put("unicast, ");
        else if (address == 0x8f) p.put("bcast, ");
        else p.put("0x{:02x}, ", address);
        p.put("ethertype {} (0x{:04x}), length {}: ", ethertype_name_or(protocol, "Unknown"), protocol, p.num(l, "length"));
        p.payload_named();
        return;
    }
    if (!p.next() && protocol != 0x8035 && protocol != 0x0800 && protocol != 0x86dd && protocol != 0x8847 && protocol != 0x8848 &&
        protocol != 0xfefe)
        p.put("unknown CHDLC protocol (0x{:04x})", protocol);
}

void print_slarp(PrintContext& p, const Layer& l) {
    const std::uint64_t length = p.num(l, "length");
    p.put("SLARP (length: {}), ", length);
    if (!l.has("code")) return;  // cut short: the marker follows
    const std::uint64_t code = p.num(l, "code");
    switch (code) {
        case 0: p.put("request"); break;
        case 1: p.put("reply {}/{}", p.text(l, "address"), p.text(l, "mask")); break;
        case 2:
            p.put("keepalive: mineseen=0x{:08x}, yourseen=0x{:08x}, reliability=0x{:04x}", p.num(l, "mine_seen"),
                  p.num(l, "your_seen"), p.num(l, "reliability"));
            if (length >= kSlarpLong) {
                std::uint64_t sec = p.num(l, "uptime_ms") / 1000, min = sec / 60, hrs = min / 60, days = hrs / 24;
                p.put(", link uptime={}d{}h{}m{}s", days, hrs % 24, min % 60, sec % 60);
            }
            break;
        default:
            p.put("0x{:02x} unknown", code);
            if (p.verbose() <= 1) print_hex_field(p, l, "data", false);
            break;
    }
    if (length > kSlarpLong && p.verbose()) p.put(", (trailing junk: {} bytes)", length - kSlarpLong);
    // tcpdump's -vv dump starts after the uptime when a keepalive has one, else after the code.
    if (p.verbose() > 1) print_hex_field(p, l, code == 2 && length >= kSlarpLong ? "trailing" : "data", false);
}

}  // namespace decode::detail
