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
// A Q.922 address (fr.cpp): 1 when read, 0 when malformed, -1 when cut short (within `n` bytes).
struct Q922Address {
    std::uint64_t dlci = 0;
    std::size_t length = 0;   // 2, 3 or 4 bytes
    std::uint32_t flags = 0;  // C/R, DE, BECN, FECN and D/C bits (kFr* in fr.cpp)
};
int parse_q922(const ByteReader& r, std::size_t at, std::size_t n, Q922Address& out);
// Frame Relay (fr.cpp): a Q.922 address, then a Cisco EtherType or RFC 2427's NLPID.
void dissect_fr(Context& c, std::size_t offset);
void print_fr(PrintContext& p, const Layer& l);
void print_frf15(PrintContext& p, const Layer& l);
// Radiotap (radiotap.cpp), then IEEE 802.11 (ieee80211.cpp) at `offset`; `fcs`: the frame ends
// with its 4-byte FCS; `pad`: the 802.11 header is padded to a multiple of 4 bytes.
void dissect_radiotap(Context& c);
void print_radiotap(PrintContext& p, const Layer& l);
void dissect_ieee80211(Context& c, std::size_t offset, bool fcs, bool pad);
void print_ieee80211(PrintContext& p, const Layer& l);
std::string_view ieee80211_status_text(std::uint64_t code);
std::string_view ieee80211_reason_text(std::uint64_t code);
// Captures' own link headers: IPoIB, Solaris ipnet, Linux NFLOG (ipoib.cpp, ipnet.cpp, nflog.cpp).
void dissect_ipoib(Context& c);
void print_ipoib(PrintContext& p, const Layer& l);
void dissect_ipnet(Context& c);
void print_ipnet(PrintContext& p, const Layer& l);
void dissect_nflog(Context& c);
void print_nflog(PrintContext& p, const Layer& l);
// Switch tags in Ethernet frames (dsa.cpp): Marvell DSA/EDSA, Broadcom (after the source
// address, or prepended to the frame).
void dissect_dsa(Context& c, bool extended);
void dissect_brcm_tag(Context& c, bool prepended);
void print_dsa(PrintContext& p, const Layer& l);
void print_brcm(PrintContext& p, const Layer& l);
// Linux vsock monitor frames (vsock.cpp).
void dissect_vsock(Context& c);
void print_vsock(PrintContext& p, const Layer& l);
// SLIP (slip.cpp): the pseudo-header, then IPv4 or IPv6.
void dissect_slip(Context& c);
void print_slip(PrintContext& p, const Layer& l);
// A link type sniff has no dissector for (unsupported_link.cpp): tcpdump's "UNSUPPORTED" and a dump.
void print_unsupported_link(PrintContext& p, const Layer& l);
bool tcpdump_lacks_printer(int dlt);
// 802.2 LLC (or SNAP) at `offset` up to `end` (link.cpp).
void dissect_8022(Context& c, std::size_t offset, std::size_t end);
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
