// Printing parity for ICMP (RFC 792) and ICMPv6 (RFC 4443): every message type and code, whole
// and cut at every length, printed by sniff and by the installed tcpdump, line for line, at
// default verbosity, -v and -vv. A printer may not print a field that was not in the packet: a
// message cut short ends with tcpdump's "[|icmp]" marker instead of zeros or empty addresses.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

Bytes icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body) {
    Bytes m;
    put8(m, type), put8(m, code), put16(m, 0), put32(m, rest);
    m = cat({m, body});
    std::uint16_t c = internet_checksum(m);
    m[2] = c >> 8, m[3] = c & 0xff;
    return m;
}

// A datagram as an ICMP error quotes it: its IP header and the first 8 bytes after it.
Bytes quoted(std::uint8_t protocol, const Bytes& first8) {
    Bytes ip = ipv4(protocol, first8, "10.0.0.2", "10.0.0.9");
    return ip;
}

void expect_same(const std::vector<Bytes>& frames) {
    for (const char* flags : {"", "-v", "-vv"}) report_mismatches(compare_with_tcpdump(1, frames, flags), flags);
}

// Every message whole, then cut by the snapshot length at every length from the ICMP header on.
void expect_same_at_every_cut(const std::vector<Bytes>& frames) {
    for (const char* flags : {"", "-v", "-vv"}) report_mismatches(compare_cuts_with_tcpdump(1, frames, 14 + 20, flags), flags);
}

Bytes frame(const Bytes& message) { return ethernet(0x0800, ipv4(1, message)); }

TEST(PrintIcmp, EchoMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t type : {0, 8}) frames.push_back(frame(icmp(type, 0, 0x12340001, Bytes(8, 0x61))));
    expect_same_at_every_cut(frames);
}

TEST(PrintIcmp, EveryUnreachableCodeAndQuotedProtocolMatchesTcpdump) {
    Bytes udp = {0x04, 0xd2, 0, 53, 0, 8, 0, 0}, tcp = {0x04, 0xd2, 0, 80, 0, 0, 0, 7}, other = {0, 0, 8, 0, 0, 0, 0, 0};
    std::vector<Bytes> frames;
    for (const auto& [protocol, first8] : {std::pair{17, udp}, {6, tcp}, {253, other}})
        for (std::uint8_t code = 0; code <= 16; ++code)
            frames.push_back(frame(icmp(3, code, code == 4 ? 1500 : 0, quoted(protocol, first8))));
    frames.push_back(frame(icmp(3, 4, 0, quoted(17, udp))));  // need to frag without an MTU (pre-RFC 1191)
    expect_same(frames);
}

TEST(PrintIcmp, CutErrorsEndWithTheMarkerAndNeverInventValues) {
    Bytes udp = {0x04, 0xd2, 0, 53, 0, 8, 0, 0};
    std::vector<Bytes> frames;
    for (std::uint8_t code : {0, 1, 2, 3, 4, 5, 13}) frames.push_back(frame(icmp(3, code, code == 4 ? 1500 : 0, quoted(17, udp))));
    frames.push_back(frame(icmp(5, 1, 0x0a000001, quoted(17, udp))));
    frames.push_back(frame(icmp(11, 0, 0, quoted(17, udp))));
    frames.push_back(frame(icmp(12, 0, 0x04000000, quoted(17, udp))));
    expect_same_at_every_cut(frames);
}

TEST(PrintIcmp, OtherTypesMatchTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t type : {4, 5, 11, 12})
        for (std::uint8_t code = 0; code <= 4; ++code)
            frames.push_back(frame(icmp(type, code, type == 5 ? 0x0a000001 : 0x04000000, quoted(17, {0x04, 0xd2, 0, 53, 0, 8, 0, 0}))));
    for (std::uint8_t type : {9, 10, 13, 14, 15, 16, 17, 18, 19, 30, 40, 42, 43, 200})
        frames.push_back(frame(icmp(type, 0, 0x00010002, {0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0})));
    expect_same_at_every_cut(frames);
}

