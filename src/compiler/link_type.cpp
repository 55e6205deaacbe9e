// The link-type table. Offsets are those of libpcap's gencode for each DLT.
#include "compiler/link_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace sniff {
namespace {

constexpr std::array<LinkType, 10> kLinkTypes = {{
    {1, "EN10MB", "Ethernet", 14, ProtocolField::EtherType, 12, true},
    {113, "LINUX_SLL", "Linux cooked v1", 16, ProtocolField::EtherType, 14, false},
    {276, "LINUX_SLL2", "Linux cooked v2", 20, ProtocolField::EtherType, 0, false},
    {12, "RAW", "Raw IP", 0, ProtocolField::IpVersion, 0, false},
    {228, "IPV4", "Raw IPv4", 0, ProtocolField::Ipv4Only, 0, false},
    {229, "IPV6", "Raw IPv6", 0, ProtocolField::Ipv6Only, 0, false},
    {0, "NULL", "BSD loopback", 4, ProtocolField::AfHostOrder, 0, false},
    {108, "LOOP", "OpenBSD loopback", 4, ProtocolField::AfNetworkOrder, 0, false},
    {9, "PPP", "PPP", 4, ProtocolField::PppProtocol, 2, false},
    {104, "C_HDLC", "Cisco HDLC", 4, ProtocolField::EtherType, 2, false},
}};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

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
