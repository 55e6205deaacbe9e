// Per-link-type layout knowledge, in one table: where the network layer starts and how its
// protocol is named. Adding a DLT is one row in link_type.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sniff {

struct LinkType {
    int dlt;                       // DLT_* value, as libpcap's pcap_datalink() reports it
    std::string_view name;         // tcpdump's -y name
    std::string_view description;
    std::uint32_t network_offset;  // first byte of the network-layer header
    std::uint32_t ethertype_offset;  // 16-bit EtherType naming the network protocol
};

std::span<const LinkType> link_types();
const LinkType* find_link_type(int dlt);
// Accepts a name (case-insensitive, "EN10MB") or a DLT number ("1").
const LinkType* find_link_type(std::string_view name_or_number);

inline constexpr int kDefaultDlt = 1;  // EN10MB

}  // namespace sniff
