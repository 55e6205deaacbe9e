// Bounds-checked, big-endian reads over the captured bytes of one packet. Every decoder reads
// through this class, so no decoder can read past what was captured: a read outside the span
// yields 0, and decoders ask has() first to tell a truncated header from a real zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace decode {

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::size_t size() const { return bytes_.size(); }
    // True when [offset, offset + n) lies inside the captured bytes (overflow-safe).
    bool has(std::size_t offset, std::size_t n) const { return offset <= bytes_.size() && n <= bytes_.size() - offset; }
    // Captured bytes from `offset` up to `end`, clipped to what was captured.
    std::size_t available(std::size_t offset, std::size_t end) const {
        std::size_t stop = end < bytes_.size() ? end : bytes_.size();
        return offset < stop ? stop - offset : 0;
    }

    std::uint8_t u8(std::size_t offset) const { return has(offset, 1) ? bytes_[offset] : 0; }
    std::uint16_t u16(std::size_t offset) const {
        return has(offset, 2) ? static_cast<std::uint16_t>((bytes_[offset] << 8) | bytes_[offset + 1]) : 0;
    }
    std::uint32_t u32(std::size_t offset) const {
        return has(offset, 4) ? (std::uint32_t{u16(offset)} << 16) | u16(offset + 2) : 0;
    }
    // Little-endian, for radiotap and BSD loopback headers written in host order.
    std::uint16_t u16le(std::size_t offset) const {
        return has(offset, 2) ? static_cast<std::uint16_t>(bytes_[offset] | (bytes_[offset + 1] << 8)) : 0;
    }
    std::uint32_t u32le(std::size_t offset) const {
        return has(offset, 4) ? std::uint32_t{u16le(offset)} | (std::uint32_t{u16le(offset + 2)} << 16) : 0;
    }
    // Empty when the range was not captured in full.
    std::span<const std::uint8_t> bytes(std::size_t offset, std::size_t n) const {
        return has(offset, n) ? bytes_.subspan(offset, n) : std::span<const std::uint8_t>{};
    }
    std::span<const std::uint8_t> all() const { return bytes_; }

private:
    std::span<const std::uint8_t> bytes_;
};

}  // namespace decode
