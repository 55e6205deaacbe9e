// Internal to src/decode: small formatting rules the routing and redundancy protocol printers
// share, each one a fact of how tcpdump 4.99 renders a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/layers.hpp"
#include "decode/reader.hpp"

namespace decode::detail {

// A duration in seconds as tcpdump's unsigned_relts_print writes it: "0s", "1m45s", "2h3m".
std::string relative_seconds(std::uint32_t seconds);
// Up to `n` captured bytes from `offset` as printable text, stopping at the first NUL: bytes
// with the high bit set get "M-", control characters "^" and the character 0x40 above (as
// tcpdump's nd_printjnp). Sets `complete` false when the capture ends before n bytes or a NUL.
std::string printable_text(const ByteReader& r, std::size_t offset, std::size_t n, bool& complete);
// Lower-case hex of n captured bytes, no separators.
std::string hex_bytes(const ByteReader& r, std::size_t offset, std::size_t n);
// tcpdump's dump of bytes it could not decode (print_unknown_data): lines of "\n\t0x0000:  "
// and 16 bytes as groups of two hex bytes; only the captured ones among [offset, offset + n).
std::string hex_lines(const ByteReader& r, std::size_t offset, std::size_t n, std::string_view indent = "\n\t");
// The hop limit of the IPv4 or IPv6 header just before `layers.back()`; 0 if there is none.
std::uint64_t enclosing_ttl(const Decoded& d);

}  // namespace decode::detail
