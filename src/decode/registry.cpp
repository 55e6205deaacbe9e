// The tables behind registry.hpp. Rows are grouped by protocol family; within a table the first
// matching row wins, so a row placed earlier takes precedence for a port both ends could claim.
#include "decode/registry.hpp"

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

enum class Ends { either, source, destination };

struct PortRow {
    std::uint16_t port;
    Ends ends;
    PayloadDissector dissect;
};

void dns_over_udp(Context& c, std::size_t o, std::size_t end) { dissect_dns(c, o, end, false); }
void dns_over_tcp(Context& c, std::size_t o, std::size_t end) { dissect_dns(c, o, end, true); }
void http_first_line(Context& c, std::size_t o, std::size_t end) { dissect_text_banner(c, o, end, "http"); }
void ssh_banner(Context& c, std::size_t o, std::size_t end) { dissect_text_banner(c, o, end, "ssh"); }

// UDP ports (IANA registry; the set and order tcpdump's udp_print tests).
constexpr PortRow kUdpPorts[] = {
    // --- core applications
    {53, Ends::either, dns_over_udp},
    {5353, Ends::either, dns_over_udp},
    {67, Ends::either, dissect_dhcp},
    {68, Ends::either, dissect_dhcp},
    {123, Ends::either, dissect_ntp},
    {4789, Ends::destination, dissect_vxlan},
    {8472, Ends::destination, dissect_vxlan},
    {6081, Ends::destination, dissect_geneve},
    // --- routing and redundancy protocols
    {1985, Ends::either, dissect_hsrp},
    {3784, Ends::either, dissect_bfd},
    {4784, Ends::either, dissect_bfd},
    {6784, Ends::either, dissect_bfd},
    {3785, Ends::destination, dissect_bfd},
    {6696, Ends::either, dissect_babel},
    {6697, Ends::either, dissect_babel},
    {520, Ends::either, dissect_rip},
    {646, Ends::either, dissect_ldp},
    {3503, Ends::either, dissect_lspping},
    {698, Ends::either, dissect_olsr},
    {701, Ends::either, dissect_lmp},
    {5359, Ends::either, dissect_ahcp},
    // --- management, tunnelling and other applications
    {7000, Ends::either, dissect_rx}, {7001, Ends::either, dissect_rx}, {7002, Ends::either, dissect_rx},
    {7003, Ends::either, dissect_rx}, {7004, Ends::either, dissect_rx}, {7005, Ends::either, dissect_rx},
    {7006, Ends::either, dissect_rx}, {7007, Ends::either, dissect_rx}, {7008, Ends::either, dissect_rx},
    {7009, Ends::either, dissect_rx},  // AFS Rx (fileserver 7000 … 7009)
    {4500, Ends::either, dissect_udp_encap},  // IPsec NAT traversal (RFC 3948)
    {6343, Ends::either, dissect_sflow},
    {500, Ends::either, dissect_isakmp},
    {319, Ends::either, dissect_ptp},  // IEEE 1588 annex D: event and general messages
    {320, Ends::either, dissect_ptp},
    {49152, Ends::either, dissect_bcm_li},  // Broadcom LI shim
};

// TCP ports.
constexpr PortRow kTcpPorts[] = {
    // --- core applications
    {80, Ends::either, http_first_line},
    {8080, Ends::either, http_first_line},
    {3128, Ends::either, http_first_line},
    {8000, Ends::either, http_first_line},
    {22, Ends::either, ssh_banner},
    {53, Ends::either, dns_over_tcp},
    // --- routing protocols
    {179, Ends::either, dissect_bgp},
    {646, Ends::either, dissect_ldp},
    // --- other applications
    {6379, Ends::either, dissect_resp},  // Redis
};

template <std::size_t N>
PayloadDissector by_port(const PortRow (&rows)[N], std::uint16_t sport, std::uint16_t dport) {
    for (const auto& row : rows) {
        bool hit = row.ends == Ends::either ? (sport == row.port || dport == row.port)
                 : row.ends == Ends::source ? sport == row.port : dport == row.port;
        if (hit) return row.dissect;
    }
    return nullptr;
}

struct NumberRow {
    std::uint32_t number;
    PayloadDissector dissect;
};

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers") beyond the ones network.cpp
// decodes itself (TCP, UDP, SCTP, ICMP, ICMPv6, IGMP, GRE, IP in IP).
constexpr NumberRow kIpProtocols[] = {
    // --- routing and redundancy protocols
    {88, dissect_eigrp},
    {89, dissect_ospf},
    {103, dissect_pim},
    {112, dissect_vrrp},
    {46, dissect_rsvp},
    {51, dissect_ah},
    // --- other protocols
    {50, dissect_esp},
    {33, dissect_dccp},
    {113, dissect_pgm},
    {0, nullptr},  // end of table (a null dissector never matches)
};

