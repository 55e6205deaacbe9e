// Link layers whose filters sniff compiles and tcpdump prints without -e as their payload alone:
// OpenBSD pf logs (PFLOG) and ARCnet (ARCNET, ARCNET_LINUX). Layouts as tcpdump's print-pflog.c
// and print-arcnet.c read them.
#include "decode/dissect.hpp"

namespace decode::detail {
namespace {

// Up to 16 bytes of a NUL-padded name, with anything unprintable shown as '.'.
std::string name_at(const ByteReader& r, std::size_t at) {
    std::string out;
    for (std::size_t i = 0; i < 16 && r.has(at + i, 1) && r.u8(at + i) != 0; ++i) {
        const std::uint8_t ch = r.u8(at + i);
        out += ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '.';
    }
    return out;
}

}  // namespace

// struct pfloghdr (OpenBSD's if_pflog.h): its length in byte 0, padded to 4 bytes before the
// packet; the address family as OpenBSD numbers it (AF_INET 2, AF_INET6 24).
void dissect_pflog(Context& c) {
    const ByteReader& r = c.r;
    if (!r.has(0, 61)) return c.truncated("pflog");
    const std::size_t length = (r.u8(0) + 3u) & ~3u;
    c.out.link_length = length;
    const std::uint8_t family = r.u8(1);
    c.add("pflog", 0).set("family", family).set("action", r.u8(2)).set("reason", r.u8(3)).set("ifname", name_at(r, 4))
        .set("ruleset", name_at(r, 20)).set("rulenr", r.u32(36)).set("subrulenr", r.u32(40)).set("direction", r.u8(60));
    if (length < 61 || !r.has(0, length)) return c.truncated("pflog");
    if (family == 2) return dissect_ipv4(c, length);
    if (family == 24) return dissect_ipv6(c, length);
    c.add("link", length).set("linktype", std::uint64_t{117}).set("length", r.available(length, r.size()));
}

// Source and destination bytes, on Linux 2 bytes of offset, then the protocol ID; RFC 1201's
// IDs are followed by a split flag and a sequence number (4 more bytes after an exception's
// 0xff flag), RFC 1051's older IPv4 and ARP IDs by the payload itself. A fragment after the
// first has no header of its payload.
void dissect_arcnet(Context& c, bool linux_header) {
    const ByteReader& r = c.r;
    const std::size_t id_at = linux_header ? 4 : 2;
    if (!r.has(0, id_at + 1)) return c.truncated("arcnet");
    const std::uint8_t id = r.u8(id_at);
    c.add("arcnet", 0).set("src", r.u8(0)).set("dst", r.u8(1)).set("protocol", id);
    std::size_t payload = id_at + 1;
    if (id != 0xf0 && id != 0xf1) {
        if (!r.has(payload, 3)) return c.truncated("arcnet");
        const std::uint8_t flag = r.u8(payload);
        if (flag == 0xff) payload += 4;
        if (flag & 1 && flag != 0xff) {
            c.add("link", payload + 3).set("linktype", std::uint64_t{linux_header ? 129u : 7u}).set("length", r.available(payload + 3, r.size()));
            return;
        }
        payload += 3;
    }
    c.out.link_length = payload;
    switch (id) {
        case 0xd4:
        case 0xf0: return dissect_ipv4(c, payload);
        case 0xc4: return dissect_ipv6(c, payload);
        case 0xd5:
        case 0xf1: return dissect_arp(c, payload, false);
        case 0xd6: return dissect_arp(c, payload, true);
        default: c.add("link", payload).set("linktype", std::uint64_t{linux_header ? 129u : 7u}).set("length", r.available(payload, r.size()));
    }
}

}  // namespace decode::detail
