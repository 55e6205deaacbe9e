// Internal to src/decode: the state one packet's decode carries through the protocol
// dissectors, and their entry points. Each dissector reads its header through the ByteReader,
// appends one Layer, and hands the rest to the next dissector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decode/layers.hpp"
#include "decode/reader.hpp"
#include "decode/tcp_flows.hpp"

namespace decode::detail {

// Tunnels nest (GRE in VXLAN in IPv6…) and IPv6 extension headers chain; past this many layers
// the rest is left undecoded with a truncation marker, so a crafted packet cannot recurse without
// bound. Decoded::layers reserves this many (256 × 48 bytes, once per output), which also keeps
// references to earlier layers valid while later ones are added. tcpdump walks any number of
// extension headers; 256 layers cover chains of over 2,000 bytes of them.
inline constexpr std::size_t kMaxLayers = 256;

struct Context {
    ByteReader r;
    Decoded& out;
    TcpFlows* flows;  // null: print absolute sequence numbers

    bool can_nest() const { return out.layers.size() + 1 < kMaxLayers; }
    Layer& add(std::string_view protocol, std::size_t offset) { return out.add(protocol, offset); }
    // Records the first place decoding stopped early; later ones would only repeat it.
    void truncated(std::string_view protocol) {
        if (out.truncated.empty()) {
            out.truncated = protocol;
            out.truncated_depth = out.layers.size();
        }
    }
};

// Link layers (link.cpp). `dlt` is the pcap LINKTYPE value.
void dissect_link(Context& c, int dlt);
// An EtherType-named payload at `offset`: VLAN, MPLS, PPPoE, ARP, IPv4, IPv6… (link.cpp).
void dissect_ethertype(Context& c, std::size_t offset, std::uint16_t ethertype);
void dissect_ethernet(Context& c, std::size_t offset);
// OpenBSD pf logs and ARCnet (pflog_arcnet.cpp).
void dissect_pflog(Context& c);
void dissect_arcnet(Context& c, bool linux_header);

// Network layers (network.cpp). `end` bounds the packet as the enclosing header states it.
void dissect_arp(Context& c, std::size_t offset, bool reverse);
void dissect_ipv4(Context& c, std::size_t offset);
void dissect_ipv6(Context& c, std::size_t offset);
// What an IP protocol number names, at `offset` up to `end` (network.cpp dispatches).
void dissect_ip_payload(Context& c, std::size_t offset, std::size_t end, std::uint8_t protocol);

// Transport and control (transport.cpp, icmp.cpp, tunnel.cpp).
void dissect_tcp(Context& c, std::size_t offset, std::size_t end);
void dissect_udp(Context& c, std::size_t offset, std::size_t end);
void dissect_sctp(Context& c, std::size_t offset, std::size_t end);
void dissect_icmp(Context& c, std::size_t offset, std::size_t end);
void dissect_icmp6(Context& c, std::size_t offset, std::size_t end);
void dissect_igmp(Context& c, std::size_t offset, std::size_t end);
void dissect_gre(Context& c, std::size_t offset, std::size_t end);
void dissect_vxlan(Context& c, std::size_t offset, std::size_t end);
void dissect_geneve(Context& c, std::size_t offset, std::size_t end);

// Applications (application.cpp). `tcp` marks DNS over TCP, which has a 2-byte length prefix.
void dissect_dns(Context& c, std::size_t offset, std::size_t end, bool tcp);
// A DNS RR type's mnemonic as tcpdump names it; empty when it has none (printed "Type<n>").
std::string_view dns_type_name(std::uint16_t type);
void dissect_dhcp(Context& c, std::size_t offset, std::size_t end);
void dissect_ntp(Context& c, std::size_t offset, std::size_t end);
// First line of HTTP or an SSH banner, when the payload starts with one.
void dissect_text_banner(Context& c, std::size_t offset, std::size_t end, std::string_view protocol);

// Formatting shared by the dissectors (addresses.cpp).
std::string ipv4_text(const ByteReader& r, std::size_t offset);
std::string ipv6_text(const ByteReader& r, std::size_t offset);
std::string mac_text(const ByteReader& r, std::size_t offset);
// RFC 1071 one's-complement sum of the captured bytes [offset, offset + n), folded, plus `seed`.
std::uint32_t ones_sum(const ByteReader& r, std::size_t offset, std::size_t n, std::uint32_t seed = 0);
std::uint16_t fold_checksum(std::uint32_t sum);
// The value a checksum field holding `field` should have held, given the complemented sum
// `computed` over the data with that field (tcpdump's in_cksum_shouldbe).
std::uint16_t checksum_should_be(std::uint16_t field, std::uint16_t computed);

// Upper-layer checksums (checksum.cpp). The pseudo-header sum for `length` bytes of `protocol`
// under the innermost IP header (IPv6: the final destination behind a type 0 or 2 Routing
// header, RFC 8200 8.1); nullopt when no IP header encloses it.
std::optional<std::uint32_t> pseudo_header_sum(const Context& c, std::size_t length, std::uint8_t protocol);
// Whether the innermost IP datagram is the first fragment of several (IPv4 MF, or an IPv6
// Fragment header with M set): its upper-layer header counts bytes that are not in it.
bool first_fragment(const Context& c);
struct ChecksumVerdict {
    bool ok;
    std::uint16_t should_be;  // the field's right value
};
// The verdict on the checksum at `checksum_at` of the upper-layer message [o, o + length);
// nullopt when the message was not captured whole or no IP header encloses it.
std::optional<ChecksumVerdict> upper_layer_checksum(const Context& c, std::size_t o, std::size_t length,
                                                    std::uint8_t protocol, std::size_t checksum_at);

}  // namespace decode::detail
