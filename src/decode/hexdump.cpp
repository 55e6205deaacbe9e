// tcpdump's dump layout: offset, eight groups of two bytes, two spaces, then the ASCII column.
#include "decode/hexdump.hpp"

namespace decode {
namespace {

char printable(std::uint8_t b) { return b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.'; }
// The -X column shows visible characters only: a space is a '.' there, as tcpdump prints it.
char visible(std::uint8_t b) { return b > 0x20 && b < 0x7f ? static_cast<char>(b) : '.'; }

}  // namespace

void append_hex_dump(std::string& out, std::span<const std::uint8_t> bytes, bool ascii) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t line = 0; line < bytes.size(); line += 16) {
        std::size_t n = bytes.size() - line < 16 ? bytes.size() - line : 16;
        out += "\n\t0x";
        for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(line >> shift) & 0xf];
        out += ": ";
        std::size_t width = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (i % 2 == 0) {
                out += ' ';
                ++width;
            }
            out += kHex[bytes[line + i] >> 4];
            out += kHex[bytes[line + i] & 0xf];
            width += 2;
        }
        if (!ascii) continue;
        // The ASCII column starts where a full line's hex would end (8 groups of " xxxx").
        out.append(40 - width, ' ');
        out += "  ";
        for (std::size_t i = 0; i < n; ++i) out += visible(bytes[line + i]);
    }
}

void append_ascii_dump(std::string& out, std::span<const std::uint8_t> bytes) {
    out += '\n';
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::uint8_t b = bytes[i];
        if (b == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
        out += b == '\n' || b == '\t' ? static_cast<char>(b) : printable(b);
    }
}

}  // namespace decode
