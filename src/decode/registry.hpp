// Internal to src/decode: where protocols plug in. Which dissector an IP protocol number, a UDP
// or TCP port, an EtherType or an LLC SAP names, and which printer prints a layer. Each hook is
// one table in registry.cpp; a new protocol is its own .cpp file plus a row in each table it
// needs. Table order is precedence, as tcpdump's chains of port tests are (udp_print, tcp_print).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

namespace decode::detail {

// Decodes the bytes [offset, end) (end as the enclosing header states it; the captured bytes
// may stop earlier) and appends its layers.
using PayloadDissector = void (*)(Context& c, std::size_t offset, std::size_t end);

// The dissector for a UDP or TCP payload between these ports; null when no table row matches.
PayloadDissector udp_payload_dissector(std::uint16_t sport, std::uint16_t dport);
PayloadDissector tcp_payload_dissector(std::uint16_t sport, std::uint16_t dport);
// The dissector an IP protocol number (IPv4 protocol, IPv6 next header) names; null if none.
PayloadDissector ip_protocol_dissector(std::uint8_t protocol);
// The dissector an EtherType names; null if none (link.cpp handles the encapsulations itself).
PayloadDissector ethertype_dissector(std::uint16_t type);
// The dissector for an 802.2 LLC frame (not SNAP) with this DSAP; `offset` is the LLC header.
PayloadDissector llc_dissector(std::uint8_t dsap);
// The printer of layers named `protocol`; null when text.cpp prints it itself.
Printer printer_for(std::string_view protocol);

}  // namespace decode::detail
