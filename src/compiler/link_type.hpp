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
    Llc,             // 802.2 LLC: SNAP's EtherType at `protocol_offset`, SAPs 6 bytes before it (FDDI, Token Ring, 802.11)
    PflogAf,         // pflog's 1-byte address family at `protocol_offset`: AF_INET, or AF_INET6 as the compiling host numbers it
    ArcnetType,      // a 1-byte ARCnet protocol ID at `protocol_offset` (RFC 1201's, and RFC 1051's older IP and ARP ones)
    None,            // no network layer libpcap filters on (SS7 signalling, ERF): only link-level primitives apply
};

// The MAC header, where `ether host`, `broadcast` and `multicast` look.
enum class MacHeader {
    None,
    Ethernet,   // destination at 0, source at 6
    Fddi,       // frame control byte, then destination at 1, source at 7
    TokenRing,  // access and frame control bytes, then destination at 2, source at 8
    Wlan,       // 802.11: addresses whose meaning depends on the frame type and DS bits
    Arcnet,     // one-byte addresses: source at 0, destination at 1 (0: broadcast)
};

// A header of variable length before the 802.11 frame, whose length the packet gives.
enum class LinkPrefix {
    None,
    Radiotap,  // little-endian length at [2:2]; flags say whether the 802.11 payload is padded
    Prism,     // 144 bytes, or an AVS header whose big-endian length is at [4:4]
    Ppi,       // little-endian length at [2:2]; the frame inside must be 802.11 (PPI DLT 105)
    Avs,       // an AVS header: big-endian length at [4:4], taken as it is (no magic test; DLT 163)
    // Not before 802.11: OpenBSD's pflog header, whose first byte is its length; the network
    // header follows, at that length rounded up to 4 (kPayloadVar holds where).
    Pflog,
};

// Prologue variables (ir::Var slots) that hold where variable-offset headers start.
inline constexpr std::uint8_t kLinkHeaderVar = 0;  // the 802.11 header, after a radiotap/PPI/Prism prefix
inline constexpr std::uint8_t kPayloadVar = 1;     // the 802.11 payload (its LLC header), after QoS and padding;
                                                   // on PFLOG the network header, after the padded pflog header
// Set where `geneve` matches: the Geneve header, and in its payload the link header, protocol
// field (an EtherType) and network header.
inline constexpr std::uint8_t kGeneveHeader = 2, kGenevePayload = 3, kGeneveProtocol = 4, kGeneveNetwork = 5;
// Live on Ethernet, after the first `vlan`: the EtherType and network header, 4 bytes on when the
// tag was in the frame, where they were when the kernel had taken it out.
inline constexpr std::uint8_t kVlanProtocol = 6, kVlanNetwork = 7;

struct LinkType {
    int dlt;                         // DLT_* value, as libpcap's pcap_datalink() reports it
    std::string_view name;           // tcpdump's -y name
    std::string_view description;    // libpcap's pcap_datalink_val_to_description, as tcpdump prints it
    std::uint32_t network_offset;    // first byte of the network-layer header (802.11: from the payload)
    ProtocolField protocol_field;
    std::uint32_t protocol_offset;   // where that field is, when it is in the frame (802.11: from the payload)
    MacHeader mac;
    LinkPrefix prefix = LinkPrefix::None;
    // Where ISO's NLPID byte is (esis/isis/clnp), from the start of the LLC header: after its
    // 3 bytes on LANs; libpcap's values elsewhere (where there is no LLC header, from the network layer).
    std::uint8_t nlpid_offset = 0;
    // SS7: where MTP2's length indicator byte is (libpcap's off_li; Q.703 §2.2), when the link
    // type carries MTP2; the SIO follows it and the MTP3 routing label the SIO. High-speed links'
    // 2-byte length indicator (Q.703 Annex A) is 2 bytes on, and their SIO 3 bytes on.
    std::optional<std::uint8_t> mtp2_offset = std::nullopt;
    // SunATM: a 4-byte header (traffic type in the low nibble of byte 0, VPI in byte 1, VCI in
    // bytes 2-3), then 802.2 LLC, or after `lane` a 2-byte LANE header and an Ethernet frame.
    bool sunatm = false;

    bool wlan() const { return mac == MacHeader::Wlan; }
};

std::span<const LinkType> link_types();
const LinkType* find_link_type(int dlt);
// Accepts a name (case-insensitive, "EN10MB") or a DLT number ("1").
const LinkType* find_link_type(std::string_view name_or_number);

inline constexpr int kDefaultDlt = 1;  // EN10MB

// What libpcap's compile learns from a capture file's handle (pcap_open_offline) that a live or
// dead one lacks; see CompileOptions::savefile.
struct SavefileContext {
    bool swapped = false;  // written by a machine of the other byte order (pcap_is_swapped)
};

}  // namespace sniff