// EtherTypes (IEEE registry) beyond the ones link.cpp handles (IPv4, IPv6, ARP, VLAN, MPLS, PPPoE).
constexpr NumberRow kEtherTypes[] = {
    // --- routing and redundancy protocols
    {0xfefe, dissect_osi_ethertype},
    // --- link-layer protocols
    {0x88f7, dissect_ptp},
    {0x88a2, dissect_aoe},
    {0x88be, dissect_erspan_ii},
    {0x22eb, dissect_erspan_iii},
    {0x88cc, dissect_lldp},
    {0x8809, dissect_slow_protocols},
    {0x9000, dissect_loopback},
    {0x888e, dissect_eapol},
    {0x8947, dissect_geonet},
    {0x0707, dissect_geonet},  // the EtherType of early GeoNetworking deployments
    {0x1111, dissect_calm_fast},
    {0x6003, dissect_decnet},
    {0x8137, dissect_ipx_ethertype},
    // --- other protocols
    {0, nullptr},  // end of table
};

// 802.2 LLC DSAPs (not SNAP, which names an EtherType, nor STP's 0x42, which link.cpp decodes).
constexpr NumberRow kLlcSaps[] = {
    // --- routing and redundancy protocols
    {0xfe, dissect_osi_llc},
    // --- link-layer protocols
    {0xe0, dissect_ipx_llc},
    {0, nullptr},  // end of table
};

template <std::size_t N>
PayloadDissector by_number(const NumberRow (&rows)[N], std::uint32_t number) {
    for (const auto& row : rows)
        if (row.dissect && row.number == number) return row.dissect;
    return nullptr;
}

struct PrinterRow {
    std::string_view protocol;
    Printer print;
};

// Printers of the layers text.cpp does not print itself.
constexpr PrinterRow kPrinters[] = {
    // --- core protocols
    {"icmp", print_icmp},
    {"quoted", print_quoted},
    {"icmp6", print_icmp6},
    // --- routing and redundancy protocols
    {"vrrp", print_vrrp},
    {"hsrp", print_hsrp},
    {"bfd", print_bfd},
    {"eigrp", print_eigrp},
    {"pim", print_pim},
    {"ospf", print_ospf},
    {"isis", print_isis},
    {"bgp", print_bgp},
    {"babel", print_babel},
    {"rip", print_rip},
    {"ldp", print_ldp},
    {"rsvp", print_rsvp},
    {"lspping", print_lspping},
    {"olsr", print_olsr},
    {"lmp", print_lmp},
    {"ahcp", print_ahcp},
    {"ah", print_ah},
    // --- link-layer protocols
    {"arp", print_arp},
    {"rarp", print_arp},
    {"chdlc", print_chdlc},
    {"slarp", print_slarp},
    {"fr", print_fr},
    {"frf15", print_frf15},
    {"radiotap", print_radiotap},
    {"802.11", print_ieee80211},
    {"ipoib", print_ipoib},
    {"ipnet", print_ipnet},
    {"nflog", print_nflog},
    {"slip", print_slip},
    {"vsock", print_vsock},
    {"dsa", print_dsa},
    {"edsa", print_dsa},
    {"brcm", print_brcm},
    {"brcm_prepend", print_brcm},
    {"unsupported_link", print_unsupported_link},
    {"ptp", print_ptp},
    {"aoe", print_aoe},
    {"erspan", print_erspan},
    {"stp", print_stp},
    {"stp_msti", print_stp_msti},
    {"stp_spt", print_stp_spt},
    {"cdp", print_cdp},
    {"dtp", print_dtp},
    {"udld", print_udld},
    {"vtp", print_vtp},
    {"lldp", print_lldp},
    {"bcm_li", print_bcm_li},
    {"slow_protocols", print_slow_protocols},
    {"loopback", print_loopback},
    {"eapol", print_eapol},
    {"geonet", print_geonet},
    {"calm_fast", print_calm_fast},
    {"decnet", print_decnet},
    {"nsp", print_nsp},
    {"ipx", print_ipx},
    // --- applications
    {"gre", print_gre},
    {"sctp", print_sctp},
    {"sctp_chunk", print_sctp_chunk},
    {"forces", print_forces},
    {"rx", print_rx},
    {"resp", print_resp},
    {"esp", print_esp},
    {"udp_encap", print_udp_encap},
    {"sflow", print_sflow},
    {"dccp", print_dccp},
    {"pgm", print_pgm},
    {"isakmp", print_isakmp},
    {"", nullptr},  // end of table
};

}  // namespace

PayloadDissector udp_payload_dissector(std::uint16_t sport, std::uint16_t dport) { return by_port(kUdpPorts, sport, dport); }
PayloadDissector tcp_payload_dissector(std::uint16_t sport, std::uint16_t dport) { return by_port(kTcpPorts, sport, dport); }
PayloadDissector ip_protocol_dissector(std::uint8_t protocol) { return by_number(kIpProtocols, protocol); }
PayloadDissector ethertype_dissector(std::uint16_t type) { return by_number(kEtherTypes, type); }
PayloadDissector llc_dissector(std::uint8_t dsap) { return by_number(kLlcSaps, dsap); }
Printer printer_for(std::string_view protocol) {
    for (const auto& row : kPrinters)
        if (row.print && row.protocol == protocol) return row.print;
    return nullptr;
}

}  // namespace decode::detail
