// Bounds-checked walk from the link layer to the transport header.
#include "decode/summary.hpp"

#include <fmt/format.h>

#include <ctime>

namespace decode {
namespace {

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
    bool has(std::size_t off, std::size_t n) const { return off + n <= d_.size(); }
    std::uint8_t u8(std::size_t off) const { return d_[off]; }
    std::uint16_t u16(std::size_t off) const { return static_cast<std::uint16_t>((d_[off] << 8) | d_[off + 1]); }
    std::size_t size() const { return d_.size(); }
    std::span<const std::uint8_t> bytes(std::size_t off, std::size_t n) const { return d_.subspan(off, n); }

private:
    std::span<const std::uint8_t> d_;
};

std::string ipv4_text(std::span<const std::uint8_t> a) { return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]); }

std::string ipv6_text(std::span<const std::uint8_t> a) {
    // RFC 5952 shortening of the longest run of zero groups.
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
        i = j == i ? i + 1 : j;
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best) { out += "::"; i += best_len - 1; continue; }
        if (!out.empty() && out.back() != ':') out += ':';
        out += fmt::format("{:x}", g[i]);
    }
    return out;
}

std::string transport(const Reader& r, std::size_t off, std::size_t end, std::uint8_t proto, const std::string& src,
                      const std::string& dst, const char* family) {
    std::size_t avail = end > off ? end - off : 0;
    if ((proto == 6 || proto == 17 || proto == 132) && r.has(off, 4)) {
        std::uint16_t sp = r.u16(off), dp = r.u16(off + 2);
        std::size_t hdr = proto == 17 ? 8 : proto == 132 ? 12 : 20;
        if (proto == 6 && r.has(off + 12, 1)) hdr = (r.u8(off + 12) >> 4) * 4u;
        const char* name = proto == 6 ? "tcp" : proto == 17 ? "udp" : "sctp";
        return fmt::format("{} {}.{} > {}.{}: {}, length {}", family, src, sp, dst, dp, name, avail > hdr ? avail - hdr : 0);
    }
    const char* name = proto == 1 ? "icmp" : proto == 58 ? "icmp6" : proto == 2 ? "igmp" : proto == 47 ? "gre" : nullptr;
    if (name) return fmt::format("{} {} > {}: {}, length {}", family, src, dst, name, avail);
    return fmt::format("{} {} > {}: ip-proto-{}, length {}", family, src, dst, proto, avail);
}

std::string network(const Reader& r, std::size_t off, std::uint16_t ethertype, std::uint32_t wire) {
    switch (ethertype) {
        case 0x0800: {
            if (!r.has(off, 20)) return "IP [|ip]";
            std::size_t ihl = (r.u8(off) & 0xf) * 4u;
            std::size_t total = r.u16(off + 2);
            std::string src = ipv4_text(r.bytes(off + 12, 4)), dst = ipv4_text(r.bytes(off + 16, 4));
            std::uint16_t frag = r.u16(off + 6);
            if ((frag & 0x1fff) != 0)
                return fmt::format("IP {} > {}: ip-proto-{} fragment, offset {}, length {}", src, dst, r.u8(off + 9),
                                   (frag & 0x1fff) * 8, total > ihl ? total - ihl : 0);
            return transport(r, off + ihl, off + total, r.u8(off + 9), src, dst, "IP");
        }
        case 0x86dd: {
            if (!r.has(off, 40)) return "IP6 [|ip6]";
            std::size_t payload = r.u16(off + 4);
            return transport(r, off + 40, off + 40 + payload, r.u8(off + 6), ipv6_text(r.bytes(off + 8, 16)),
                             ipv6_text(r.bytes(off + 24, 16)), "IP6");
        }
        case 0x0806:
        case 0x8035: {
            const char* name = ethertype == 0x0806 ? "ARP" : "RARP";
            if (!r.has(off, 28)) return fmt::format("{} [|arp]", name);
            std::uint16_t opcode = r.u16(off + 6);
            const char* what = opcode == 1 ? "request" : opcode == 2 ? "reply" : opcode == 3 ? "reverse request"
                             : opcode == 4 ? "reverse reply" : "opcode";
            return fmt::format("{} {} > {}: {}, length {}", name, ipv4_text(r.bytes(off + 14, 4)),
                               ipv4_text(r.bytes(off + 24, 4)), what, r.size() > off ? r.size() - off : 0);
        }
        default: return fmt::format("ethertype 0x{:04x}, length {}", ethertype, wire);
    }
}

}  // namespace

std::string summarize(const capture::Packet& p, int dlt) {
    Reader r(p.data);
    std::size_t off = 0, type_at = 0;
    switch (dlt) {
        case 1: off = 14; type_at = 12; break;     // Ethernet
        case 113: off = 16; type_at = 14; break;   // Linux cooked v1
        case 276: off = 20; type_at = 0; break;    // Linux cooked v2
        default: return fmt::format("link type {}, length {}", dlt, p.wire_length);
    }
    if (!r.has(type_at, 2)) return fmt::format("[|link] length {}", p.wire_length);
    std::uint16_t ethertype = r.u16(type_at);
    std::string prefix;
    // 802.1Q / 802.1ad tags in front of the real EtherType.
    while (dlt == 1 && (ethertype == 0x8100 || ethertype == 0x88a8) && r.has(off, 4)) {
        prefix += fmt::format("vlan {} ", r.u16(off) & 0x0fff);
        ethertype = r.u16(off + 2);
        off += 4;
    }
    if (dlt == 1 && ethertype <= 1500) return prefix + fmt::format("802.3, length {}", p.wire_length);
    return prefix + network(r, off, ethertype, p.wire_length);
}

std::string format_time(const capture::Packet& p) {
    std::time_t t = static_cast<std::time_t>(p.ts_sec);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:02d}:{:02d}:{:02d}.{:06d}", tm.tm_hour, tm.tm_min, tm.tm_sec, p.ts_usec);
}

}  // namespace decode
