// Internal to src/decode: the dissectors and printers of the protocols that plug in through
// registry.cpp, each pair in its own file. A dissector has PayloadDissector's shape, a printer
// Printer's; both are named after the protocol (dissect_vrrp, print_vrrp).
#pragma once

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

namespace decode::detail {

// --- routing and redundancy protocols

// --- link-layer protocols
// ARP, RARP and ATM ARP (arp.cpp; dissect_arp is in dissect.hpp).
void print_arp(PrintContext& p, const Layer& l);
// The EtherType's name as tcpdump prints it, "Unknown Protocol (0x....)" when it has none.
std::string ethertype_name(std::uint64_t type);
// A Q.922 address of at most `n` bytes at `at`: its length in bytes (2 to 4) and the DLCI; 0 when
// cut short, -1 when malformed (arp.cpp).
int parse_q922(const ByteReader& r, std::size_t at, std::size_t n, std::uint64_t& dlci);

// --- applications

}  // namespace decode::detail
