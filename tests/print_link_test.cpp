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

// --- Radiotap (radiotap.org) and IEEE 802.11 (IEEE 802.11-2020 clause 9)

Bytes radiotap(std::uint32_t present, const Bytes& fields) {
    Bytes b{0, 0, static_cast<std::uint8_t>(8 + fields.size()), 0};
    for (int i = 0; i < 4; ++i) put8(b, (present >> (8 * i)) & 0xff);
    return cat({b, fields});
}

Bytes le16(unsigned v) { return Bytes{static_cast<std::uint8_t>(v & 0xff), static_cast<std::uint8_t>(v >> 8)}; }

// Frame control (little-endian), duration, then the addresses and sequence control the type has.
Bytes wifi(unsigned type, unsigned subtype, unsigned flags, std::size_t addresses, const Bytes& body) {
    Bytes b = le16(type << 2 | subtype << 4 | flags << 8);
    b = cat({b, le16(0x3a)});
    for (std::size_t i = 0; i < addresses; ++i) b = cat({b, Bytes(6, static_cast<std::uint8_t>(0x10 * (i + 1)))});
    if (type != 1) b = cat({b, le16(0x120)});
    return cat({b, body});
}

Bytes element(std::uint8_t id, const Bytes& value) { return cat({Bytes{id, static_cast<std::uint8_t>(value.size())}, value}); }

TEST(PrintLink, RadiotapAndIeee80211MatchTcpdump) {
    // Radiotap fields in bit order: TSFT, flags, rate, channel, dBm signal, dBm noise, lock
    // quality, antenna, dB signal.
    const Bytes fields = cat({Bytes{0x40, 0xe2, 0x01, 0, 0, 0, 0, 0}, Bytes{0x02, 0x0c}, le16(2437), le16(0x00c0),
                              Bytes{0xc8, 0xa6}, le16(71), Bytes{1, 40}});
    const Bytes rt = radiotap(0x1800 | 0x80 | 0x6f, fields);
    const Bytes elements = cat({element(0, {'l', 'a', 'b', 0x07}), element(1, {0x82, 0x84, 0x0b, 0x16, 0x0c}), element(3, {6})});
    std::vector<Bytes> frames;
    frames.push_back(cat({rt, wifi(0, 8, 0, 3, cat({Bytes(8, 1), le16(100), le16(0x0011), elements}))}));  // beacon
    frames.push_back(cat({rt, wifi(0, 5, 0, 3, cat({Bytes(8, 1), le16(100), le16(0x0001), elements}))}));  // probe response
    frames.push_back(cat({rt, wifi(0, 4, 0, 3, elements)}));                                               // probe request
    frames.push_back(cat({rt, wifi(0, 0, 0, 3, cat({le16(0x0011), le16(10), elements}))}));                // association request
    frames.push_back(cat({rt, wifi(0, 1, 0, 3, cat({le16(0x0011), le16(1), le16(0xc005)}))}));             // association response
    frames.push_back(cat({rt, wifi(0, 2, 0, 3, cat({le16(0x0001), le16(10), Bytes(6, 0x77), elements}))}));
    for (unsigned seq : {1, 2, 3})
        for (unsigned alg : {0, 1, 7}) frames.push_back(cat({rt, wifi(0, 11, 0, 3, cat({le16(alg), le16(seq), le16(13)}))}));
    for (unsigned reason : {1, 3, 66, 99}) {
        frames.push_back(cat({rt, wifi(0, 12, 0, 3, le16(reason))}));
        frames.push_back(cat({rt, wifi(0, 10, 0, 3, le16(reason))}));
    }
    frames.push_back(cat({rt, wifi(0, 9, 0, 3, {})}));                                   // ATIM
    frames.push_back(cat({rt, wifi(0, 6, 0, 3, {})}));                                   // reserved subtype
    for (unsigned subtype : {8, 9, 10, 11, 14, 15}) frames.push_back(cat({rt, wifi(1, subtype, 0, 2, Bytes{1, 2, 3, 4})}));
    for (unsigned subtype : {12, 13}) frames.push_back(cat({rt, wifi(1, subtype, 0, 1, {})}));
    frames.push_back(cat({rt, wifi(1, 3, 0, 1, {})}));                                    // unknown control subtype
    frames.push_back(cat({rt, wifi(2, 0, 0x41, 3, Bytes{0x11, 0x22, 0x33, 0x60, 1, 2, 3, 4})}));  // protected data
    frames.push_back(cat({rt, wifi(2, 4, 0x01, 3, {})}));                                 // null function
    const Bytes fields_cut = radiotap(0x0181, cat({Bytes(8, 0), Bytes{0x02}, Bytes{0}, le16(3)}));  // lock quality past the end
    frames.push_back(cat({fields_cut, wifi(1, 13, 0, 1, {})}));
    frames.push_back(cat({radiotap(0x0001 | 0x8000, Bytes(10, 0)), wifi(1, 13, 0, 1, {})}));  // TX flags: unknown to tcpdump
    expect_same_lines(127, frames, {"", "-e", "-e -v"});
    std::vector<Bytes> cut;
    for (std::size_t i : {0, 1, 4, 6, 11, 24})
        for (std::size_t n : {4, 9, 12, 30, 45, 50, 61}) {
            Bytes f = frames[i];
            if (n < f.size()) cut.emplace_back(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
        }
    expect_same_lines(127, cut, {""});
}

// --- Link headers of capture systems: IPoIB (RFC 4391), Solaris ipnet, Linux NFLOG, and a link
// type tcpdump has no printer for

TEST(PrintLink, CaptureLinkHeadersMatchTcpdump) {
    const Bytes ip = ipv4(1, Bytes{8, 0, 0xf7, 0xff, 0, 0, 0, 0});
    Bytes ipoib(40, 0x11);
    put16(ipoib, 0x0800), put16(ipoib, 0);
    expect_same_lines(242, with_cuts({cat({ipoib, ip})}, {10, 43}));

    Bytes ipnet{1, 2, 0, 0};
    put32(ipnet, ip.size()), put32(ipnet, 2), put32(ipnet, 0), put32(ipnet, 0xffffffff), put32(ipnet, 7);
    Bytes ipnet_other = ipnet;
    ipnet_other[1] = 9;
    expect_same_lines(226, with_cuts({cat({ipnet, ip}), cat({ipnet_other, ip})}, {10, 23}));

    Bytes nflog{2, 0, 0, 20, 8, 0, 1, 0, 8, 0, 0, 0};  // family, version, resource ID; one 8-byte TLV
    put8(nflog, (ip.size() + 4) & 0xff), put8(nflog, 0), put8(nflog, 9), put8(nflog, 0);
    expect_same_lines(239, with_cuts({cat({nflog, ip})}, {3, 10}));

    expect_same_lines(160, {Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}});
}

