// Printing parity for the routing protocols that plug in through src/decode/registry.cpp: frames
// built field by field from each protocol's RFC or IEEE layout, printed by sniff and by the
// installed tcpdump at default verbosity and at -v, line for line. Every message is also sent
// cut short at each length of its header (the IP and UDP lengths follow the cut), so a printer
// that read past the bytes it has would show.
#include <gtest/gtest.h>

#include <string>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

using Wrap = Bytes (*)(const Bytes& payload);

// The message whole, then its first n bytes for n in [0, limit).
std::vector<Bytes> with_cuts(const Bytes& message, std::size_t limit, Wrap wrap) {
    std::vector<Bytes> frames{wrap(message)};
    for (std::size_t n = 0; n < limit && n < message.size(); ++n)
        frames.push_back(wrap(Bytes(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(n))));
    return frames;
}

void expect_same(int dlt, const std::vector<Bytes>& frames, std::initializer_list<const char*> flag_sets) {
    for (const char* flags : flag_sets)
        for (const auto& m : compare_with_tcpdump(dlt, frames, flags))
            ADD_FAILURE() << "flags '" << flags << "' packet " << m.packet << "\n  sniff:   " << m.sniff
                          << "\n  tcpdump: " << m.tcpdump;
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

// --- VRRP (RFC 3768 section 5.1, RFC 5798 section 5.1), IP protocol 112, TTL 255
Bytes vrrp2(std::uint8_t vrid, std::uint8_t prio, std::uint8_t auth, std::initializer_list<const char*> addrs,
            const char* password) {
    Bytes m;
    put8(m, 0x21), put8(m, vrid), put8(m, prio), put8(m, static_cast<unsigned>(addrs.size()));
    put8(m, auth), put8(m, 1), put16(m, 0);
    for (const char* a : addrs) m = cat({m, ip4(a)});
    if (password) {
        Bytes p = bytes_of(password);
        p.resize(8, 0);
        m = cat({m, p});
    }
    std::uint16_t c = internet_checksum(m);
    m[6] = c >> 8, m[7] = c & 0xff;
    return m;
}
Bytes vrrp3(std::uint8_t vrid, std::uint8_t prio, std::uint16_t centiseconds, std::initializer_list<const char*> addrs) {
    Bytes m;
    put8(m, 0x31), put8(m, vrid), put8(m, prio), put8(m, static_cast<unsigned>(addrs.size()));
    put16(m, centiseconds), put16(m, 0);
    for (const char* a : addrs) m = cat({m, ip4(a)});
    return m;
}
Bytes in_ip_ttl255(const Bytes& p) { return ethernet(0x0800, ipv4(112, p, "10.0.0.1", "224.0.0.18", 255)); }
Bytes in_ip_ttl64(const Bytes& p) { return ethernet(0x0800, ipv4(112, p, "10.0.0.1", "224.0.0.18", 64)); }

TEST(PrintRouting, VrrpMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (const Bytes& m : {vrrp2(1, 100, 0, {"10.0.0.254"}, nullptr), vrrp2(42, 200, 1, {"10.1.1.1", "10.1.1.2"}, "secret"),
                           vrrp2(7, 255, 1, {"10.1.1.1"}, "abcdefgh"), vrrp2(3, 10, 2, {}, nullptr),
                           vrrp3(44, 191, 100, {"10.4.44.100", "10.4.44.200"})}) {
        auto cut = with_cuts(m, m.size(), in_ip_ttl255);
        frames.insert(frames.end(), cut.begin(), cut.end());
        frames.push_back(in_ip_ttl64(m));
    }
    // VRRPv3 over IPv6 lists IPv6 addresses.
    Bytes v6;
    put8(v6, 0x31), put8(v6, 45), put8(v6, 100), put8(v6, 2), put16(v6, 100), put16(v6, 0);
    v6 = cat({v6, ip6("fe80::200:5eff:fe00:22d"), ip6("2001::abcd:a")});
    frames.push_back(ethernet(0x86dd, ipv6(112, v6, "fe80::1", "ff02::12", 255)));
    Bytes bad = vrrp2(9, 100, 0, {"10.0.0.9"}, nullptr);
    bad[7] ^= 0xff;  // wrong checksum
    frames.push_back(in_ip_ttl255(bad));
    Bytes other = vrrp3(1, 1, 1, {});
    other[0] = 0x32;  // an unknown message type
    frames.push_back(in_ip_ttl255(other));
    expect_same(1, frames, {"", "-v"});
}

// --- HSRP (RFC 2281 section 5), UDP port 1985
Bytes hsrp(std::uint8_t op, std::uint8_t state, std::uint8_t group, const char* auth) {
    Bytes m;
    put8(m, 0), put8(m, op), put8(m, state), put8(m, 3), put8(m, 10), put8(m, 100), put8(m, group), put8(m, 0);
    Bytes a = bytes_of(auth);
    a.resize(8, 0);
    return cat({m, a, ip4("192.168.0.1")});
}
Bytes in_hsrp_udp(const Bytes& p) { return ethernet(0x0800, ipv4(17, udp4(1985, 1985, p, "10.0.0.1", "224.0.0.2"), "10.0.0.1", "224.0.0.2")); }

TEST(PrintRouting, HsrpMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (const Bytes& m : {hsrp(0, 16, 1, "cisco"), hsrp(1, 2, 1, "cisco"), hsrp(2, 8, 3, "abcdefgh"), hsrp(3, 0, 2, ""),
                           hsrp(0, 3, 9, "x")}) {
        auto cut = with_cuts(m, m.size(), in_hsrp_udp);
        frames.insert(frames.end(), cut.begin(), cut.end());
    }
    expect_same(1, frames, {"", "-v"});
}

// --- BFD control packets (RFC 5880 section 4.1) on the single-hop, multihop and LAG ports
Bytes bfd(std::uint8_t state_flags, std::uint8_t diag, const Bytes& auth) {
    Bytes m;
    put8(m, 0x20 | diag), put8(m, state_flags), put8(m, 3), put8(m, static_cast<unsigned>(24 + auth.size()));
    put32(m, 0x7429abf9), put32(m, 0xd43a40c1), put32(m, 300000), put32(m, 300000), put32(m, 50000);
    return cat({m, auth});
}
template <std::uint16_t Port>
Bytes in_bfd_udp(const Bytes& p) { return ethernet(0x0800, ipv4(17, udp4(49153, Port, p))); }

TEST(PrintRouting, BfdMatchesTcpdump) {
    Bytes simple;
    put8(simple, 1), put8(simple, 9), put8(simple, 2);
    simple = cat({simple, bytes_of("secret")});
    Bytes md5;
    put8(md5, 2), put8(md5, 24), put8(md5, 1), put8(md5, 0), put32(md5, 5);
    md5 = cat({md5, Bytes(16, 0xab)});
    Bytes sha1;
    put8(sha1, 5), put8(sha1, 28), put8(sha1, 1), put8(sha1, 0), put32(sha1, 7);
    sha1 = cat({sha1, Bytes(20, 0x5c)});
    std::vector<Bytes> frames;
    for (const Bytes& m : {bfd(0xc0, 0, {}), bfd(0x40 | 0x20, 1, {}), bfd(0x80 | 0x10 | 0x08, 3, {}), bfd(0x00 | 0x3f, 7, {})}) {
        auto cut = with_cuts(m, m.size(), in_bfd_udp<3784>);
        frames.insert(frames.end(), cut.begin(), cut.end());
        frames.push_back(in_bfd_udp<4784>(m));
        frames.push_back(in_bfd_udp<6784>(m));
    }
    for (const Bytes& m : {bfd(0x44, 0, simple), bfd(0x44, 0, md5), bfd(0xc4, 0, sha1)}) frames.push_back(in_bfd_udp<3784>(m));
    Bytes v0 = bfd(0xc0, 0, {});
    v0[0] = 0x00;  // version 0
    frames.push_back(in_bfd_udp<3784>(v0));
    frames.push_back(in_bfd_udp<3785>(Bytes(12, 0x11)));  // echo
    expect_same(1, frames, {"", "-v"});
}

// --- EIGRP (RFC 7868 section 6.4), IP protocol 88, and PIMv2 (RFC 7761 section 4.9), 103
Bytes header20(std::uint8_t version, std::uint8_t opcode) {
    Bytes m;
    put8(m, version), put8(m, opcode), put16(m, 0), put32(m, 0), put32(m, 1), put32(m, 0), put32(m, 100);
    return m;
}
Bytes in_eigrp(const Bytes& p) { return ethernet(0x0800, ipv4(88, p, "10.0.0.1", "224.0.0.10")); }
Bytes in_eigrp6(const Bytes& p) { return ethernet(0x86dd, ipv6(88, p, "fe80::1", "ff02::a")); }
Bytes in_pim(const Bytes& p) { return ethernet(0x0800, ipv4(103, p, "10.0.0.1", "224.0.0.13")); }
Bytes in_pim6(const Bytes& p) { return ethernet(0x86dd, ipv6(103, p, "fe80::1", "ff02::d")); }

TEST(PrintRouting, EigrpAndPimMatchTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t op : {1, 2, 3, 4, 5, 6, 10, 11, 12}) frames.push_back(in_eigrp(header20(2, op)));
    frames.push_back(in_eigrp6(header20(2, 5)));
    frames.push_back(in_eigrp(header20(1, 5)));
    const Bytes hello = header20(2, 5);
    for (std::size_t n = 0; n < 20; ++n) frames.push_back(in_eigrp(Bytes(hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(n))));
    for (unsigned type = 0; type < 16; ++type) {
        Bytes m;
        put8(m, 0x20 | type), put8(m, 0), put16(m, 0), put32(m, 0x00010002);
        frames.push_back(in_pim(m));
        frames.push_back(in_pim6(m));
    }
    Bytes v1;
    put8(v1, 0x10), put8(v1, 0), put16(v1, 0);
    frames.push_back(in_pim(v1));
    frames.push_back(in_pim(Bytes{}));
    expect_same(1, frames, {""});
}

