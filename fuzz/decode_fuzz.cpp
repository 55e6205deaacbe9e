// The decoder over every link type it knows: text (with -e, -q, -v, -vv), hex and ASCII dumps,
// and JSON, which must stay printable ASCII (json.hpp escapes control characters and bytes >= 0x80).
// Input: a link type selector byte, an options byte, packet bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "decode/decode.hpp"
#include "decode/hexdump.hpp"
#include "decode/json.hpp"
#include "decode/text.hpp"
#include "fuzz_input.hpp"
#include "link_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputCursor in(data, size);
    const int dlt = fuzz::kDecodeLinkTypes[in.byte() % std::size(fuzz::kDecodeLinkTypes)];
    const std::uint8_t options = in.byte();
    const std::span<const std::uint8_t> packet = in.rest();
    const auto wire_length = static_cast<std::uint32_t>(packet.size()) + (options >> 4);

    decode::TcpFlows flows;
    decode::Decoded decoded;
    std::string out;
    // Twice with one flow table: the second time TCP numbers are relative.
    for (int round = 0; round < 2; ++round) {
        decode::decode_packet(packet, wire_length, dlt, &flows, decoded);
        if (decoded.link_length > packet.size()) {
            std::fprintf(stderr, "FINDING: link header of %zu bytes in a %zu-byte packet (link type %d)\n", decoded.link_length,
                         packet.size(), dlt);
            std::abort();
        }
        out.clear();
        decode::append_text(out, decoded, {.verbose = options & 3, .link_header = (options & 4) != 0, .quiet = (options & 8) != 0});
        decode::append_hex_dump(out, packet.subspan(decoded.link_length), options & 1);
        decode::append_ascii_dump(out, packet);
        out.clear();
        decode::append_json(out, decoded, {1, 0, 0});
        for (unsigned char c : out) {
            if (c < 0x20 || c >= 0x80) {
                std::fprintf(stderr, "FINDING: JSON output holds byte 0x%02x (link type %d): %s\n", c, dlt, out.c_str());
                std::abort();
            }
        }
    }
    return 0;
}
