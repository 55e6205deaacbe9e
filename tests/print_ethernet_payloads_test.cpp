// Printing parity for the Ethernet-payload protocols that plug in through src/decode/registry.cpp: frames
// built field by field from each protocol's RFC or IEEE layout, printed by sniff and by the
// installed tcpdump at default verbosity and at -v, line for line.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

Bytes repeat(std::size_t n, std::uint8_t v) { return Bytes(n, v); }

// The frames, then each cut short every `step` bytes from `from` on (truncated captures).
std::vector<Bytes> with_cuts(const std::vector<Bytes>& frames, std::size_t from, std::size_t step) {
    std::vector<Bytes> out = frames;
    for (const auto& f : frames)
        for (std::size_t n = from; n < f.size(); n += step) out.emplace_back(f.begin(), f.begin() + static_cast<long>(n));
    return out;
}

void expect_same(const std::vector<Bytes>& frames, std::initializer_list<const char*> flag_sets = {"", "-v"}) {
    for (const char* flags : flag_sets)
        for (const auto& m : compare_with_tcpdump(1, frames, flags))
            ADD_FAILURE() << "flags '" << flags << "' packet " << m.packet << "\n  sniff:   " << m.sniff << "\n  tcpdump: " << m.tcpdump;
}

// --- PTP (IEEE 1588-2008 clause 13)

Bytes ptp_header(std::uint8_t type, std::uint16_t length, std::uint16_t flags, std::uint8_t control) {
    Bytes b;
    put8(b, type), put8(b, 2), put16(b, length), put8(b, 4), put8(b, 0), put16(b, flags);
    put32(b, 0), put16(b, 0x1234), put16(b, 0x8000);  // correction: 0x1234 ns and a half
    put32(b, 0);                                      // reserved
    b = cat({b, {0x74, 0x83, 0xef, 0xff, 0xfe, 0x01, 0xac, 0x16}});
    put16(b, 274), put16(b, 77), put8(b, control), put8(b, 0x7f);
    return b;
}

Bytes ptp_timestamp(std::uint32_t seconds, std::uint32_t ns) {
    Bytes b;
    put16(b, 0), put32(b, seconds), put32(b, ns);
    return b;
}

std::vector<Bytes> ptp_messages() {
    Bytes port = {0x00, 0x1b, 0x19, 0xff, 0xfe, 0x00, 0x00, 0x01, 0x00, 0x02};
    Bytes announce = cat({ptp_timestamp(0, 0), {0x00, 0x25, 0x00, 128, 248, 0xfe, 0xff, 0xff, 128},
                          {0x74, 0x83, 0xef, 0xff, 0xfe, 0x01, 0xac, 0x16, 0x00, 0x01, 0xa0}});
    return {
        cat({ptp_header(0x00, 44, 0x0200, 0), ptp_timestamp(1582303693, 295761755)}),
        cat({ptp_header(0x01, 44, 0x0400, 1), ptp_timestamp(0, 0)}),
        cat({ptp_header(0x08, 44, 0, 2), ptp_timestamp(1582303693, 1)}),
        cat({ptp_header(0x09, 54, 0, 3), ptp_timestamp(7, 8), port}),
        cat({ptp_header(0x02, 54, 0, 5), ptp_timestamp(7, 8), port}),
        cat({ptp_header(0x03, 54, 0x0202, 5), ptp_timestamp(7, 8), port}),
        cat({ptp_header(0x0a, 54, 0, 5), ptp_timestamp(7, 8), port}),
        cat({ptp_header(0x0b, 64, 0x003c, 5), announce}),
        cat({ptp_header(0x0c, 44, 0xffff, 5), port}),
        cat({ptp_header(0x0d, 48, 0, 4), port, {1, 1, 2, 0}}),
        cat({ptp_header(0x1d, 48, 0, 9), {0xff}, port, {1, 1, 2, 0}}),
        cat({ptp_header(0x05, 44, 0, 5)}),
    };
}

TEST(PrintEthernetPayloads, PtpOverEthernetMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (const auto& m : ptp_messages()) frames.push_back(ethernet(0x88f7, m, "02:00:00:00:00:01", "01:1b:19:00:00:00"));
    Bytes v1 = {0x00, 0x01, 0x00, 0x01}, v21 = {0x00, 0x12, 0x00, 0x2c};
    frames.push_back(ethernet(0x88f7, cat({v1, repeat(40, 0)})));
    frames.push_back(ethernet(0x88f7, cat({v21, repeat(40, 0)})));
    expect_same(with_cuts(frames, 14, 3));
}

