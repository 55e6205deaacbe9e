// Building frames field by field and comparing sniff's lines for them with the installed
// tcpdump's (the reference for every printed line). Used by the print_protocols suite: each
// protocol family's test builds frames from the RFC or IEEE layout and asks for tcpdump's text.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace testing_support {

using Bytes = std::vector<std::uint8_t>;

// Big-endian writers and concatenation.
void put8(Bytes& b, unsigned v);
void put16(Bytes& b, unsigned v);
void put32(Bytes& b, std::uint32_t v);
Bytes cat(std::initializer_list<Bytes> parts);
// "10.0.0.1" or "fe80::1" as 4 or 16 bytes; "02:00:00:00:00:01" as 6.
Bytes ip4(const char* text);
Bytes ip6(const char* text);
Bytes mac(const char* text);

// Headers with correct lengths and checksums (so tcpdump -v reports them good).
Bytes ethernet(std::uint16_t ethertype, const Bytes& payload, const char* src = "02:00:00:00:00:01",
               const char* dst = "02:00:00:00:00:02");
// An 802.3 frame: length field, then 802.2 LLC (dsap, ssap, control) and the payload.
Bytes ethernet_llc(std::uint8_t dsap, std::uint8_t ssap, std::uint8_t control, const Bytes& payload,
                   const char* src = "02:00:00:00:00:01", const char* dst = "01:80:c2:00:00:00");
Bytes ipv4(std::uint8_t protocol, const Bytes& payload, const char* src = "10.0.0.1", const char* dst = "10.0.0.2",
           std::uint8_t ttl = 64);
Bytes ipv6(std::uint8_t next_header, const Bytes& payload, const char* src = "fe80::1", const char* dst = "fe80::2",
           std::uint8_t hop_limit = 64);
// UDP and TCP over IPv4 or IPv6 (the pseudo-header checksum needs the addresses).
Bytes udp4(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src = "10.0.0.1",
           const char* dst = "10.0.0.2");
Bytes udp6(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src = "fe80::1",
           const char* dst = "fe80::2");
// A TCP segment with flags PSH|ACK, seq 1, ack 1, window 512, no options.
Bytes tcp4(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src = "10.0.0.1",
           const char* dst = "10.0.0.2", std::uint8_t flags = 0x18);
// An IP checksum over the bytes (RFC 1071), for protocols that carry their own.
std::uint16_t internet_checksum(const Bytes& b);

// A pcap file of link type `dlt` holding `packets` (one second apart), in the temporary
// directory; the caller removes it. `wire_lengths[i]`, when given, is packet i's length on the
// wire (a capture cut by the snapshot length); otherwise each packet was captured whole.
std::string write_pcap(int dlt, const std::vector<Bytes>& packets, const std::vector<std::uint32_t>& wire_lengths = {});

struct LineMismatch {
    std::size_t packet;  // 1-based
    std::string sniff, tcpdump;
};
// Runs `tcpdump -n <flags> -r F` and `sniff -n <flags> -r F` (TZ=UTC) over the packets and
// returns the packets whose text differs (every line of a packet's text, trailing spaces
// dropped). Fails the current test when tcpdump is missing or the packet counts differ.
std::vector<LineMismatch> compare_with_tcpdump(int dlt, const std::vector<Bytes>& packets, const std::string& flags = "",
                                               const std::vector<std::uint32_t>& wire_lengths = {});
// The same over every frame whole and then cut by the snapshot length at every length from
// `from` bytes on (the wire length stays the whole frame's): where each printer stops.
std::vector<LineMismatch> compare_cuts_with_tcpdump(int dlt, const std::vector<Bytes>& frames, std::size_t from,
                                                    const std::string& flags = "");

// Fails the current test with sniff's and tcpdump's texts for each mismatch (`flags` names the
// verbosity they were printed at).
void report_mismatches(const std::vector<LineMismatch>& mismatches, const char* flags);
// Fails the current test with sniff's and tcpdump's texts for every packet of `frames` that
// prints differently, at each of the verbosity flags given.
void expect_same_as_tcpdump(int dlt, const std::vector<Bytes>& frames, std::initializer_list<const char*> flag_sets = {"", "-v"});

}  // namespace testing_support