// EIGRP TLVs (RFC 7868 section 6.6): parameters, software version, an IPv4 internal route,
// sequence, and one too short; -v lists them.
TEST(PrintRouting, EigrpTlvsMatchTcpdump) {
    Bytes parameters;
    put16(parameters, 1), put16(parameters, 12), put8(parameters, 1), put8(parameters, 0), put8(parameters, 1), put8(parameters, 0);
    put8(parameters, 0), put8(parameters, 0), put16(parameters, 15);
    Bytes version;
    put16(version, 4), put16(version, 8), put8(version, 12), put8(version, 4), put8(version, 1), put8(version, 2);
    Bytes route;
    put16(route, 0x0102), put16(route, 28), put32(route, 0), put32(route, 2560), put32(route, 25600), put8(route, 0);
    put16(route, 1500), put8(route, 1), put8(route, 255), put8(route, 1), put16(route, 0), put8(route, 24);
    route = cat({route, Bytes{192, 168, 1}});
    Bytes via = route;
    via[4] = 10, via[7] = 9;  // through 10.0.0.9
    Bytes sequence;
    put16(sequence, 3), put16(sequence, 9), put8(sequence, 4), put32(sequence, 0x0a000001);
    Bytes short_version;
    put16(short_version, 4), put16(short_version, 4);
    Bytes hello = cat({header20(2, 5), parameters, version});
    Bytes update = cat({header20(2, 1), route, via, sequence, short_version});
    std::vector<Bytes> frames = with_cuts(update, update.size(), in_eigrp);
    frames.push_back(in_eigrp(hello));
    Bytes overlong = cat({header20(2, 5), parameters});
    overlong[20 + 3] = 40;  // a TLV longer than the packet
    frames.push_back(in_eigrp(overlong));
    expect_same(1, frames, {"", "-v"});
}

