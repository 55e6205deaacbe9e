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
// The EtherType's name, or `unknown` when tcpdump has none for it (arp.cpp).
std::string ethertype_name_or(std::uint64_t type, std::string_view unknown);
// Bytes kept as a hex-text field, and printed as tcpdump's hex dump lines (hex_field.cpp).
std::string hex_field(const ByteReader& r, std::size_t at, std::size_t n);
void print_hex_field(PrintContext& p, const Layer& l, std::string_view key, bool ascii);
// Cisco HDLC and SLARP (chdlc.cpp): the header at `offset`, then its EtherType-named payload.
void dissect_chdlc(Context& c, std::size_t offset);
void print_chdlc(PrintContext& p, const Layer& l);
void print_slarp(PrintContext& p, const Layer& l);

// --- applications

}  // namespace decode::detail
