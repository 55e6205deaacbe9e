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
    {0, nullptr},  // end of table (a null dissector never matches)
};

// EtherTypes (IEEE registry) beyond the ones link.cpp handles (IPv4, IPv6, ARP, VLAN, MPLS, PPPoE).
constexpr NumberRow kEtherTypes[] = {
    // --- routing and redundancy protocols
    {0xfefe, dissect_osi_ethertype},
    // --- link-layer protocols
    // --- other protocols
    {0, nullptr},  // end of table
};

// 802.2 LLC DSAPs (not SNAP, which names an EtherType, nor STP's 0x42, which link.cpp decodes).
constexpr NumberRow kLlcSaps[] = {
    // --- routing and redundancy protocols
    {0xfe, dissect_osi_llc},
    // --- link-layer protocols
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
    // --- applications
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
