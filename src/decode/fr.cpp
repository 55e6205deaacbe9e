// Frame Relay (ITU-T Q.922 addressing; RFC 2427 multiprotocol encapsulation): a 2- to 4-byte
// Q.922 address, then either Cisco's encapsulation (an EtherType right after the address) or a
// UI control octet (0x03), an optional pad octet and an NLPID naming the payload (ISO/IEC TR 9577).
// tcpdump tries the Cisco reading first whenever the octet after the address is not UI.
#include <fmt/format.h>

#include "decode/protocols.hpp"
#include "decode/registry.hpp"

namespace decode::detail {
namespace {

// Q.922 3.2 flag bits, as one word: octet 1's C/R, octet 2's DE/BECN/FECN, the last octet's D/C.
constexpr std::uint32_t kFrCommand = 0x02000000, kFrDiscard = 0x00020000, kFrBecn = 0x00040000, kFrFecn = 0x00080000,
                        kFrDlciCore = 0x00000002;
constexpr std::uint8_t kUi = 0x03;

// NLPIDs (ISO/IEC TR 9577) with tcpdump's names.
std::string_view nlpid_name(std::uint64_t n) {
    switch (n) {
        case 0x00: return "NULL"; case 0x08: return "Q.933"; case 0x09: return "LMI"; case 0x80: return "SNAP";
        case 0x81: return "CLNP"; case 0x82: return "ES-IS"; case 0x83: return "IS-IS"; case 0x84: return "CONS";
        case 0x85: return "IDRP"; case 0x8a: return "X25 ES-IS"; case 0x8e: return "IPv6"; case 0xb1: return "FRF.15";
        case 0xc1: return "ISIS_SPB"; case 0xcc: return "IPv4"; case 0xcf: return "PPP";
        default: return "unknown";
    }
}

// EtherTypes sniff decodes after a Cisco-encapsulated address; any other is not taken for one.
bool decodes_ethertype(std::uint16_t t) {
    switch (t) {
        case 0x0800: case 0x86dd: case 0x0806: case 0x8035: case 0x8847: case 0x8848: case 0x8863: case 0x8864: return true;
        default: return ethertype_dissector(t) != nullptr;
    }
}

// "Q.922, hdr-len N, DLCI N, Flags [..], NLPID|cisco-ethertype name (0x..), length N: "
void print_header(PrintContext& p, const Layer& l, std::uint64_t length, std::uint64_t header_length, std::uint64_t type) {
    std::uint64_t f = p.num(l, "flags");
    std::string flags;
    for (auto [bit, name] : {std::pair{kFrCommand, "C!"}, {kFrDiscard, "DE"}, {kFrBecn, "BECN"}, {kFrFecn, "FECN"}, {kFrDlciCore, "sdlcore"}})
        if (f & bit) flags += fmt::format("{}{}", flags.empty() ? "" : ", ", name);
    p.put("Q.922, hdr-len {}, DLCI {}, Flags [{}], ", header_length, p.num(l, "dlci"), flags.empty() ? "none" : flags);
    if (type <= 0xff) p.put("NLPID {} (0x{:02x}), length {}: ", nlpid_name(type), type, length);
    else p.put("cisco-ethertype {} (0x{:04x}), length {}: ", ethertype_name_or(type, "unknown"), type, length);
}

}  // namespace

int parse_q922(const ByteReader& r, std::size_t at, std::size_t n, Q922Address& a) {
    // Q.922 3.2: the EA bit (0x01) is 0 in every octet but the last. Octet 1 holds the DLCI's
    // high 6 bits and C/R, octet 2 the next 4 and FECN/BECN/DE; a 4-octet address adds 7 DLCI
    // bits in octet 3; the last octet of a 3- or 4-octet address holds 6 more and D/C.
    if (n < 1 || !r.has(at, 1)) return -1;
    if (r.u8(at) & 0x01) return 0;
    if (n < 2 || !r.has(at + 1, 1)) return -1;
    a.length = 2;
    a.dlci = ((r.u8(at) & 0xfcu) << 2) | ((r.u8(at + 1) & 0xf0u) >> 4);
    a.flags = (std::uint32_t{r.u8(at)} & 0x02u) << 24 | (std::uint32_t{r.u8(at + 1)} & 0x0eu) << 16;
    if (r.u8(at + 1) & 0x01) return 1;
    at += 2, n -= 2;
    if (n < 1 || !r.has(at, 1)) return -1;
    ++a.length;
    if (!(r.u8(at) & 0x01)) {
        a.dlci = (a.dlci << 7) | (r.u8(at) >> 1);
        ++a.length;
        ++at, --n;
    }
    if (n < 1 || !r.has(at, 1)) return -1;
    if (!(r.u8(at) & 0x01)) return 0;  // longer than 4 octets
    a.flags |= r.u8(at) & 0x02u;
    a.dlci = (a.dlci << 6) | (r.u8(at) >> 2);
    return 1;
}

void dissect_fr(Context& c, std::size_t o) {
    const ByteReader& r = c.r;
    const std::size_t wire = c.out.wire_length > o ? c.out.wire_length - o : 0;
    Layer& l = c.add("fr", o);
    l.set("length", wire);
    // tcpdump reads nothing of a frame shorter than 4 captured bytes.
    if (!r.has(o, 4)) return c.truncated("fr");
    Q922Address a;
    const int parsed = parse_q922(r, o, wire, a);
    if (parsed < 0) return c.truncated("fr");
    if (parsed == 0) return void(l.set_flag("invalid_address", true));
    l.set("address_length", a.length).set("dlci", a.dlci).set("flags", a.flags);
    const std::size_t control = o + a.length;
    if (!r.has(control, 1) || wire < a.length + 1) return c.truncated("fr");
    l.set("control", r.u8(control));
    if (r.u8(control) != kUi && a.dlci != 0) {
        // Cisco encapsulation: an EtherType where the control octet would be.
        const std::uint16_t type = r.u16(control);
        if (r.has(control, 2) && wire >= a.length + 2) l.set("cisco_ethertype", type);
        if (l.has("cisco_ethertype") && decodes_ethertype(type)) {
            c.out.link_length = control + 2;
            return dissect_ethertype(c, control + 2, type);
        }
    }
    if (!r.has(control + 1, 1) || wire < a.length + 2) return c.truncated("fr");
    const bool pad = r.u8(control + 1) == 0;
    const std::size_t header = a.length + (pad ? 3 : 2);
    l.set_flag("pad", pad);
    if (!r.has(o + header - 1, 1) || wire < header) return c.truncated("fr");
    const std::uint8_t nlpid = r.u8(o + header - 1);
    l.set("header_length", header).set("nlpid", nlpid);
    const std::size_t at = o + header;
    c.out.link_length = at;
    switch (nlpid) {
        case 0xcc: return dissect_ipv4(c, at);
        case 0x8e: return dissect_ipv6(c, at);
        case 0x80:  // SNAP (RFC 2427 5.3): a pad, OUI and PID; OUI 0 names an EtherType
            if (!r.has(at, 5)) return c.truncated("snap");
            if (r.has(at, 5) && r.u8(at) == 0 && r.u16(at + 1) == 0 && r.u8(at + 3) == 0 && decodes_ethertype(r.u16(at + 3)))
                return dissect_ethertype(c, at + 5, r.u16(at + 3));
            break;
        case 0xb1: {  // FRF.15 end-to-end fragmentation: B/E/C flags, a 12-bit sequence number
            Layer& f = c.add("frf15", at);
            f.set("length", o + wire - at);
            if (!r.has(at, 2)) return c.truncated("fr");
            f.set("flags", r.u8(at) & 0xe0u).set("sequence", (r.u8(at) & 0x1eu) << 7 | r.u8(at + 1))
                .set_flag("interface", r.u8(at) & 0x01);
            return;
        }
        case 0x81:
        case 0x82:
        case 0x83:  // OSI protocols start at their NLPID
            if (PayloadDissector next = llc_dissector(0xfe)) return next(c, at - 1, o + wire);
            return;
        default: break;
    }
    // Not decoded: tcpdump dumps the payload (from the address for SNAP).
    const std::size_t dump = nlpid == 0x80 ? o : at;
    l.set("payload", hex_field(r, dump, r.available(dump, o + wire)));
    if (!r.has(dump, o + wire - dump)) c.truncated("fr");
}

void print_frf15(PrintContext& p, const Layer& l) {
    if (!l.has("flags")) return;
    const std::uint64_t f = p.num(l, "flags");
    std::string flags;
    for (auto [bit, name] : {std::pair{0x80u, "Begin"}, {0x40u, "End"}, {0x20u, "Control"}})
        if (f & bit) flags += fmt::format("{}{}", flags.empty() ? "" : ", ", name);
    p.put("FRF.15, seq 0x{:03x}, Flags [{}],{} Fragmentation, length {}", p.num(l, "sequence"), flags.empty() ? "none" : flags,
          p.flag(l, "interface") ? "Interface" : "End-to-End", p.num(l, "length"));
}

void print_fr(PrintContext& p, const Layer& l) {
    if (!l.has("address_length")) {
        if (l.has("invalid_address")) p.put("Q.922, invalid address");
        return;
    }
    const bool e = p.options().link_header;
    const std::uint64_t length = p.num(l, "length"), address_length = p.num(l, "address_length");
    if (!l.has("control")) return;  // cut short: only the marker
    const std::uint64_t control = p.num(l, "control");
    if (control != kUi && p.num(l, "dlci") != 0) {
        if (l.has("cisco_ethertype")) {
            if (e) print_header(p, l, length, address_length, p.num(l, "cisco_ethertype"));
            if (!l.has("pad") && p.next()) {
                if (e) p.payload_named();
                return;
            }
        }
        p.put("UI {:02x}! ", control);
    }
    if (!l.has("pad")) return;
    if (p.flag(l, "pad")) {
        if (address_length != 3) p.put("Pad! ");
    } else if (address_length == 3) {
        p.put("No pad! ");
    }
    if (!l.has("nlpid")) return;
    const std::uint64_t nlpid = p.num(l, "nlpid");
    if (e) print_header(p, l, length, address_length, nlpid);
    if (!l.has("payload")) {
        if (e) p.payload_named();
        return;
    }
    if (!e) print_header(p, l, length, nlpid == 0x80 ? p.num(l, "header_length") : address_length, nlpid);
    print_hex_field(p, l, "payload", true);
}

}  // namespace decode::detail
