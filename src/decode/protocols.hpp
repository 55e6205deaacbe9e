// Internal to src/decode: the dissectors and printers of the protocols that plug in through
// registry.cpp, each pair in its own file. A dissector has PayloadDissector's shape, a printer
// Printer's; both are named after the protocol (dissect_vrrp, print_vrrp).
#pragma once

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

namespace decode::detail {

// --- routing and redundancy protocols
void dissect_vrrp(Context& c, std::size_t offset, std::size_t end);
void print_vrrp(PrintContext& p, const Layer& l);
void dissect_hsrp(Context& c, std::size_t offset, std::size_t end);
void print_hsrp(PrintContext& p, const Layer& l);
void dissect_bfd(Context& c, std::size_t offset, std::size_t end);
void print_bfd(PrintContext& p, const Layer& l);
void dissect_eigrp(Context& c, std::size_t offset, std::size_t end);
void print_eigrp(PrintContext& p, const Layer& l);
void dissect_pim(Context& c, std::size_t offset, std::size_t end);
void print_pim(PrintContext& p, const Layer& l);
void dissect_ospf(Context& c, std::size_t offset, std::size_t end);
void print_ospf(PrintContext& p, const Layer& l);
void dissect_isis(Context& c, std::size_t offset, std::size_t end);
void print_isis(PrintContext& p, const Layer& l);
// An OSI PDU behind 802.2 LLC SAP 0xfe; `offset` is the LLC header (isis.cpp).
void dissect_osi_llc(Context& c, std::size_t offset, std::size_t end);
// An OSI PDU named by EtherType 0xfefe (Cisco HDLC) (isis.cpp).
void dissect_osi_ethertype(Context& c, std::size_t offset, std::size_t end);
void dissect_bgp(Context& c, std::size_t offset, std::size_t end);
void print_bgp(PrintContext& p, const Layer& l);
void dissect_babel(Context& c, std::size_t offset, std::size_t end);
void print_babel(PrintContext& p, const Layer& l);
void dissect_rip(Context& c, std::size_t offset, std::size_t end);
void print_rip(PrintContext& p, const Layer& l);
void dissect_ldp(Context& c, std::size_t offset, std::size_t end);
void print_ldp(PrintContext& p, const Layer& l);
void dissect_rsvp(Context& c, std::size_t offset, std::size_t end);
void print_rsvp(PrintContext& p, const Layer& l);
void dissect_lspping(Context& c, std::size_t offset, std::size_t end);
void print_lspping(PrintContext& p, const Layer& l);
void dissect_olsr(Context& c, std::size_t offset, std::size_t end);
void print_olsr(PrintContext& p, const Layer& l);
void dissect_lmp(Context& c, std::size_t offset, std::size_t end);
void print_lmp(PrintContext& p, const Layer& l);
void dissect_ahcp(Context& c, std::size_t offset, std::size_t end);
void print_ahcp(PrintContext& p, const Layer& l);
void dissect_ah(Context& c, std::size_t offset, std::size_t end);
void print_ah(PrintContext& p, const Layer& l);

// --- link-layer protocols

// --- applications

}  // namespace decode::detail
