// Convenience wrappers over decode_packet and append_text.
#include "decode/summary.hpp"

#include "decode/decode.hpp"
#include "decode/text.hpp"
#include "decode/timestamp.hpp"

namespace decode {

std::string summarize(const capture::Packet& p, int dlt) {
    Decoded d;
    decode_packet(p.data, p.wire_length, dlt, nullptr, d);
    std::string out;
    append_text(out, d, TextOptions{});
    return out;
}

std::string format_time(const capture::Packet& p) {
    std::string out;
    TimestampFormatter(TimeFormat::clock).append(out, p.ts_sec, p.ts_usec);
    out.pop_back();  // the separating space
    return out;
}

}  // namespace decode
