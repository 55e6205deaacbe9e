// Internal to src/decode: the dissectors and printers of the protocols that plug in through
// registry.cpp, each pair in its own file. A dissector has PayloadDissector's shape, a printer
// Printer's; both are named after the protocol (dissect_vrrp, print_vrrp).
#pragma once

#include "decode/dissect.hpp"
#include "decode/print_context.hpp"

namespace decode::detail {

// --- routing and redundancy protocols

// --- link-layer protocols

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

}  // namespace decode::detail
