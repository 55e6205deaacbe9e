// Raw bytes a printer dumps the way tcpdump does when it does not decode them (an unknown ARP
// operation, an unknown SLARP code): the dissector keeps them as a hex-text field, and the
// printer turns that back into tcpdump's "\n\t0x0000:  …" lines.
#include <fmt/format.h>

#include "decode/hexdump.hpp"
#include "decode/protocols.hpp"

namespace decode::detail {

std::string hex_field(const ByteReader& r, std::size_t at, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += kHex[r.u8(at + i) >> 4];
        out += kHex[r.u8(at + i) & 0xf];
    }
    return out;
}

void print_hex_field(PrintContext& p, const Layer& l, std::string_view key, bool ascii) {
    std::string_view hex = p.text(l, key);
    auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
    std::vector<std::uint8_t> bytes(hex.size() / 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    std::string dump;
    append_hex_dump(dump, bytes, ascii);
    p.raw(dump);
}

}  // namespace decode::detail
