// Packet bytes as tcpdump's -x/-X (hex, hex and ASCII) and -A (ASCII) print them.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace decode {

// "\t0x0000:  4500 003c …  E..<…" lines of 16 bytes; `ascii` adds the -X column.
void append_hex_dump(std::string& out, std::span<const std::uint8_t> bytes, bool ascii);
// -A: printable bytes as they are, newlines kept, CR before LF dropped, the rest as '.'.
void append_ascii_dump(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace decode
