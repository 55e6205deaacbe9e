// Entry point of the packet decoder: captured bytes and link type in, a layer list out.
#pragma once

#include <cstdint>
#include <span>

#include "decode/layers.hpp"
#include "decode/tcp_flows.hpp"

namespace decode {

// Decodes one packet into `out` (cleared first; its buffers are reused between packets).
// `dlt` is the capture's LINKTYPE. `flows`, when given, makes TCP numbers relative as tcpdump
// prints them; it must see the packets in capture order. Never reads past `bytes`.
void decode_packet(std::span<const std::uint8_t> bytes, std::uint32_t wire_length, int dlt, TcpFlows* flows,
                   Decoded& out);

}  // namespace decode
