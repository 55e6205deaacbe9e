// Per-link-type layout knowledge, in one table: where the network layer starts and how its
// protocol is named. Adding a DLT is one row in link_type.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sniff {

// How a link type names the network-layer protocol of a frame.
enum class ProtocolField {
    EtherType,       // a 16-bit EtherType at `protocol_offset` (Ethernet, cooked, Cisco HDLC)
    PppProtocol,     // a 16-bit PPP protocol number at `protocol_offset` (0x21 IPv4, 0x57 IPv6)
    IpVersion,       // no field: the IP version nibble of the packet itself (raw IP)
    Ipv4Only,        // every packet is IPv4
    Ipv6Only,        // every packet is IPv6
    AfHostOrder,     // a 4-byte BSD address family in the capturing host's byte order (NULL)
    AfNetworkOrder,  // the same in network byte order (LOOP)
};

struct LinkType {
    int dlt;                         // DLT_* value, as libpcap's pcap_datalink() reports it
    std::string_view name;           // tcpdump's -y name
    std::string_view description;
    std::uint32_t network_offset;    // first byte of the network-layer header
    ProtocolField protocol_field;
    std::uint32_t protocol_offset;   // where that field is, when it is in the frame
    bool ethernet_header;            // MAC addresses and 802.1Q tags (ether host, vlan…) apply
};

std::span<const LinkType> link_types();
const LinkType* find_link_type(int dlt);
// Accepts a name (case-insensitive, "EN10MB") or a DLT number ("1").
const LinkType* find_link_type(std::string_view name_or_number);

inline constexpr int kDefaultDlt = 1;  // EN10MB

}  // namespace sniff
