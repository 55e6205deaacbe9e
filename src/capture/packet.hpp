// One captured packet as every stage sees it: timestamp, lengths and a view of the bytes.
#pragma once

#include <cstdint>
#include <span>

namespace capture {

struct Packet {
    std::int64_t ts_sec = 0;
    std::uint32_t ts_usec = 0;
    std::uint32_t wire_length = 0;
    std::span<const std::uint8_t> data;  // captured bytes (caplen = data.size())
};

}  // namespace capture
