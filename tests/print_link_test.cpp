// Printing parity for the link protocols that plug in through src/decode/registry.cpp: frames
// built field by field from each protocol's RFC or IEEE layout, printed by sniff and by the
// installed tcpdump at default verbosity and at -v, line for line.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

void expect_same_lines(int dlt, const std::vector<Bytes>& frames, std::initializer_list<const char*> flag_sets = {"", "-v", "-e"}) {
    for (const char* flags : flag_sets)
        for (const auto& m : compare_with_tcpdump(dlt, frames, flags))
            ADD_FAILURE() << "dlt " << dlt << " flags '" << flags << "' packet " << m.packet << "\n  sniff:   " << m.sniff
                          << "\n  tcpdump: " << m.tcpdump;
}

// Each frame, then each frame cut to every length in `cuts` that is shorter than it.
std::vector<Bytes> with_cuts(const std::vector<Bytes>& frames, std::initializer_list<std::size_t> cuts) {
    std::vector<Bytes> out = frames;
    for (const auto& f : frames)
        for (std::size_t n : cuts)
            if (n < f.size()) out.emplace_back(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

// --- ARP (RFC 826, RFC 903, RFC 2390) and ATM ARP (RFC 2225 8.7)

Bytes arp(std::uint16_t hrd, std::uint16_t pro, std::uint8_t hlen, std::uint8_t plen, std::uint16_t op) {
    Bytes m;
    put16(m, hrd), put16(m, pro), put8(m, hlen), put8(m, plen), put16(m, op);
    for (unsigned i = 0; i < 2u * (hlen + plen); ++i) put8(m, i % 3 == 0 ? 0 : 0x10 + i);
    return m;
}

TEST(PrintLink, ArpMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint16_t op : {1, 2, 3, 4, 5, 8, 9, 10, 0x4142})
        frames.push_back(ethernet(0x0806, arp(1, 0x0800, 6, 4, op), "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff"));
    frames.push_back(ethernet(0x8035, arp(1, 0x0800, 6, 4, 3)));
    frames.push_back(ethernet(0x0806, arp(6, 0x86dd, 6, 16, 1)));   // not IPv4: address types only
    frames.push_back(ethernet(0x0806, arp(0x25, 0x0800, 8, 4, 2)));  // other hardware lengths
    frames.push_back(ethernet(0x0806, arp(1, 0x0800, 0, 4, 1)));
    frames.push_back(ethernet(0x0806, arp(1, 0x0800, 6, 5, 1)));
    frames.push_back(ethernet(0x0806, arp(15, 0x0800, 2, 4, 8)));    // Frame Relay: Q.922 addresses
    expect_same_lines(1, with_cuts(frames, {14, 16, 21, 22, 30, 41}));
}

TEST(PrintLink, AtmArpMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint16_t op : {1, 2, 8, 9, 10, 7}) {
        Bytes m;
        put16(m, 19), put16(m, 0x0800), put8(m, 6), put8(m, 0), put16(m, op), put8(m, 4), put8(m, 0x46), put8(m, 2), put8(m, 4);
        m = cat({m, mac("02:00:00:00:00:01"), ip4("10.0.0.1"), mac("02:00:00:00:00:02"), Bytes{0xab, 0xcd}, ip4("10.0.0.2")});
        frames.push_back(ethernet(0x0806, m));
    }
    expect_same_lines(1, with_cuts(frames, {20, 30}));
}

}  // namespace

// --- Cisco HDLC (RFC 1547 4.3.1) and SLARP

Bytes chdlc(std::uint8_t address, std::uint16_t protocol, const Bytes& payload) {
    Bytes b;
    put8(b, address), put8(b, 0), put16(b, protocol);
    return cat({b, payload});
}

Bytes slarp(std::uint32_t code, std::size_t length) {
    Bytes b;
    put32(b, code);
    for (std::size_t i = 4; i < length; ++i) put8(b, i * 7);
    return b;
}

TEST(PrintLink, CiscoHdlcMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint32_t code : {0u, 1u, 2u, 7u})
        for (std::size_t length : {14, 18, 20}) frames.push_back(chdlc(0x8f, 0x8035, slarp(code, length)));
    frames.push_back(chdlc(0x0f, 0x2000, Bytes(10, 1)));
    frames.push_back(chdlc(0x11, 0x3030, {}));
    frames = with_cuts(frames, {1, 3, 4, 10, 17, 21});
    frames.push_back(chdlc(0x0f, 0x0800, ipv4(1, Bytes{8, 0, 0xf7, 0xff, 0, 0, 0, 0})));
    expect_same_lines(104, frames, {"", "-v", "-vv", "-e"});
}

// --- Frame Relay (Q.922 addresses, RFC 2427 NLPIDs, Cisco EtherTypes, FRF.15)

TEST(PrintLink, FrameRelayMatchesTcpdump) {
    const Bytes icmp_echo{8, 0, 0xf7, 0xff, 0, 0, 0, 0};
    std::vector<Bytes> frames;
    frames.push_back(cat({Bytes{0x18, 0x41, 0x08, 0x00}, ipv4(1, icmp_echo)}));              // Cisco, EtherType IPv4
    frames.push_back(cat({Bytes{0x18, 0x41, 0x03, 0xcc}, ipv4(1, icmp_echo)}));              // RFC 2427 IPv4
    frames.push_back(cat({Bytes{0x1a, 0x4f, 0x03, 0x8e}, ipv6(59, {})}));                   // C/R, DE, BECN, FECN
    frames.push_back(cat({Bytes{0x18, 0x40, 0x03, 0x03, 0x00, 0xcc}, ipv4(1, icmp_echo)}));  // 3-byte address, pad
    frames.push_back(cat({Bytes{0x18, 0x40, 0x02, 0x03, 0xcc}, ipv4(1, icmp_echo)}));        // 3-byte, D/C, no pad
    frames.push_back(cat({Bytes{0x18, 0x40, 0x10, 0x03, 0x03, 0xcc}, ipv4(1, icmp_echo)}));  // 4-byte address
    frames.push_back(Bytes{0x19, 0x41, 0x03, 0xcc});                                          // EA set in octet 1
    frames.push_back(Bytes{0x18, 0x40, 0x10, 0x20, 0x03, 0xcc});                              // EA never set
    frames.push_back(Bytes{0x18, 0x41, 0x03, 0x00, 0x85, 1, 2, 3});                           // pad, unknown NLPID
    frames.push_back(Bytes{0x18, 0x41, 0x42, 0x42, 0x03, 0xb1, 0xa1, 0x05, 1, 2});           // no EtherType, then FRF.15
    expect_same_lines(107, frames, {"", "-e"});
    expect_same_lines(107, with_cuts(frames, {1, 2, 3, 4, 5, 7}), {""});
}