TEST(PrintEthernetPayloads, PtpOverUdpMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (const auto& m : ptp_messages()) frames.push_back(ethernet(0x0800, udp4(319, 319, m)));
    frames.push_back(ethernet(0x0800, udp4(320, 320, ptp_messages()[3])));
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- AoE (Coraid AoE Protocol Definition r11)

TEST(PrintEthernetPayloads, AoeMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t flags : {0x10, 0x18, 0x1c, 0x13, 0x14})
        for (std::uint8_t error : {0, 1, 3, 6, 7, 200}) {
            Bytes b = {flags, error, 0x00, 0x14, 0x00, 0x01, 0x00, 0x1d, 0xcd, 0x97};
            b = cat({b, {0x40, 0x00, 0x00, 0x24, 0, 0, 0, 0, 0, 0, 0, 0}});
            frames.push_back(ethernet(0x88a2, b));
        }
    for (std::size_t n = 0; n < 12; n += 3) frames.push_back(ethernet(0x88a2, Bytes(frames[1].begin() + 14, frames[1].begin() + 14 + static_cast<long>(n))));
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- ERSPAN in GRE (draft-foschiano-erspan-03): tcpdump 4.99 names the GRE protocol type only.
// GRE's own header text is the GRE printer's; here only what follows it is compared.

Bytes gre(std::uint16_t flags, std::uint16_t protocol, const Bytes& rest) {
    Bytes b;
    put16(b, flags), put16(b, protocol);
    return cat({b, rest});
}

TEST(PrintEthernetPayloads, ErspanMatchesTcpdumpAfterGre) {
    Bytes inner = ethernet(0x0800, ipv4(1, repeat(8, 0)));
    Bytes type2 = {0x10, 0x05, 0x20, 0x64, 0x00, 0x00, 0x00, 0x01};
    Bytes type3 = {0x20, 0x05, 0x20, 0x64, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00};
    std::vector<Bytes> frames = {
        ethernet(0x0800, ipv4(47, gre(0x0000, 0x88be, inner))),
        ethernet(0x0800, ipv4(47, gre(0x1000, 0x88be, cat({{0, 0, 0, 7}, type2, inner})))),
        ethernet(0x0800, ipv4(47, gre(0x1000, 0x22eb, cat({{0, 0, 0, 7}, type3, inner})))),
        ethernet(0x0800, ipv4(47, gre(0x1000, 0x22eb, {0, 0, 0, 7, 0x20}))),
    };
    for (const auto& m : compare_with_tcpdump(1, frames)) {
        std::string tail = m.tcpdump.substr(m.tcpdump.rfind(": ") + 2);
        EXPECT_TRUE(m.sniff.ends_with(": " + tail)) << "packet " << m.packet << "\n  sniff:   " << m.sniff << "\n  tcpdump: " << m.tcpdump;
    }
}

}  // namespace

