// Internal to src/decode: the dissectors and printers of the protocols that plug in through
// registry.cpp, each pair in its own file. A dissector has PayloadDissector's shape, a printer
// Printer's; both are named after the protocol (dissect_vrrp, print_vrrp).
#pragma once

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

namespace decode::detail {

// --- core protocols
void print_icmp(PrintContext& p, const Layer& l);
void print_quoted(PrintContext& p, const Layer& l);
void print_icmp6(PrintContext& p, const Layer& l);

// --- routing and redundancy protocols

// --- link-layer protocols

// --- applications

}  // namespace decode::detail
