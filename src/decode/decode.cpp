// Starts the dissector chain at the link layer; everything else follows from each header.
#include "decode/decode.hpp"

#include "decode/dissect.hpp"

namespace decode {

void decode_packet(std::span<const std::uint8_t> bytes, std::uint32_t wire_length, int dlt, TcpFlows* flows,
                   Decoded& out) {
    out.clear_layers();
    out.layers.reserve(detail::kMaxLayers);
    out.truncated = {};
    out.truncated_depth = 0;
    out.link_length = 0;
    out.captured = bytes.size();
    out.bytes = bytes;
    out.wire_length = wire_length;
    detail::Context c{ByteReader(bytes), out, flows};
    detail::dissect_link(c, dlt);
    if (out.link_length > bytes.size()) out.link_length = bytes.size();
}

}  // namespace decode