TEST(PrintIcmp, BadChecksumsShowTheExpectedValueAtVerbose) {
    Bytes m = icmp(8, 0, 0x12340001, Bytes(8, 0x61));
    m[2] ^= 0x5a;
    expect_same({frame(m)});
}

// An ICMPv6 message with its checksum over the IPv6 pseudo header (RFC 4443 2.3).
Bytes icmp6(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body, const char* src = "fe80::1",
            const char* dst = "fe80::2") {
    Bytes m;
    put8(m, type), put8(m, code), put16(m, 0), put32(m, rest);
    m = cat({m, body});
    Bytes pseudo = cat({ip6(src), ip6(dst)});
    put32(pseudo, static_cast<std::uint32_t>(m.size())), put32(pseudo, 58);
    std::uint16_t c = internet_checksum(cat({pseudo, m}));
    m[2] = c >> 8, m[3] = c & 0xff;
    return m;
}

Bytes frame6(const Bytes& message) { return ethernet(0x86dd, ipv6(58, message)); }

void expect_same6_at_every_cut(const std::vector<Bytes>& frames) {
    for (const char* flags : {"", "-v", "-vv"}) report_mismatches(compare_cuts_with_tcpdump(1, frames, 14 + 40, flags), flags);
}

TEST(PrintIcmp6, ErrorsEchoAndNeighbourDiscoveryMatchTcpdump) {
    const Bytes quoted_udp = ipv6(17, {0x04, 0xd2, 0x1e, 0x61, 0, 8, 0, 0}, "fe80::2", "fe80::9");
    const Bytes quoted_tcp = ipv6(6, {0x04, 0xd2, 0, 80, 0, 0, 0, 1}, "fe80::2", "fe80::9");
    std::vector<Bytes> frames;
    for (std::uint8_t code = 0; code <= 7; ++code) frames.push_back(frame6(icmp6(1, code, 0, quoted_udp)));
    frames.push_back(frame6(icmp6(1, 4, 0, quoted_tcp)));
    frames.push_back(frame6(icmp6(2, 0, 1280, quoted_udp)));
    for (std::uint8_t code = 0; code <= 2; ++code) frames.push_back(frame6(icmp6(3, code, 0, quoted_udp)));
    for (std::uint8_t code = 0; code <= 4; ++code) frames.push_back(frame6(icmp6(4, code, 40, quoted_udp)));
    frames.push_back(frame6(icmp6(128, 0, 0x00070001, Bytes(8, 0x61))));
    frames.push_back(frame6(icmp6(129, 0, 0x00070001, Bytes(8, 0x61))));
    const Bytes target = ip6("fe80::77");
    frames.push_back(frame6(icmp6(135, 0, 0, target)));
    frames.push_back(frame6(icmp6(136, 0, 0x60000000, target)));
    frames.push_back(frame6(icmp6(137, 0, 0, cat({target, ip6("2001:db8::5")}))));
    frames.push_back(frame6(icmp6(131, 0, 0, ip6("ff02::1:3"))));
    frames.push_back(frame6(icmp6(132, 0, 0, ip6("ff02::1:3"))));
    frames.push_back(frame6(icmp6(200, 0, 0, {})));
    expect_same6_at_every_cut(frames);
}

TEST(PrintIcmp6, ChecksumsAreCheckedBehindARoutingHeaderWithTheFinalDestination) {
    // RFC 8200 8.1: behind a type 0 Routing header the pseudo header holds the last address.
    Bytes echo = icmp6(128, 0, 0x00070001, Bytes(4, 0x61), "fe80::1", "2001:db8::99");
    Bytes routing = {58, 2, 0, 1, 0, 0, 0, 0};
    routing = cat({routing, ip6("2001:db8::99")});
    Bytes bad = echo;
    bad[2] ^= 0x11;
    std::vector<Bytes> frames = {ethernet(0x86dd, ipv6(43, cat({routing, echo}))), ethernet(0x86dd, ipv6(43, cat({routing, bad}))),
                                 frame6(bad)};
    expect_same(frames);
}

}  // namespace
