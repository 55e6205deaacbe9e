// Generic Routing Encapsulation: version 0 (RFC 2784 with RFC 2890's key and sequence number,
// and RFC 1701's routing field and source route entries) and version 1, PPTP's enhanced GRE
// (RFC 2637 section 4.1: call ID in the key's low half, acknowledgement number). tcpdump 4.99
// decodes the payload for IPv4, IPv6, MPLS and transparent Ethernet bridging (version 0) and
// names every other protocol type "gre-proto-0x<type>".
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// RFC 1701 flag bits, as tcpdump names them under -v.
constexpr std::uint16_t kChecksum = 0x8000, kRouting = 0x4000, kKey = 0x2000, kSequence = 0x1000,
                        kStrictRoute = 0x0800, kAck = 0x0080;

std::string flag_names(std::uint16_t flags) {
    static constexpr std::pair<std::uint16_t, std::string_view> kNames[] = {
        {kChecksum, "checksum present"}, {kRouting, "routing present"}, {kKey, "key present"},
        {kSequence, "sequence# present"}, {kStrictRoute, "source routing present"}, {kAck, "ack present"}};
    std::string out;
    for (auto [bit, name] : kNames)
        if (flags & bit) {
            if (!out.empty()) out += ", ";
            out += name;
        }
    return out.empty() ? "none" : out;
}

// RFC 1701 section 2.1: source route entries of an address family (IPv4 0x0800, ASN 0xfffe),
// an offset to the active entry and a length; a zero family and length end the list. Returns
// false where the entries run past the packet.
bool source_routes(const ByteReader& r, std::size_t& at, std::size_t end, std::string& out) {
    for (int guard = 0; guard < 256; ++guard) {
        if (at + 4 > end || !r.has(at, 4)) return false;
        std::uint16_t family = r.u16(at);
        std::size_t offset = r.u8(at + 2), length = r.u8(at + 3);
        at += 4;
        if (family == 0 && length == 0) return true;
        std::size_t unit = family == 0x0800 ? 4 : family == 0xfffe ? 2 : 0;
        if (unit == 0) {
            out += fmt::format(", (rtaf=0x{:x})", family);
        } else {
            out += family == 0x0800 ? ", (rtaf=ip" : ", (rtaf=asn";
            if (offset % unit) out += fmt::format(", badoffset={}", offset);
            else if (length % unit) out += fmt::format(", badlength={}", length);
            else if (offset >= length) out += fmt::format(", badoff/len={}/{}", offset, length);
            else
                for (std::size_t i = 0; i < length; i += unit) {
                    if (!r.has(at + i, unit)) {
                        out += ')';  // tcpdump closes the entry before the truncation marker
                        return false;
                    }
                    out += fmt::format(" {}{}", i == offset ? "*" : "",
                                       unit == 4 ? ipv4_text(r, at + i) : fmt::format("{:x}", r.u16(at + i)));
                }
            out += ')';
        }
        if (at + length > end) return false;
        at += length;
    }
    return true;
}


}  // namespace

void dissect_gre(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("gre", o);
    std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (!r.has(o, 2)) return c.truncated("gre");
    std::uint16_t flags = r.u16(o);
    unsigned version = flags & 7u;
    l.set("version", version).set("flags", flags);
    if (version > 1) return;
    if (!r.has(o + 2, 2)) return c.truncated("gre");
    std::uint16_t proto = r.u16(o + 2);
    l.set("protocol", proto);
    // The header's fields must lie inside the length IP states and inside the capture. tcpdump
    // reads the first four bytes without the length test.
    std::size_t stop = length >= 4 ? end : SIZE_MAX, at = o + 4;
    auto need = [&](std::size_t n) { return at + n <= stop && r.has(at, n); };
    if (version == 0) {
        if (flags & (kChecksum | kRouting)) {
            if (!need(2)) return c.truncated("gre");
            l.set("checksum", r.u16(at));
            at += 2;
            if (!need(2)) return c.truncated("gre");
            l.set("routing_offset", r.u16(at));
            at += 2;
        }
    }
    if (flags & kKey) {
        if (!need(4)) return c.truncated("gre");
        if (version == 0) l.set("key", r.u32(at));
        else l.set("payload_length", r.u16(at)).set("call_id", r.u16(at + 2));
        at += 4;
    }
    if (flags & kSequence) {
        if (!need(4)) return c.truncated("gre");
        l.set("sequence", r.u32(at));
        at += 4;
    }
    if (version == 1 && (flags & kAck)) {
        if (!need(4)) return c.truncated("gre");
        l.set("ack", r.u32(at));
        at += 4;
    }
    if (version == 0 && (flags & kRouting)) {
        std::string routes;
        bool whole = source_routes(r, at, stop, routes);
        l.set("routing", std::move(routes));
        if (!whole) return c.truncated("gre");
    }
    l.set_flag("header_complete", true);
    if (version == 1 || !c.can_nest()) return;  // PPTP carries PPP, which sniff does not decode here
    switch (proto) {
        case 0x0800: return dissect_ipv4(c, at);
        case 0x86dd: return dissect_ipv6(c, at);
        case 0x8847: case 0x6558: return dissect_ethertype(c, at, proto);
        default: return;
    }
}

void print_gre(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version"), flags = p.num(l, "flags");
    p.put("GREv{}", version);
    if (version > 1) {
        p.put(" ERROR: unknown-version");
        return p.stop();
    }
    if (p.verbose()) p.put(", Flags [{}]", flag_names(static_cast<std::uint16_t>(flags)));
    std::uint64_t proto = p.num(l, "protocol");
    if (version == 0 && (flags & (kChecksum | kRouting))) {
        std::uint64_t checksum = p.num(l, "checksum");
        if (p.verbose()) p.put(", sum 0x{:x}", checksum);
        p.put(", off 0x{:x}", p.num(l, "routing_offset"));
    }
    if (flags & kKey) {
        if (version == 0) p.put(", key=0x{:x}", p.num(l, "key"));
        else p.put(", call {}", p.num(l, "call_id"));
    }
    if (flags & kSequence) p.put(", seq {}", p.num(l, "sequence"));
    if (version == 1 && (flags & kAck)) p.put(", ack {}", p.num(l, "ack"));
    if (version == 0 && (flags & kRouting)) {
        p.raw(p.text(l, "routing"));
        p.flag(l, "header_complete");
    }
    if (version == 1 && !(flags & kSequence)) p.put(", no-payload");
    p.flag(l, "header_complete");
    if (p.options().link_header) p.put(", proto {} (0x{:04x})", ethertype_name_or(proto, "unknown"), proto);
    p.put(", length {}", p.num(l, "length"));
    if (version == 1 && !(flags & kSequence)) return p.stop();
    p.raw(p.verbose() ? "\n\t" : ": ");

    bool decoded = version == 0 && (proto == 0x0800 || proto == 0x86dd || proto == 0x8847 || proto == 0x6558);
    bool named_by_tcpdump = decoded || proto == 0x8137 || proto == 0x809b || proto == 0x00fe || (version == 1 && proto == 0x880b);
    if (!named_by_tcpdump) p.put("gre-proto-0x{:x}", proto);
}

}  // namespace decode::detail
