// Printing parity for the IP layer and UDP: IPv6 Routing headers (types 0, 2, 4 and unknown),
// upper-layer checksums behind them (RFC 8200 8.1's final destination), UDP's sanity warnings
// ("bad length", "[no cksum]", the expected value after a bad checksum), each whole and cut at
// every length, against the installed tcpdump at default verbosity, -v and -vv.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

Bytes udp_header(std::uint16_t sport, std::uint16_t dport, std::uint16_t length, std::uint16_t checksum) {
    Bytes h;
    put16(h, sport), put16(h, dport), put16(h, length), put16(h, checksum);
    return h;
}

TEST(PrintIp, RoutingHeadersAndTheChecksumsBehindThemMatchTcpdump) {
    const Bytes a1 = ip6("2001:db8::1"), a2 = ip6("2001:db8::2");
    // UDP with a zero checksum: over IPv6 it is always wrong, and tcpdump shows the right value,
    // which depends on the final destination each routing type names.
    const Bytes udp = cat({udp_header(1234, 7777, 12, 0), {'p', 'i', 'n', 'g'}});
    const std::vector<Bytes> routing = {
        cat({{17, 4, 0, 1, 0, 0, 0, 0}, a1, a2}),  // type 0: two addresses
        cat({{17, 2, 2, 1, 0, 0, 0, 0}, a1}),      // type 2: the home address
        cat({{17, 4, 4, 1, 1, 0x80, 0, 7}, a1, a2}),  // type 4: segment list, flags, tag
        cat({{17, 2, 5, 1, 0, 0, 0, 0}, a1}),      // unknown types
        cat({{17, 2, 3, 1, 0, 0, 0, 0}, a1}),
    };
    std::vector<Bytes> frames;
    for (const Bytes& rt : routing) frames.push_back(ethernet(0x86dd, ipv6(43, cat({rt, udp}), "::1", "::2")));
    for (const char* flags : {"", "-v", "-vv"}) report_mismatches(compare_cuts_with_tcpdump(1, frames, 14 + 40, flags), flags);
}

TEST(PrintIp, UdpSanityWarningsMatchTcpdump) {
    const Bytes payload = {'p', 'i', 'n', 'g'};
    std::vector<Bytes> frames = {
        ethernet(0x0800, udp4(1234, 7777, payload)),                              // good checksum
        ethernet(0x0800, ipv4(17, cat({udp_header(1234, 7777, 12, 0), payload}))),   // no checksum
        ethernet(0x0800, ipv4(17, cat({udp_header(1234, 7777, 12, 0x1234), payload}))),  // a wrong one
        ethernet(0x0800, ipv4(17, cat({udp_header(1234, 7777, 100, 0), payload}))),  // longer than the IP payload
        ethernet(0x0800, ipv4(17, cat({udp_header(1234, 7777, 4, 0), payload}))),   // shorter than its header
        ethernet(0x86dd, udp6(1234, 7777, payload)),
        ethernet(0x86dd, ipv6(17, cat({udp_header(1234, 7777, 12, 0x1234), payload}))),
        ethernet(0x86dd, ipv6(17, cat({udp_header(1234, 7777, 100, 0), payload}))),
    };
    for (const char* flags : {"", "-v", "-vv"}) report_mismatches(compare_cuts_with_tcpdump(1, frames, 14 + 20, flags), flags);
}

}  // namespace

namespace {

using namespace testing_support;

// tcpdump -v shows the value a bad IPv4 header or TCP checksum should have held.
TEST(PrintIp, BadChecksumsShowTheirRightValues) {
    Bytes ip_bad = ethernet(0x0800, udp4(1234, 7777, {'p', 'i', 'n', 'g'}));
    ip_bad[14 + 10] ^= 0x21;
    Bytes tcp_bad = ethernet(0x0800, tcp4(40000, 5555, {'d', 'a', 't', 'a'}));
    tcp_bad[14 + 20 + 16] ^= 0x42;
    expect_same_as_tcpdump(1, {ip_bad, tcp_bad}, {"", "-v", "-vv"});
}

}  // namespace

namespace {

using namespace testing_support;

// tcpdump walks any number of IPv6 extension headers to the upper layer (RFC 8200 4.1); sniff
// once stopped after 16 with no marker.
TEST(PrintIp, LongExtensionHeaderChainsReachTheUpperLayer) {
    std::vector<Bytes> frames;
    for (int count : {1, 15, 16, 17, 30, 100, 200}) {
        Bytes chain = {0x04, 0xd2, 0x1e, 0x61, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
        std::uint8_t next = 17;
        for (int i = 0; i < count; ++i) {
            chain = cat({{next, 0, 1, 4, 0, 0, 0, 0}, chain});  // destination options with PadN
            next = 60;
        }
        frames.push_back(ethernet(0x86dd, ipv6(next, chain, "::1", "::2")));
    }
    expect_same_as_tcpdump(1, frames, {"", "-v"});
}

}  // namespace

namespace {

using namespace testing_support;

// Hop-by-Hop and Destination Options (RFC 8200 4.2) as tcpdump -v lists them.
TEST(PrintIp, ExtensionHeaderOptionsMatchTcpdump) {
    const std::vector<Bytes> options = {
        {1, 4, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {5, 2, 0, 0, 1, 0}, {0x3e, 2, 1, 2, 1, 0},
        {0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0xc2, 4, 0, 1, 0, 0}, {5, 2, 0, 0, 0x11}, {7, 9, 1, 1, 1, 1, 1, 1},
        {5, 3, 0, 0, 0, 0}, {0xc2, 2, 0, 0, 0, 0}, {0x1e, 30, 0, 0, 0, 0}};
    const Bytes udp = {0x04, 0xd2, 0x1e, 0x61, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
    std::vector<Bytes> frames;
    for (const Bytes& o : options)
        for (std::uint8_t header : {0, 60}) {
            Bytes body = o;
            while ((body.size() + 2) % 8) body.push_back(0);
            Bytes ext = cat({{17, static_cast<std::uint8_t>((body.size() + 2) / 8 - 1)}, body});
            frames.push_back(ethernet(0x86dd, ipv6(header, cat({ext, udp}), "::1", "::2")));
        }
    expect_same_as_tcpdump(1, frames, {"", "-v"});
}

}  // namespace

namespace {

using namespace testing_support;

// Frames shorter on the wire than their IP length says: tcpdump's "truncated-ip - N bytes
// missing!" (a snapshot cut, where the wire length is whole, prints no such warning).
TEST(PrintIp, FramesShorterThanTheirIpLengthSaySo) {
    const Bytes payload(32, 'x');
    const Bytes v4 = ethernet(0x0800, udp4(1234, 7777, payload)), v6 = ethernet(0x86dd, udp6(1234, 7777, payload));
    std::vector<Bytes> frames;
    for (std::size_t n : {34, 40, 50, 60, 70}) frames.emplace_back(v4.begin(), v4.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t n : {54, 60, 80, 100}) frames.emplace_back(v6.begin(), v6.begin() + static_cast<std::ptrdiff_t>(n));
    expect_same_as_tcpdump(1, frames, {"", "-v"});
}

}  // namespace
