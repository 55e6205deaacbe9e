// The decoded layers as one JSON object (one line, no trailing newline), for jq and scripts.
#pragma once

#include <cstdint>
#include <string>

#include "decode/layers.hpp"

namespace decode {

struct JsonPacketInfo {
    std::uint64_t number = 0;  // 1-based position in the capture
    std::int64_t ts_sec = 0;
    std::uint32_t ts_usec = 0;
};

void append_json(std::string& out, const Decoded& packet, const JsonPacketInfo& info);
// RFC 8259 7 string escaping (control characters as \u00XX); bytes >= 0x80 are escaped too, so
// the output is valid UTF-8 whatever the packet held.
void append_json_string(std::string& out, std::string_view s);

}  // namespace decode