// PIMv2 Hello options (RFC 7761 section 4.9.2) with a good checksum; -v lists them.
Bytes pim_hello(const Bytes& options) {
    Bytes m;
    put8(m, 0x20), put8(m, 0), put16(m, 0);
    m = cat({m, options});
    std::uint16_t c = internet_checksum(m);
    m[2] = c >> 8, m[3] = c & 0xff;
    return m;
}
Bytes option(std::uint16_t type, const Bytes& value) {
    Bytes o;
    put16(o, type), put16(o, static_cast<unsigned>(value.size()));
    return cat({o, value});
}

TEST(PrintRouting, PimHelloMatchesTcpdump) {
    Bytes options = cat({option(1, {0, 105}), option(20, {0x3f, 0x0e, 0xf4, 0xcd}), option(19, {0, 0, 0, 1}),
                         option(21, {1, 60, 0, 0}), option(2, {0x81, 0xf4, 0x09, 0xc4})});
    std::vector<Bytes> frames{in_pim(pim_hello(options)), in_pim(pim_hello(option(20, {1, 2, 3, 4})))};
    expect_same(1, frames, {"", "-v"});
}

// --- OSPFv2 (RFC 2328 A.3.1) and OSPFv3 (RFC 5340 A.3.1), IP protocol 89
Bytes ospf2(std::uint8_t type, std::uint16_t auth_type, std::size_t body) {
    Bytes m;
    put8(m, 2), put8(m, type), put16(m, static_cast<unsigned>(24 + body)), put32(m, 0x01010101), put32(m, 0), put16(m, 0);
    put16(m, auth_type), put32(m, 0), put32(m, 0);
    m.resize(24 + body, 0);
    if (auth_type == 2) m.resize(m.size() + 16, 0x77);  // the MD5 digest after the packet
    return m;
}
Bytes ospf3(std::uint8_t type, std::size_t body) {
    Bytes m;
    put8(m, 3), put8(m, type), put16(m, static_cast<unsigned>(16 + body)), put32(m, 0x01010101), put32(m, 0), put16(m, 0);
    put8(m, 0), put8(m, 0);
    m.resize(16 + body, 0);
    return m;
}
Bytes in_ospf(const Bytes& p) { return ethernet(0x0800, ipv4(89, p, "10.0.0.1", "224.0.0.5")); }
Bytes in_ospf6(const Bytes& p) { return ethernet(0x86dd, ipv6(89, p, "fe80::1", "ff02::5")); }
// OSPFv3 behind an IPv6 Authentication Header (RFC 4552, RFC 4302 section 2) with a 12-byte ICV.
Bytes in_ah_ospf6(const Bytes& p) {
    Bytes ah;
    put8(ah, 89), put8(ah, 4), put16(ah, 0), put32(ah, 0x100), put32(ah, 0x13);
    for (unsigned i = 0; i < 12; ++i) put8(ah, 0xd0 + i);
    return ethernet(0x86dd, ipv6(51, cat({ah, p}), "fe80::1", "ff02::5"));
}

