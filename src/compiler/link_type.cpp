// The link-type table. Offsets are those of libpcap's gencode for each DLT.
#include "compiler/link_type.hpp"
#include "compiler/spelling.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace sniff {
namespace {

using F = ProtocolField;
using M = MacHeader;

constexpr std::array<LinkType, 26> kLinkTypes = {{
    {1, "EN10MB", "Ethernet", 14, F::EtherType, 12, M::Ethernet, LinkPrefix::None, 3},
    {113, "LINUX_SLL", "Linux cooked v1", 16, F::EtherType, 14, M::None},
    {276, "LINUX_SLL2", "Linux cooked v2", 20, F::EtherType, 0, M::None},
    {12, "RAW", "Raw IP", 0, F::IpVersion, 0, M::None},
    {228, "IPV4", "Raw IPv4", 0, F::Ipv4Only, 0, M::None},
    {229, "IPV6", "Raw IPv6", 0, F::Ipv6Only, 0, M::None},
    {0, "NULL", "BSD loopback", 4, F::AfHostOrder, 0, M::None},
    {108, "LOOP", "OpenBSD loopback", 4, F::AfNetworkOrder, 0, M::None},
    {9, "PPP", "PPP", 4, F::PppProtocol, 2, M::None},
    {51, "PPP_ETHER", "PPPoE", 8, F::PppProtocol, 6, M::None},
    {104, "C_HDLC", "Cisco HDLC", 4, F::EtherType, 2, M::None, LinkPrefix::None, 1},
    {10, "FDDI", "FDDI", 21, F::Llc, 19, M::Fddi, LinkPrefix::None, 3},
    {6, "IEEE802", "Token ring", 22, F::Llc, 20, M::TokenRing, LinkPrefix::None, 3},
    {105, "IEEE802_11", "802.11", 8, F::Llc, 6, M::Wlan, LinkPrefix::None, 3},
    {127, "IEEE802_11_RADIO", "802.11 plus radiotap header", 8, F::Llc, 6, M::Wlan, LinkPrefix::Radiotap, 3},
    {119, "PRISM_HEADER", "802.11 plus Prism header", 8, F::Llc, 6, M::Wlan, LinkPrefix::Prism, 3},
    {192, "PPI", "Per-Packet Information", 8, F::Llc, 6, M::Wlan, LinkPrefix::Ppi, 3},
    {163, "IEEE802_11_RADIO_AVS", "802.11 plus AVS radio information header", 8, F::Llc, 6, M::Wlan, LinkPrefix::Avs, 3},
    // pflog: the network offset is the padded header length (link_prologue.cpp); the address
    // family is byte 1 of struct pfloghdr (OpenBSD's if_pflog.h).
    {117, "PFLOG", "OpenBSD pflog file", 0, F::PflogAf, 1, M::None, LinkPrefix::Pflog},
    // ARCnet: source, destination, then the protocol ID (BSD); Linux puts 2 bytes of offset
    // before the protocol ID. libpcap's fixed offsets, which ignore RFC 1201's exception frames.
    {7, "ARCNET", "BSD ARCNET", 6, F::ArcnetType, 2, M::Arcnet},
    {129, "ARCNET_LINUX", "Linux ARCNET", 8, F::ArcnetType, 4, M::Arcnet},
    // SS7 signalling: MTP2 alone, after a 4-byte pseudo-header (MTP2_WITH_PHDR), or at the fixed
    // offset libpcap assumes in an ERF record (whatever the record's type). MTP3 has no offsets in
    // libpcap 1.10, which refuses every SS7 keyword on it.
    {140, "MTP2", "SS7 MTP2", 0, F::None, 0, M::None, LinkPrefix::None, 0, 2},
    {139, "MTP2_WITH_PHDR", "SS7 MTP2 with Pseudo-header", 0, F::None, 0, M::None, LinkPrefix::None, 0, 6},
    {141, "MTP3", "SS7 MTP3", 0, F::None, 0, M::None},
    {197, "ERF", "Endace ERF header", 0, F::None, 0, M::None, LinkPrefix::None, 0, 22},
    // SunATM: LLC frames until `lane` says the rest is LANE Ethernet (Layout::enter_lane).
    {123, "SUNATM", "Sun raw ATM", 12, F::Llc, 10, M::None, LinkPrefix::None, 3, std::nullopt, true},
}};

}  // namespace

std::span<const LinkType> link_types() { return kLinkTypes; }

const LinkType* find_link_type(int dlt) {
    for (const auto& lt : kLinkTypes)
        if (lt.dlt == dlt) return &lt;
    return nullptr;
}

const LinkType* find_link_type(std::string_view s) {
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && end == s.data() + s.size()) return find_link_type(n);
    for (const auto& lt : kLinkTypes)
        if (iequals(lt.name, s)) return &lt;
    return nullptr;
}

}  // namespace sniff
