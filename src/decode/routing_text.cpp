// Shared value formatting of the routing and redundancy protocol printers (routing_text.hpp).
#include "decode/routing_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace decode::detail {

std::string relative_seconds(std::uint32_t seconds) {
    if (seconds == 0) return "0s";
    static constexpr std::pair<std::uint32_t, char> kUnits[] = {
        {365u * 24 * 3600, 'y'}, {7u * 24 * 3600, 'w'}, {24u * 3600, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    std::string out;
    for (auto [size, unit] : kUnits) {
        if (seconds >= size) {
            out += fmt::format("{}{}", seconds / size, unit);
            seconds %= size;
        }
    }
    return out;
}

std::string printable_text(const ByteReader& r, std::size_t offset, std::size_t n, bool& complete) {
    std::string out;
    complete = true;
    for (std::size_t i = 0; i < n; ++i) {
        if (!r.has(offset + i, 1)) {
            complete = false;
            return out;
        }
        std::uint8_t ch = r.u8(offset + i);
        if (ch == 0) return out;
        if (ch & 0x80) {
            out += "M-";
            ch &= 0x7f;
        }
        if (ch < 0x20 || ch == 0x7f) {
            out += '^';
            ch ^= 0x40;
        }
        out += static_cast<char>(ch);
    }
    return out;
}

std::string hex_bytes(const ByteReader& r, std::size_t offset, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", r.u8(offset + i));
    return out;
}

std::string hex_lines(const ByteReader& r, std::size_t offset, std::size_t n, std::string_view indent) {
    n = std::min(n, r.available(offset, offset + n));
    std::string out;
    for (std::size_t i = 0; i < n; i += 2) {
        if (i % 16 == 0) out += fmt::format("{}0x{:04x}: ", indent, i);
        out += i + 1 < n ? fmt::format(" {:02x}{:02x}", r.u8(offset + i), r.u8(offset + i + 1)) : fmt::format(" {:02x}", r.u8(offset + i));
    }
    return out;
}

std::uint64_t enclosing_ttl(const Decoded& d) {
    for (auto it = d.layers.rbegin(); it != d.layers.rend(); ++it) {
        if (it->protocol == "ipv4") return it->num("ttl");
        if (it->protocol == "ipv6") return it->num("hop_limit");
    }
    return 0;
}

}  // namespace decode::detail
