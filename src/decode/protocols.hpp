// Internal to src/decode: the dissectors and printers of the protocols that plug in through
// registry.cpp, each pair in its own file. A dissector has PayloadDissector's shape, a printer
// Printer's; both are named after the protocol (dissect_vrrp, print_vrrp).
#pragma once

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

#include <string>

namespace decode::detail {

// --- core protocols
void print_icmp(PrintContext& p, const Layer& l);
void print_quoted(PrintContext& p, const Layer& l);
void print_icmp6(PrintContext& p, const Layer& l);

// --- routing and redundancy protocols

// --- link-layer protocols

// --- applications

// TCP options (tcp_options.cpp): tcpdump's text between "options [" and "]", and how it ended.
struct TcpOptionsText {
    std::string text;
    // bad: "[bad opt]" then "]" ends the line; bad_first: the first option was bad, and tcpdump
    // prints no "]"; truncated: the capture cut an option's kind or length, the line ends with
    // the marker; truncated_closed: it cut a later option's data, and tcpdump adds ">" after it.
    enum End { complete, bad, bad_first, truncated, truncated_closed } end = complete;
    bool mptcp = false;  // an MPTCP option was printed: later truncation reads "[|mptcp]"
};
// The options in the `size` header bytes at `at`; `tcp_flags` is the header's flags byte (MPTCP
// reads SYN and ACK), `sack_base` what SACK edges are made relative to (0: absolute).
TcpOptionsText tcp_options_text(const ByteReader& r, std::size_t at, std::size_t size, std::uint8_t tcp_flags,
                                std::uint32_t sack_base);
// Appends " <length> <subtype> <fields>" of the MPTCP option of `len` bytes at `at` (RFC 8684);
// false when its length does not fit the subtype (tcpdump then prints "[bad opt]").
bool mptcp_option_text(const ByteReader& r, std::size_t at, std::size_t len, std::uint8_t tcp_flags, std::string& out);

// GRE versions 0 and 1 (gre.cpp; dissect_gre is declared in dissect.hpp).
void print_gre(PrintContext& p, const Layer& l);

// SCTP's common header, its chunks, and the ForCES message a DATA chunk carries (sctp.cpp;
// dissect_sctp is declared in dissect.hpp).
void print_sctp(PrintContext& p, const Layer& l);
void print_sctp_chunk(PrintContext& p, const Layer& l);
void print_forces(PrintContext& p, const Layer& l);

// AFS's Rx RPC header and ACK packets (rx.cpp).
void dissect_rx(Context& c, std::size_t offset, std::size_t end);
void print_rx(PrintContext& p, const Layer& l);

// Redis's RESP (resp.cpp).
void dissect_resp(Context& c, std::size_t offset, std::size_t end);
void print_resp(PrintContext& p, const Layer& l);

// ESP, over IP or in UDP port 4500 with NAT keepalives (esp.cpp).
void dissect_esp(Context& c, std::size_t offset, std::size_t end);
void print_esp(PrintContext& p, const Layer& l);
void dissect_udp_encap(Context& c, std::size_t offset, std::size_t end);
void print_udp_encap(PrintContext& p, const Layer& l);

// sFlow version 5's datagram header (sflow.cpp).
void dissect_sflow(Context& c, std::size_t offset, std::size_t end);
void print_sflow(PrintContext& p, const Layer& l);

// DCCP's generic header and type subheaders (dccp.cpp).
void dissect_dccp(Context& c, std::size_t offset, std::size_t end);
void print_dccp(PrintContext& p, const Layer& l);

// PGM's header (pgm.cpp).
void dissect_pgm(Context& c, std::size_t offset, std::size_t end);
void print_pgm(PrintContext& p, const Layer& l);

// ISAKMP's header, IKEv2's exchange line (isakmp.cpp).
void dissect_isakmp(Context& c, std::size_t offset, std::size_t end);
void print_isakmp(PrintContext& p, const Layer& l);

}  // namespace decode::detail
