// Text forms of addresses (RFC 5952 for IPv6) and the Internet checksum (RFC 1071).
#include <fmt/format.h>

#include <charconv>

#include "decode/dissect.hpp"

namespace decode::detail {

// Addresses are formatted for every packet, so by hand rather than through a format string.
std::string ipv4_text(const ByteReader& r, std::size_t o) {
    char buf[16];  // "255.255.255.255"
    char* p = buf;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i) *p++ = '.';
        unsigned v = r.u8(o + i);
        if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
        if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
        *p++ = static_cast<char>('0' + v % 10);
    }
    return std::string(buf, p);
}

std::string ipv6_text(const ByteReader& r, std::size_t o) {
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i) g[i] = r.u16(o + 2 * static_cast<std::size_t>(i));
    // RFC 5952 4.2: the longest run of two or more zero groups (the first on a tie) becomes "::".
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    // RFC 4291 2.5.5.2: IPv4-mapped addresses keep the dotted quad.
    if (best == 0 && best_len == 5 && g[5] == 0xffff) return "::ffff:" + ipv4_text(r, o + 12);
    char buf[48];
    char* p = buf;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (p != buf && p[-1] != ':') *p++ = ':';
        p = std::to_chars(p, buf + sizeof buf, g[i], 16).ptr;
    }
    return std::string(buf, p);
}

std::string mac_text(const ByteReader& r, std::size_t o) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(17, ':');
    for (std::size_t i = 0; i < 6; ++i) {
        s[3 * i] = kHex[r.u8(o + i) >> 4];
        s[3 * i + 1] = kHex[r.u8(o + i) & 0xf];
    }
    return s;
}

std::uint32_t ones_sum(const ByteReader& r, std::size_t offset, std::size_t n, std::uint32_t sum) {
    auto b = r.bytes(offset, n);
    // A 64-bit accumulator cannot overflow on any packet, so carries are folded once at the end.
    std::uint64_t wide = sum;
    std::size_t i = 0;
    for (; i + 1 < b.size(); i += 2) wide += static_cast<std::uint32_t>((b[i] << 8) | b[i + 1]);
    if (i < b.size()) wide += static_cast<std::uint32_t>(b[i] << 8);
    while (wide >> 16) wide = (wide & 0xffff) + (wide >> 16);
    return static_cast<std::uint32_t>(wide);
}

std::uint16_t fold_checksum(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

}  // namespace decode::detail
