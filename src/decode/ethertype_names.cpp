// EtherType names as tcpdump prints them (its table of IEEE-registered types), shared by every
// printer that names an EtherType: Ethernet's -e header, ARP's protocol type, GRE's -e protocol.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {

std::string ethertype_name(std::uint64_t t) {
    return ethertype_name_or(t, fmt::format("Unknown Protocol (0x{:04x})", t));
}

std::string ethertype_name_or(std::uint64_t t, std::string_view unknown) {
    // The IEEE EtherTypes tcpdump names, with its names.
    switch (t) {
        case 0x00fe: return "GRE-OSI"; case 0x0200: return "PUP"; case 0x0500: return "Sprite"; case 0x0600: return "NS";
        case 0x0707: return "GeoNet (old)"; case 0x0800: return "IPv4"; case 0x0806: return "ARP"; case 0x1000: return "Trail";
        case 0x1111: return "CALM FAST"; case 0x6001: return "MOP DL"; case 0x6002: return "MOP RC"; case 0x6003: return "DN";
        case 0x6004: return "LAT"; case 0x6007: return "SCA"; case 0x6558: return "TEB"; case 0x8035: return "Reverse ARP";
        case 0x8038: return "Lanbridge"; case 0x803c: return "DEC DNS"; case 0x803e: return "DEC DTS"; case 0x805b: return "VEXP";
        case 0x805c: return "VPROD"; case 0x809b: return "Appletalk"; case 0x80f3: return "Appletalk ARP";
        case 0x8100: return "802.1Q"; case 0x8137: return "IPX"; case 0x86dd: return "IPv6"; case 0x8808: return "MPCP";
        case 0x8809: return "Slow Protocols"; case 0x880b: return "PPP"; case 0x8847: return "MPLS unicast";
        case 0x8848: return "MPLS multicast"; case 0x8863: return "PPPoE D"; case 0x8864: return "PPPoE S";
        case 0x886f: return "MS NLB heartbeat"; case 0x8870: return "Jumbo"; case 0x888e: return "EAPOL";
        case 0x8899: return "Realtek protocols"; case 0x88a2: return "AoE"; case 0x88a8: return "802.1Q-QinQ";
        case 0x88ca: return "TIPC"; case 0x88cc: return "LLDP"; case 0x88e5: return "802.1AE MACsec"; case 0x88f7: return "PTP";
        case 0x8902: return "CFM"; case 0x893a: return "IEEE1905.1"; case 0x8947: return "GeoNet"; case 0x894f: return "NSH";
        case 0x9000: return "Loopback"; case 0x9100: return "802.1Q-9100"; case 0x9200: return "802.1Q-9200";
        case 0xabcd: return "CFM (old)"; case 0xd28b: return "Arista Vendor Specific Protocol"; case 0xfefe: return "OSI";
        default: return std::string(unknown);
    }
}

}  // namespace decode::detail