TEST(PrintRouting, OspfMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t type : {1, 2, 3, 4, 5, 6}) {
        frames.push_back(in_ospf(ospf2(type, 0, 20)));
        frames.push_back(in_ospf(ospf2(type, 2, 20)));
        frames.push_back(in_ospf6(ospf3(type, 20)));
        frames.push_back(in_ah_ospf6(ospf3(type, 20)));
    }
    const Bytes hello = ospf2(1, 0, 20);
    const Bytes hello6 = ospf3(1, 20);
    for (std::size_t n = 0; n < 24; ++n) {
        frames.push_back(in_ospf(Bytes(hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(n))));
        frames.push_back(in_ospf6(Bytes(hello6.begin(), hello6.begin() + static_cast<std::ptrdiff_t>(n))));
    }
    expect_same(1, frames, {""});
}

// --- IS-IS over 802.2 LLC (ISO/IEC 10589 section 9)
Bytes isis_common(std::uint8_t pdu_type, std::uint8_t fixed) {
    Bytes m;
    put8(m, 0x83), put8(m, fixed), put8(m, 1), put8(m, 0), put8(m, pdu_type), put8(m, 1), put8(m, 0), put8(m, 0);
    return m;
}
Bytes system_id(std::uint8_t seed, std::size_t n) {
    Bytes b;
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(seed + i * 0x11));
    return b;
}
Bytes isis_lan_iih(std::uint8_t type) {
    Bytes m = isis_common(type, 27);
    put8(m, 3), m = cat({m, system_id(0x10, 6)}), put16(m, 30), put16(m, 27), put8(m, 64), m = cat({m, system_id(0x20, 7)});
    return m;
}
Bytes isis_p2p_iih() {
    Bytes m = isis_common(17, 20);
    put8(m, 3), m = cat({m, system_id(0x10, 6)}), put16(m, 30), put16(m, 20), put8(m, 1);
    return m;
}
Bytes isis_lsp(std::uint8_t type) {
    Bytes m = isis_common(type, 27);
    put16(m, 27), put16(m, 1199), m = cat({m, system_id(0x30, 8)}), put32(m, 9), put16(m, 0), put8(m, 3);
    return m;
}
Bytes isis_snp(std::uint8_t type, std::uint8_t fixed) {
    Bytes m = isis_common(type, fixed);
    put16(m, fixed), m = cat({m, system_id(0x40, 7)});
    if (fixed == 33) m = cat({m, Bytes(8, 0), Bytes(8, 0xff)});
    return m;
}
Bytes in_llc(const Bytes& p) { return ethernet_llc(0xfe, 0xfe, 0x03, p, "02:00:00:00:00:01", "01:80:c2:00:00:14"); }

