// A minimal pcapng writer (one section, one interface, Enhanced Packet Blocks, microseconds) for
// benchmarks and tests: libpcap 1.10 reads pcapng but cannot write it, and editcap is not here.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace pcapng_write {

inline void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    std::uint8_t bytes[4];
    std::memcpy(bytes, &v, 4);
    b.insert(b.end(), bytes, bytes + 4);
}

inline void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
    std::uint8_t bytes[2];
    std::memcpy(bytes, &v, 2);
    b.insert(b.end(), bytes, bytes + 2);
}

// Section Header Block then Interface Description Block (pcapng draft, sections 4.1 and 4.2).
inline void append_header(std::vector<std::uint8_t>& b, std::uint16_t linktype, std::uint32_t snaplen) {
    put32(b, 0x0A0D0D0A);
    put32(b, 28);
    put32(b, 0x1A2B3C4D);
    put16(b, 1);
    put16(b, 0);
    put32(b, 0xffffffff);  // section length unknown (-1, 64 bits)
    put32(b, 0xffffffff);
    put32(b, 28);
    put32(b, 1);
    put32(b, 20);
    put16(b, linktype);
    put16(b, 0);
    put32(b, snaplen);
    put32(b, 20);
}

// One Enhanced Packet Block; the default if_tsresol is microseconds.
inline void append_packet(std::vector<std::uint8_t>& b, std::uint64_t ts_usec, std::uint32_t wire_length,
                          std::span<const std::uint8_t> data) {
    const std::uint32_t padded = (static_cast<std::uint32_t>(data.size()) + 3) & ~3u;
    const std::uint32_t total = 32 + padded;
    put32(b, 6);
    put32(b, total);
    put32(b, 0);
    put32(b, static_cast<std::uint32_t>(ts_usec >> 32));
    put32(b, static_cast<std::uint32_t>(ts_usec));
    put32(b, static_cast<std::uint32_t>(data.size()));
    put32(b, wire_length);
    b.insert(b.end(), data.begin(), data.end());
    b.insert(b.end(), padded - data.size(), 0);
    put32(b, total);
}

}  // namespace pcapng_write