namespace {

// --- Spanning tree (IEEE 802.1D-2004 clause 9, 802.1Q-2018 clause 14)

Bytes bridge(unsigned priority, const char* address) {
    Bytes b;
    put16(b, priority);
    return cat({b, mac(address)});
}

Bytes bpdu(std::uint8_t version, std::uint8_t type, std::uint8_t flags) {
    Bytes b;
    put16(b, 0), put8(b, version), put8(b, type), put8(b, flags);
    b = cat({b, bridge(0x8001, "00:19:06:ea:b8:80")});
    put32(b, 200000);
    b = cat({b, bridge(0x8005, "00:19:06:ea:b8:81")});
    put16(b, 0x800c), put16(b, 256), put16(b, 20 * 256), put16(b, 2 * 256 + 77), put16(b, 15 * 256);
    return b;
}

Bytes mst_bpdu(std::uint8_t flags, std::size_t mstis) {
    Bytes b = bpdu(3, 2, flags);
    put8(b, 0), put16(b, static_cast<unsigned>(64 + 16 * mstis)), put8(b, 0);
    Bytes name = {'B', 'r', 'e', 'w', 'e', 'r', 'y'};
    name.resize(32, 0);
    b = cat({b, name, {0x00, 0x02}, repeat(16, 0x93)});
    put32(b, 200000);
    b = cat({b, bridge(0x8000, "00:1e:f7:05:a8:80"), {20}});
    for (std::size_t i = 1; i <= mstis; ++i) {
        Bytes m = {static_cast<std::uint8_t>(0x7c - i * 4)};
        m = cat({m, bridge(0x6000 + static_cast<unsigned>(i), "00:1e:f7:05:a8:80")});
        put32(m, static_cast<std::uint32_t>(i * 1000)), put8(m, 0x60), put8(m, 0x80), put8(m, 20);
        b = cat({b, m});
    }
    return b;
}

TEST(PrintEthernetPayloads, StpMatchesTcpdump) {
    Bytes tcn = {0x00, 0x00, 0x00, 0x80};
    std::vector<Bytes> frames = {
        ethernet_llc(0x42, 0x42, 0x03, bpdu(0, 0, 0x00)),
        ethernet_llc(0x42, 0x42, 0x03, bpdu(0, 0, 0x81)),
        ethernet_llc(0x42, 0x42, 0x03, tcn),
        ethernet_llc(0x42, 0x42, 0x03, cat({bpdu(2, 2, 0x3e), {0}})),
        ethernet_llc(0x42, 0x42, 0x03, cat({bpdu(2, 2, 0x06), {0}})),
        ethernet_llc(0x42, 0x42, 0x03, mst_bpdu(0x78, 0)),
        ethernet_llc(0x42, 0x42, 0x03, mst_bpdu(0x3c, 2)),
        ethernet_llc(0x42, 0x42, 0x03, cat({bpdu(2, 2, 0x06)})),
    };
    // PVST+: the same BPDU in SNAP (OUI 00000c, PID 0x010b), with the originating VLAN TLV.
    Bytes pvst = cat({{0x00, 0x00, 0x0c, 0x01, 0x0b}, bpdu(2, 2, 0x02), {0, 0x00, 0x00, 0x02, 0x00, 0x05}});
    frames = with_cuts(frames, 17, 4);
    auto pvst_frames = with_cuts({ethernet_llc(0xaa, 0xaa, 0x03, pvst, "00:1f:6d:96:ec:04", "01:00:0c:cc:cc:cd")}, 22, 4);
    frames.insert(frames.end(), pvst_frames.begin(), pvst_frames.end());
    expect_same(frames);
}

// --- Cisco SNAP protocols (OUI 00000c): CDP, DTP, VTP, UDLD (RFC 5171)

Bytes cisco_snap(std::uint16_t pid, const Bytes& body) {
    Bytes b = {0x00, 0x00, 0x0c};
    put16(b, pid);
    return ethernet_llc(0xaa, 0xaa, 0x03, cat({b, body}), "00:19:06:ea:b8:85", "01:00:0c:cc:cc:cc");
}

TEST(PrintEthernetPayloads, CiscoSnapMatchesTcpdump) {
    Bytes cdp = {0x02, 180, 0xb0, 0xbd, 0x00, 0x01, 0x00, 0x0a, 'S', 'w', 'i', 't', 'c', 'h'};
    Bytes dtp = {0x01, 0x00, 0x01, 0x00, 0x08, 'L', 'a', 'b', 0, 0};
    std::vector<Bytes> frames = {
        cisco_snap(0x2000, cdp),
        cisco_snap(0x2004, dtp),
        cisco_snap(0x2003, cat({{0x01, 0x01, 0x00, 0x03}, repeat(40, 0)})),
        cisco_snap(0x2003, cat({{0x01, 0x02, 0x01, 0x03}, repeat(40, 0)})),
        cisco_snap(0x2003, cat({{0x01, 0x03, 0x01, 0x03}, repeat(40, 0)})),
    };
    for (std::uint8_t first : {0x21, 0x22, 0x23, 0x20})
        for (std::uint8_t flags : {0, 1, 2, 3}) frames.push_back(cisco_snap(0x0111, cat({{first, flags, 0x6d, 0x85}, repeat(20, 0)})));
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- LLDP (IEEE 802.1AB-2016 clause 8)

Bytes tlv(unsigned type, const Bytes& value) {
    Bytes b;
    put16(b, (type << 9) | static_cast<unsigned>(value.size()));
    return cat({b, value});
}

TEST(PrintEthernetPayloads, LldpMatchesTcpdump) {
    Bytes chassis = tlv(1, cat({{4}, mac("00:19:2f:a7:b2:8d")})), port = tlv(2, {7, 'G', 'i', '0', '/', '1'});
    Bytes ttl = tlv(3, {0, 120}), end = tlv(0, {});
    std::vector<Bytes> frames = {
        ethernet(0x88cc, cat({chassis, port, ttl, tlv(5, {'S', '2', '.', 'c', 'o', 'm'}), end})),
        ethernet(0x88cc, cat({chassis, port, ttl, end})),
        ethernet(0x88cc, cat({chassis, port, ttl, tlv(5, {'a', 0x01, 'b'}), tlv(5, {'c'}), end})),
    };
    frames = with_cuts(frames, 14, 3);
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- Broadcom LI shim over UDP port 49152

TEST(PrintEthernetPayloads, BcmLiMatchesTcpdump) {
    std::vector<Bytes> frames;
    Bytes inner_ip = ipv4(17, repeat(12, 0), "192.0.2.1", "192.0.2.2");
    for (std::uint32_t direction : {1u, 2u, 3u, 0u})
        for (std::uint32_t type : {4u, 5u, 7u, 2u}) {
            Bytes shim;
            put32(shim, (direction << 29) | (type << 25) | (((type + direction) % 4) << 22) | 66666u);
            frames.push_back(ethernet(0x0800, udp4(49152, 49153, cat({shim, type == 7 ? repeat(20, 0) : inner_ip}))));
        }
    frames.push_back(ethernet(0x0800, udp4(49152, 49153, {0x68, 0x81})));
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- Slow Protocols (IEEE 802.3 annex 57A): LACP and Marker (IEEE 802.1AX-2020 6.4)

TEST(PrintEthernetPayloads, SlowProtocolsMatchTcpdump) {
    Bytes actor = cat({{0x01, 0x14, 0x80, 0x00}, mac("00:13:c4:12:0f:00"), {0x00, 0x0d, 0x80, 0x00, 0x00, 0x16, 0x3d, 0, 0, 0}});
    Bytes partner = cat({{0x02, 0x14, 0x80, 0x00}, mac("00:0e:83:16:f5:00"), {0x00, 0x0d, 0x80, 0x00, 0x00, 0x19, 0x3f, 0, 0, 0}});
    Bytes collector = {0x03, 0x10, 0x00, 0x00};
    collector.resize(16, 0);
    Bytes lacp = cat({{0x01, 0x01}, actor, partner, collector, {0x00, 0x00}, repeat(50, 0)});
    Bytes marker = cat({{0x02, 0x01, 0x01, 0x10, 0x00, 0x05}, mac("00:13:c4:12:0f:00"), {0, 0, 0, 7, 0, 0, 0, 0}, repeat(90, 0)});
    std::vector<Bytes> frames = {ethernet(0x8809, lacp), ethernet(0x8809, marker)};
    expect_same(frames, {""});
}

// --- Loopback (Ethernet configuration testing, EtherType 0x9000)

TEST(PrintEthernetPayloads, LoopbackMatchesTcpdump) {
    Bytes forward = cat({{0x00, 0x00, 0x02, 0x00}, mac("aa:00:04:00:1d:04"), {0x01, 0x00, 0x01, 0x00}, repeat(36, 0x55)});
    Bytes reply = cat({{0x08, 0x00, 0x02, 0x00}, mac("aa:00:04:00:1d:04"), {0x01, 0x00, 0x01, 0x00}, repeat(36, 0x55)});
    std::vector<Bytes> frames = {ethernet(0x9000, forward), ethernet(0x9000, reply)};
    expect_same(with_cuts(frames, 14, 3), {""});
}

}  // namespace

namespace {

// --- EAPOL (IEEE 802.1X-2020 clause 11)

TEST(PrintEthernetPayloads, EapolMatchesTcpdump) {
    std::vector<Bytes> frames = {
        ethernet(0x888e, {0x01, 0x01, 0x00, 0x00}),
        ethernet(0x888e, {0x01, 0x02, 0x00, 0x00}),
        ethernet(0x888e, {0x02, 0x00, 0x00, 0x05, 0x01, 0x01, 0x00, 0x05, 0x01}),
        ethernet(0x888e, cat({{0x01, 0x03, 0x00, 0x0c}, repeat(12, 0)})),
        ethernet(0x888e, {0x03, 0x04, 0x00, 0x00}),
        ethernet(0x888e, {0x03, 0x09, 0x00, 0x00}),
    };
    expect_same(with_cuts(frames, 14, 1), {""});
}

}  // namespace

namespace {

// --- GeoNetworking (ETSI TS 102 636-4-1), version 0, with BTP (ETSI TS 102 636-5-1)

Bytes geonet(std::uint8_t next, std::uint8_t type, std::uint16_t payload, std::size_t extended, const Bytes& rest) {
    Bytes b = {next, type, 0x00, 0x00};
    put16(b, payload), put8(b, 0), put8(b, 2);
    b = cat({b, {0xc0, 0xcc, 0x00, 0x0c, 0x42, 0x69, 0x68, 0xbe}});
    put32(b, 0xf7d08f10), put32(b, 514775183), put32(b, 56605966), put32(b, 0x00167000), put32(b, 0);
    return cat({b, repeat(extended, 0), rest});
}

TEST(PrintEthernetPayloads, GeonetMatchesTcpdump) {
    Bytes btp = {0x13, 0x88, 0x13, 0x89, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3c, 0, 0, 0, 0, 0, 0, 0, 0};
    std::vector<Bytes> frames = {
        ethernet(0x8947, geonet(0x00, 0x10, 0, 0, {})),
        ethernet(0x8947, geonet(0x01, 0x51, 10, 32, btp)),
        ethernet(0x8947, geonet(0x02, 0x51, 10, 32, btp)),
        ethernet(0x8947, geonet(0x01, 0x50, 10, 0, {0x07, 0xd1, 0x07, 0xd1, 0x00, 0x6a, 0, 0, 0, 0, 0, 0})),
        ethernet(0x8947, geonet(0x01, 0x50, 10, 0, {0x07, 0xd1, 0x07, 0xd1, 0x00, 0x6a, 0, 0, 0, 0, 0})),
        ethernet(0x8947, geonet(0x02, 0x50, 10, 0, {0x07, 0xd1, 0x07, 0xd1, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0})),
        ethernet(0x8947, geonet(0x03, 0x50, 0, 0, {})),
        ethernet(0x8947, geonet(0x01, 0x51, 10, 20, {})),
        ethernet(0x0707, geonet(0x00, 0x10, 0, 0, {})),
    };
    for (std::uint8_t type : {0x00, 0x20, 0x30, 0x31, 0x32, 0x33, 0x40, 0x41, 0x42, 0x52, 0x60, 0x61, 0x62, 0x70})
        frames.push_back(ethernet(0x8947, geonet(0x01, type, 10, 60, btp)));
    for (std::uint8_t type : {0x20, 0x30, 0x40, 0x60, 0x61})
        frames.push_back(ethernet(0x8947, geonet(0x01, type, 10, 20, {})));
    frames = with_cuts(frames, 14, 5);
    for (std::uint8_t id : {1, 2, 101, 102, 103, 104, 105, 106, 107, 150, 200})
        frames.push_back(ethernet(0x8947, geonet(0x01, 0x10, 10, 0, {0x07, 0xd1, 0x07, 0xd1, 0x00, id, 0, 0})));
    frames.push_back(ethernet(0x1111, cat({{0x00, 0x00, 0x00, 0x00, 0x01, 0xac}, repeat(30, 0x55)})));
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- DECnet Phase IV: routing layer and NSP (little-endian fields)

Bytes le16(unsigned v) { return {static_cast<std::uint8_t>(v & 0xff), static_cast<std::uint8_t>(v >> 8)}; }

// A short-format data packet from 1.1 to 1.2 carrying an NSP message.
Bytes decnet_short(const Bytes& nsp) {
    Bytes route = cat({{0x02}, le16(0x0402), le16(0x0401), {0x00}, nsp});
    return ethernet(0x6003, cat({le16(static_cast<unsigned>(route.size())), route}), "aa:00:04:00:01:04", "aa:00:04:00:02:04");
}

Bytes nsp(std::uint8_t flags, const Bytes& rest) { return cat({{flags}, le16(8196), le16(8195), rest}); }

TEST(PrintEthernetPayloads, DecnetMatchesTcpdump) {
    Bytes hello = {0x0d, 0x02, 0x00, 0x00, 0xaa, 0x00, 0x04, 0x00, 0x01, 0x04, 0x03, 0x32, 0x40, 0x00};
    hello = cat({hello, repeat(8, 0), {0xaa, 0x00, 0x04, 0x00, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x0a}});
    std::vector<Bytes> frames = {
        ethernet(0x6003, cat({le16(static_cast<unsigned>(hello.size())), hello})),
        decnet_short(nsp(0x60, cat({le16(0x8000), le16(0xa000), le16(1), {'D', 'E', 'C'}}))),
        decnet_short(nsp(0x20, cat({le16(0x9003), le16(0xb002), le16(4)}))),
        decnet_short(nsp(0x40, cat({le16(7), {'x'}}))),
        decnet_short(nsp(0x04, cat({le16(0x8001), le16(0xa000)}))),
        decnet_short(nsp(0x14, cat({le16(0x8001), le16(0x2000)}))),
        decnet_short(nsp(0x24, {})),
        decnet_short(nsp(0x10, cat({le16(0x8000), le16(0xa000), le16(1), {0x00, 0x00}}))),
        decnet_short(nsp(0x10, cat({le16(0x8000), le16(0xa000), le16(1), {0x06, 0x02}}))),
        decnet_short(nsp(0x18, {0x01, 0x03, 0x13, 0x40})),
        decnet_short(nsp(0x28, {0x05, 0x02, 0x13, 0x40, 0x00})),
        decnet_short(nsp(0x28, {0x09, 0x01, 0x13, 0x40, 0x03, 1, 2, 3})),
        decnet_short(nsp(0x38, cat({le16(0), {0x00}}))),
        decnet_short(nsp(0x38, cat({le16(99), {0x02, 1, 2}}))),
        decnet_short(nsp(0x48, le16(42))),
        decnet_short({0x24, 0x03, 0x20}),
    };
    expect_same(frames, {""});
}

}  // namespace

namespace {

// --- Novell IPX: header, SAP and RIP bodies; in EtherType 0x8137 and 802.2 LLC SAP 0xe0

Bytes ipx(std::uint16_t socket, const Bytes& body, int length_adjust = 0) {
    Bytes b = {0xff, 0xff};
    put16(b, static_cast<unsigned>(30 + static_cast<int>(body.size()) + length_adjust));
    b = cat({b, {0x00, 0x01}, {0, 0, 0, 0}, mac("ff:ff:ff:ff:ff:ff")});
    put16(b, socket);
    b = cat({b, {0xa8, 0xf8, 0x79, 0x67}, mac("00:03:47:1b:c1:a8")});
    put16(b, socket);
    return cat({b, body});
}

TEST(PrintEthernetPayloads, IpxMatchesTcpdump) {
    Bytes name = {'S', 'E', 'R', 'V', 'E', 'R'};
    name.resize(48, 0);
    Bytes sap_entry = cat({{0x03, 0x0c}, name, {0, 0, 0, 0}, mac("00:30:c1:bf:57:55"), {0x04, 0x51, 0x00, 0x01}});
    std::vector<Bytes> bodies = {
        ipx(0x0453, {0x00, 0x02, 0xa8, 0xf8, 0x79, 0x67, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x04}),
        ipx(0x0453, {0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
        ipx(0x0452, cat({{0x00, 0x02}, sap_entry, sap_entry})),
        ipx(0x0452, cat({{0x00, 0x04}, sap_entry})),
        ipx(0x0452, {0x00, 0x01, 0x00, 0x04}),
        ipx(0x0452, {0x00, 0x03, 0x02, 0x78}),
        ipx(0x0455, repeat(50, 0)),
        ipx(0x0553, repeat(20, 0)),
        ipx(0x0451, repeat(20, 0)),
        ipx(0x4008, repeat(20, 0)),
        ipx(0x0455, repeat(10, 0), -11),
    };
    std::vector<Bytes> frames;
    for (const auto& b : bodies) {
        frames.push_back(ethernet_llc(0xe0, 0xe0, 0x03, b, "00:03:47:1b:c1:a8", "ff:ff:ff:ff:ff:ff"));
        frames.push_back(ethernet(0x8137, b));
        frames.push_back(ethernet(static_cast<std::uint16_t>(b.size()), b));  // raw 802.3
    }
    expect_same(frames, {""});
}

}  // namespace