TEST(PrintRouting, IsisMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (const Bytes& m : {isis_lan_iih(15), isis_lan_iih(16), isis_p2p_iih(), isis_lsp(18), isis_lsp(20), isis_snp(24, 33),
                           isis_snp(25, 33), isis_snp(26, 17), isis_snp(27, 17)}) {
        auto cut = with_cuts(m, m.size(), in_llc);
        frames.insert(frames.end(), cut.begin() + 1, cut.end());  // an 802.3 frame is at least 60 bytes
        frames.push_back(in_llc(cat({m, Bytes(40, 0)})));
    }
    Bytes bogus = isis_lan_iih(16);
    bogus[1] = 20;  // a wrong fixed header length
    frames.push_back(in_llc(cat({bogus, Bytes(40, 0)})));
    Bytes version = isis_lan_iih(16);
    version[2] = 2;
    frames.push_back(in_llc(cat({version, Bytes(40, 0)})));
    expect_same(1, frames, {""});
}

// --- Babel (RFC 8966 section 4), UDP port 6696
Bytes tlv(std::uint8_t type, const Bytes& body) {
    Bytes m;
    put8(m, type), put8(m, static_cast<unsigned>(body.size()));
    return cat({m, body});
}
Bytes babel(const Bytes& body, const Bytes& trailer = {}) {
    Bytes m;
    put8(m, 42), put8(m, 2), put16(m, static_cast<unsigned>(body.size()));
    return cat({m, body, trailer});
}
Bytes in_babel(const Bytes& p) { return ethernet(0x86dd, ipv6(17, udp6(6696, 6696, p, "fe80::1", "ff02::1:6"), "fe80::1", "ff02::1:6")); }

