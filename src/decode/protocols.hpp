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

// IEEE 1588 PTP (ptp.cpp).
void dissect_ptp(Context& c, std::size_t offset, std::size_t end);
void print_ptp(PrintContext& p, const Layer& l);
// ATA over Ethernet (aoe.cpp).
void dissect_aoe(Context& c, std::size_t offset, std::size_t end);
void print_aoe(PrintContext& p, const Layer& l);
// ERSPAN in GRE (erspan.cpp).
void dissect_erspan_ii(Context& c, std::size_t offset, std::size_t end);
void dissect_erspan_iii(Context& c, std::size_t offset, std::size_t end);
void print_erspan(PrintContext& p, const Layer& l);
// Spanning tree BPDUs (stp.cpp); `offset` is the BPDU after the LLC header.
void dissect_stp(Context& c, std::size_t offset, std::size_t end);
void print_stp(PrintContext& p, const Layer& l);
void print_stp_msti(PrintContext& p, const Layer& l);
void print_stp_spt(PrintContext& p, const Layer& l);
// Cisco Discovery Protocol (cdp.cpp).
void dissect_cdp(Context& c, std::size_t offset, std::size_t end);
void print_cdp(PrintContext& p, const Layer& l);
// Cisco Dynamic Trunking Protocol (dtp.cpp).
void dissect_dtp(Context& c, std::size_t offset, std::size_t end);
void print_dtp(PrintContext& p, const Layer& l);
// UDLD, RFC 5171 (udld.cpp).
void dissect_udld(Context& c, std::size_t offset, std::size_t end);
void print_udld(PrintContext& p, const Layer& l);
// Cisco VLAN Trunking Protocol (vtp.cpp).
void dissect_vtp(Context& c, std::size_t offset, std::size_t end);
void print_vtp(PrintContext& p, const Layer& l);
// LLDP, IEEE 802.1AB (lldp.cpp).
void dissect_lldp(Context& c, std::size_t offset, std::size_t end);
void print_lldp(PrintContext& p, const Layer& l);
// Broadcom LI shim (bcm_li.cpp).
void dissect_bcm_li(Context& c, std::size_t offset, std::size_t end);
void print_bcm_li(PrintContext& p, const Layer& l);
// IEEE 802.3 Slow Protocols: LACP, Marker (slow_protocols.cpp).
void dissect_slow_protocols(Context& c, std::size_t offset, std::size_t end);
void print_slow_protocols(PrintContext& p, const Layer& l);
// Ethernet configuration testing, loopback (loopback.cpp).
void dissect_loopback(Context& c, std::size_t offset, std::size_t end);
void print_loopback(PrintContext& p, const Layer& l);
// EAP over LAN, IEEE 802.1X (eapol.cpp).
void dissect_eapol(Context& c, std::size_t offset, std::size_t end);
void print_eapol(PrintContext& p, const Layer& l);
// ETSI GeoNetworking (geonet.cpp).
void dissect_geonet(Context& c, std::size_t offset, std::size_t end);
void print_geonet(PrintContext& p, const Layer& l);
// CALM FAST, ISO 29281 (calm_fast.cpp).
void dissect_calm_fast(Context& c, std::size_t offset, std::size_t end);
void print_calm_fast(PrintContext& p, const Layer& l);
// DECnet Phase IV routing and NSP (decnet.cpp).
void dissect_decnet(Context& c, std::size_t offset, std::size_t end);
void print_decnet(PrintContext& p, const Layer& l);
void print_nsp(PrintContext& p, const Layer& l);
// Novell IPX (ipx.cpp); the LLC form starts at the LLC header.
void dissect_ipx(Context& c, std::size_t offset, std::size_t end);
void dissect_ipx_llc(Context& c, std::size_t offset, std::size_t end);
void dissect_ipx_ethertype(Context& c, std::size_t offset, std::size_t end);
void print_ipx(PrintContext& p, const Layer& l);

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