// --- Switch tags: Marvell DSA and EDSA, Broadcom (after the source address and prepended)

TEST(PrintLink, SwitchTagsMatchTcpdump) {
    const Bytes ip = ipv4(1, Bytes{8, 0, 0xf7, 0xff, 0, 0, 0, 0});
    const Bytes macs = cat({mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")});
    std::vector<Bytes> dsa, edsa;
    for (std::uint8_t b0 : {0x00, 0x21, 0x41, 0x80, 0xa3, 0xc0, 0xe2})
        for (std::uint8_t b1 : {0x08, 0x0f, 0x02, 0x04})
            for (std::uint8_t b2 : {0x00, 0xf5, 0x10}) {
                Bytes tag{b0, b1, b2, 0x39, 0x08, 0x00};
                dsa.push_back(cat({macs, tag, ip}));
                edsa.push_back(cat({macs, Bytes{0xda, 0xda, 0, 0}, tag, ip}));
            }
    expect_same_lines(284, dsa, {"", "-e"});
    expect_same_lines(285, edsa, {"", "-e"});
    expect_same_lines(284, with_cuts({dsa[0]}, {5, 13, 17}), {""});
    expect_same_lines(285, with_cuts({edsa[0]}, {5, 15, 21}), {""});

    std::vector<Bytes> brcm, prepend;
    for (std::uint8_t b0 : {0x00, 0x20, 0x40})
        for (std::uint8_t b1 : {0x00, 0x85, 0x02})
            for (std::uint8_t b2 : {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x41}) {
                Bytes tag{b0, b1, b2, 0xa5};
                brcm.push_back(cat({macs, tag, Bytes{0x08, 0x00}, ip}));
                prepend.push_back(cat({tag, macs, Bytes{0x08, 0x00}, ip}));
            }
    expect_same_lines(281, brcm, {"", "-e"});
    expect_same_lines(282, prepend, {"", "-e"});
    expect_same_lines(281, with_cuts({brcm[0]}, {5, 13, 17}), {""});
    expect_same_lines(282, with_cuts({prepend[0]}, {3, 13, 17}), {""});
}

// --- Linux vsock monitor frames (<uapi/linux/vsockmon.h>, virtio_vsock_hdr)

Bytes le32(std::uint32_t v) { return cat({le16(v & 0xffff), le16(v >> 16)}); }

TEST(PrintLink, VsockMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (auto [transport, op] : {std::pair{2u, 1u}, {2u, 4u}, {2u, 3u}, {0u, 2u}, {1u, 5u}, {7u, 0u}}) {
        Bytes monitor = cat({le32(3), le32(0), le32(2), le32(0), le32(1024), le32(1234), le16(op), le16(transport),
                             le16(transport == 2 ? 44 : 0), le16(0)});
        Bytes virtio = cat({le32(3), le32(0), le32(2), le32(0), le32(1024), le32(1234), le32(2), le16(1), le16(op == 4 ? 5 : 1),
                            le32(0), le32(262144), le32(6)});
        frames.push_back(cat({monitor, transport == 2 ? virtio : Bytes{}, Bytes{'h', 'i'}}));
    }
    expect_same_lines(271, frames, {"", "-v", "-vv"});
    expect_same_lines(271, with_cuts({frames[0]}, {10, 31, 40}), {""});
}

// --- SLIP (RFC 1055 framing, RFC 1144 pseudo-header as libpcap stores it)

TEST(PrintLink, SlipMatchesTcpdump) {
    const Bytes header(16, 0);
    std::vector<Bytes> frames{cat({header, ipv4(1, Bytes{8, 0, 0xf7, 0xff, 0, 0, 0, 0})}), cat({header, Bytes{0xe5, 1, 2}}),
                              cat({header, Bytes{0x35}})};
    expect_same_lines(8, with_cuts(frames, {3, 15, 16}), {""});
}