TEST(PrintRouting, BabelMatchesTcpdump) {
    Bytes update_prefix(10, 0);
    update_prefix[1] = 0x80;
    Bytes update_id(10, 0);
    update_id[1] = 0x40;
    Bytes body = cat({tlv(4, Bytes(6, 0)), tlv(5, Bytes(6, 0)), tlv(6, Bytes(10, 0)), tlv(8, update_prefix), tlv(8, update_id),
                      Bytes{0}, tlv(1, Bytes(2, 0)), tlv(7, Bytes(6, 0)), tlv(9, Bytes(4, 0)), tlv(10, Bytes(8, 0)),
                      tlv(2, Bytes(6, 0)), tlv(3, Bytes(2, 0)), tlv(11, Bytes(6, 0)), tlv(12, Bytes(6, 0)), tlv(17, Bytes(4, 0)),
                      tlv(30, Bytes(2, 0))});
    std::vector<Bytes> frames = with_cuts(babel(body), 40, in_babel);
    frames.push_back(in_babel(babel(tlv(4, Bytes(6, 0)), tlv(16, Bytes(16, 0)))));
    frames.push_back(in_babel(babel(tlv(8, Bytes(6, 0)))));  // an update too short
    Bytes lying = babel(tlv(4, Bytes(6, 0)));
    lying[3] = 40;  // a body longer than the packet
    frames.push_back(in_babel(lying));
    Bytes magic = babel({});
    magic[0] = 41;
    frames.push_back(in_babel(magic));
    expect_same(1, frames, {""});
}

// --- RIP (RFC 2453 section 4), LDP (RFC 5036 section 3.5), LSP ping (RFC 8029 section 3),
// OLSR (RFC 3626 section 3.3), LMP (RFC 4204 section 12.1) over UDP; RSVP (RFC 2205 section
// 3.1.1), IP protocol 46; BGP (RFC 4271 section 4.1) over TCP
template <std::uint16_t Port>
Bytes in_udp(const Bytes& p) { return ethernet(0x0800, ipv4(17, udp4(Port, Port, p))); }
Bytes in_rsvp(const Bytes& p) { return ethernet(0x0800, ipv4(46, p)); }
Bytes in_bgp(const Bytes& p) { return ethernet(0x0800, ipv4(6, tcp4(40000, 179, p))); }

TEST(PrintRouting, SmallerProtocolsMatchTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t version : {1, 2})
        for (std::uint8_t command : {1, 2, 5, 9}) {
            Bytes m;
            put8(m, command), put8(m, version), put16(m, 0), put16(m, 2), put16(m, 0), m = cat({m, ip4("10.1.0.0"), Bytes(12, 0)});
            frames.push_back(in_udp<520>(m));
        }
    Bytes ldp;
    put16(ldp, 1), put16(ldp, 30), ldp = cat({ldp, ip4("10.0.0.1")}), put16(ldp, 0);
    put16(ldp, 0x0100), put16(ldp, 20), put32(ldp, 1), ldp.resize(34, 0);
    auto ldp_cuts = with_cuts(ldp, 24, in_udp<646>);
    frames.insert(frames.end(), ldp_cuts.begin(), ldp_cuts.end());
    Bytes lsp;
    put16(lsp, 1), put16(lsp, 0), put8(lsp, 1), put8(lsp, 2), put8(lsp, 0), put8(lsp, 0), put32(lsp, 0x1234), put32(lsp, 7);
    lsp.resize(32, 0);
    frames.push_back(in_udp<3503>(lsp));
    lsp[4] = 2;
    frames.push_back(in_udp<3503>(lsp));
    Bytes olsr;
    put16(olsr, 20), put16(olsr, 0xce93), olsr.resize(20, 0);
    frames.push_back(in_udp<698>(olsr));
    for (std::uint8_t type : {1, 4, 20, 99}) {
        Bytes lmp;
        put8(lmp, 0x10), put8(lmp, 0), put8(lmp, 0), put8(lmp, type), put16(lmp, 8), put16(lmp, 0);
        frames.push_back(in_udp<701>(lmp));
    }
    for (std::uint8_t type : {1, 2, 5, 20, 99}) {
        Bytes rsvp;
        put8(rsvp, 0x10), put8(rsvp, type), put16(rsvp, 0), put8(rsvp, 64), put8(rsvp, 0), put16(rsvp, 20), rsvp.resize(20, 0);
        frames.push_back(in_rsvp(rsvp));
    }
    Bytes keepalive(16, 0xff);
    put16(keepalive, 19), put8(keepalive, 4);
    frames.push_back(in_bgp(keepalive));
    expect_same(1, frames, {""});
}

}  // namespace
