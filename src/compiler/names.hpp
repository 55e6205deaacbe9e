// Compile-time name and number resolution, as libpcap does it (hosts, networks, services).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sniff::names {

struct HostAddresses {
    std::vector<std::uint32_t> v4;                    // host byte order
    std::vector<std::array<std::uint8_t, 16>> v6;
};

// /etc/hosts and DNS through getaddrinfo. Empty when the name does not resolve.
HostAddresses resolve_host(const std::string& name);
// /etc/networks: the network number, host order, not yet shifted (like getnetbyname).
std::optional<std::uint32_t> resolve_network(const std::string& name);
// /etc/services for one transport ("tcp", "udp", "sctp").
std::optional<std::uint16_t> resolve_service(const std::string& name, const char* transport);

// A number as the filter language writes it: decimal, 0x hex, or 0-prefixed octal.
// Returns an error message on failure.
struct ParsedNumber {
    std::optional<std::uint32_t> value;
    std::string error;
};
ParsedNumber parse_number(const std::string& text);

// Dotted IPv4, possibly partial ("10.1"): value in the top bits is NOT applied; returns the
// number as atoin does (parts packed from the right) and how many bits were given.
struct PartialIpv4 {
    std::uint32_t value = 0;
    unsigned bits = 0;
    std::string error;
};
PartialIpv4 parse_ipv4(const std::string& text);

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(const std::string& text);

// A MAC address as libpcap accepts it: xx:xx:xx:xx:xx:xx, xx-xx-…, xx.xx.xx… or xxxx.xxxx.xxxx.
std::optional<std::array<std::uint8_t, 6>> parse_mac(const std::string& text);
// /etc/ethers through ether_hostton.
std::optional<std::array<std::uint8_t, 6>> resolve_ether(const std::string& name);
// /etc/protocols through getprotobyname.
std::optional<std::uint32_t> resolve_protocol(const std::string& name);

}  // namespace sniff::names
