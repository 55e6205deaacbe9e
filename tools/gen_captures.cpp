// Writes small, deterministic sample pcap files (normal, truncated, nanosecond, damaged)
// for exercising sniff's reader and filters. Usage: gen_captures OUTDIR
//
// Only the standard library is used; the pcap container is written by hand so the
// files do not depend on whichever libpcap happens to be installed.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::array<std::uint8_t, 4>;
using Ip6 = std::array<std::uint8_t, 16>;

// ---------------------------------------------------------------------------
// Deterministic randomness

// splitmix64: the std distributions are implementation-defined, and the output
// files must be byte-identical across compilers and standard libraries.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Modulo bias is irrelevant here; only determinism matters.
    std::uint32_t below(std::uint64_t n) { return static_cast<std::uint32_t>(next() % n); }
    std::uint32_t range(std::uint32_t lo, std::uint32_t hi) { return lo + below(std::uint64_t{hi} - lo + 1); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(next()); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(next()); }
    bool chance(unsigned percent) { return below(100) < percent; }

    template <class C>
    auto pick(const C& c) -> decltype(*std::begin(c)) {
        return *(std::begin(c) + below(std::size(c)));
    }
    Bytes bytes(std::size_t n) {
        Bytes b(n);
        for (auto& x : b) x = static_cast<std::uint8_t>(next());
        return b;
    }

private:
    std::uint64_t state_;
};

// ---------------------------------------------------------------------------
// Byte helpers (network byte order)

void put8(Bytes& b, unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
void put16(Bytes& b, unsigned v) { put8(b, v >> 8); put8(b, v & 0xff); }
void put32(Bytes& b, std::uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
template <class C>
void append(Bytes& b, const C& c) { b.insert(b.end(), std::begin(c), std::end(c)); }
void set16(Bytes& b, std::size_t at, unsigned v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// ---------------------------------------------------------------------------
// Addresses

Ip4 ip4(std::string_view s) {
    Ip4 a{};
    const char* p = s.data();
    const char* end = s.data() + s.size();
    for (auto& octet : a) {
        unsigned v = 0;
        p = std::from_chars(p, end, v).ptr;
        octet = static_cast<std::uint8_t>(v);
        if (p != end) ++p;  // skip '.'
    }
    return a;
}

// Minimal textual IPv6 parser (hex groups with at most one "::"); inputs are our own literals.
Ip6 ip6(std::string_view s) {
    auto groups = [](std::string_view part) {
        std::vector<std::uint16_t> g;
        while (!part.empty()) {
            unsigned v = 0;
            auto r = std::from_chars(part.data(), part.data() + part.size(), v, 16);
            g.push_back(static_cast<std::uint16_t>(v));
            part.remove_prefix(static_cast<std::size_t>(r.ptr - part.data()));
            if (!part.empty()) part.remove_prefix(1);  // skip ':'
        }
        return g;
    };
    std::size_t gap = s.find("::");
    auto head = groups(s.substr(0, gap));
    auto tail = gap == std::string_view::npos ? std::vector<std::uint16_t>{} : groups(s.substr(gap + 2));
    Ip6 a{};
    auto store = [&a](std::size_t group, std::uint16_t v) {
        a[2 * group] = static_cast<std::uint8_t>(v >> 8);
        a[2 * group + 1] = static_cast<std::uint8_t>(v);
    };
    for (std::size_t i = 0; i < head.size(); ++i) store(i, head[i]);
    for (std::size_t i = 0; i < tail.size(); ++i) store(8 - tail.size() + i, tail[i]);
    return a;
}

constexpr Mac kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr Mac kZeroMac = {0, 0, 0, 0, 0, 0};

Mac multicast_mac(const Ip4& group) {
    return {0x01, 0x00, 0x5e, static_cast<std::uint8_t>(group[1] & 0x7f), group[2], group[3]};
}
Mac multicast_mac(const Ip6& group) { return {0x33, 0x33, group[12], group[13], group[14], group[15]}; }

Ip6 solicited_node(const Ip6& target) {
    Ip6 a = ip6("ff02::1:ff00:0");
    a[13] = target[13];
    a[14] = target[14];
    a[15] = target[15];
    return a;
}

// ---------------------------------------------------------------------------
// Checksums

std::uint32_t sum16(const Bytes& b, std::uint32_t acc = 0) {
    for (std::size_t i = 0; i < b.size(); i += 2)
        acc += static_cast<std::uint32_t>(b[i] << 8) + (i + 1 < b.size() ? b[i + 1] : 0u);
    return acc;
}
std::uint16_t fold(std::uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc);
}

std::uint32_t pseudo4(const Ip4& src, const Ip4& dst, unsigned proto, std::size_t len) {
    Bytes p;
    append(p, src);
    append(p, dst);
    put8(p, 0);
    put8(p, proto);
    put16(p, static_cast<unsigned>(len));
    return sum16(p);
}
std::uint32_t pseudo6(const Ip6& src, const Ip6& dst, unsigned next_header, std::size_t len) {
    Bytes p;
    append(p, src);
    append(p, dst);
    put32(p, static_cast<std::uint32_t>(len));
    put32(p, next_header);
    return sum16(p);
}

// Fills in the checksum of a TCP/UDP/ICMPv6 segment; other protocols carry their own.
Bytes seal(Bytes seg, unsigned proto, std::uint32_t pseudo) {
    std::size_t at = proto == 6 ? 16 : proto == 17 ? 6 : proto == 58 ? 2 : 0;
    if (at == 0) return seg;
    set16(seg, at, 0);
    std::uint16_t c = fold(sum16(seg, pseudo));
    if (proto == 17 && c == 0) c = 0xffff;  // 0 means "no checksum" for UDP
    set16(seg, at, c);
    return seg;
}
Bytes seal4(Bytes seg, unsigned proto, const Ip4& src, const Ip4& dst) {
    auto pseudo = pseudo4(src, dst, proto, seg.size());
    return seal(std::move(seg), proto, pseudo);
}
Bytes seal6(Bytes seg, unsigned proto, const Ip6& src, const Ip6& dst) {
    auto pseudo = pseudo6(src, dst, proto, seg.size());
    return seal(std::move(seg), proto, pseudo);
}

// SCTP uses CRC32c rather than the Internet checksum.
std::uint32_t crc32c(const Bytes& b) {
    std::uint32_t crc = 0xffffffff;
    for (auto byte : b) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// ---------------------------------------------------------------------------
// Link layer

struct VlanTag {
    std::uint16_t tpid;  // 0x8100, or 0x88a8 for a QinQ service tag
    std::uint16_t tci;   // PCP << 13 | VID
};

// Frames are padded to the 60-byte Ethernet minimum (FCS not captured), as on a real wire,
// so IP total length is often shorter than the frame.
Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t ethertype, const Bytes& payload,
               const std::vector<VlanTag>& tags = {}) {
    Bytes b;
    append(b, dst);
    append(b, src);
    for (const auto& t : tags) {
        put16(b, t.tpid);
        put16(b, t.tci);
    }
    put16(b, ethertype);
    append(b, payload);
    if (b.size() < 60) b.resize(60, 0);
    return b;
}

// 802.3 frame with a length field instead of an ethertype, carrying LLC.
Bytes ieee8023_llc(const Mac& dst, const Mac& src, std::uint8_t dsap, std::uint8_t ssap, const Bytes& payload) {
    Bytes llc = {dsap, ssap, 0x03};
    append(llc, payload);
    Bytes b;
    append(b, dst);
    append(b, src);
    put16(b, static_cast<unsigned>(llc.size()));
    append(b, llc);
    if (b.size() < 60) b.resize(60, 0);
    return b;
}

Bytes stp_config_bpdu(const Mac& bridge) {
    Bytes b;
    put16(b, 0);  // protocol id
    put8(b, 0);   // version
    put8(b, 0);   // config BPDU
    put8(b, 0);   // flags
    put16(b, 0x8000);
    append(b, bridge);  // root id
    put32(b, 0);        // root path cost
    put16(b, 0x8000);
    append(b, bridge);  // bridge id
    put16(b, 0x8001);   // port id
    put16(b, 0);        // message age
    put16(b, 20 * 256);
    put16(b, 2 * 256);
    put16(b, 15 * 256);
    return b;
}

// ARP and RARP share this layout; only the ethertype and opcodes differ.
Bytes arp(unsigned op, const Mac& sha, const Ip4& spa, const Mac& tha, const Ip4& tpa) {
    Bytes b;
    put16(b, 1);       // Ethernet
    put16(b, 0x0800);  // IPv4
    put8(b, 6);
    put8(b, 4);
    put16(b, op);
    append(b, sha);
    append(b, spa);
    append(b, tha);
    append(b, tpa);
    return b;
}

// ---------------------------------------------------------------------------
// Network layer

struct Ip4Hdr {
    Ip4 src{};
    Ip4 dst{};
    std::uint8_t proto = 0;
    std::uint8_t ttl = 64;
    std::uint16_t id = 0;
    std::uint8_t tos = 0;
    bool df = false;
    bool mf = false;
    std::uint16_t frag_offset8 = 0;  // in 8-byte units
    Bytes options;                   // multiple of 4 bytes, at most 40
};

Bytes ipv4(const Ip4Hdr& h, const Bytes& payload) {
    std::size_t hlen = 20 + h.options.size();
    Bytes b;
    put8(b, 0x40 | static_cast<unsigned>(hlen / 4));
    put8(b, h.tos);
    put16(b, static_cast<unsigned>(hlen + payload.size()));
    put16(b, h.id);
    put16(b, (h.df ? 0x4000u : 0u) | (h.mf ? 0x2000u : 0u) | (h.frag_offset8 & 0x1fffu));
    put8(b, h.ttl);
    put8(b, h.proto);
    put16(b, 0);
    append(b, h.src);
    append(b, h.dst);
    append(b, h.options);
    set16(b, 10, fold(sum16(b)));
    append(b, payload);
    return b;
}

Bytes ipv6(const Ip6& src, const Ip6& dst, unsigned next_header, const Bytes& payload,
           unsigned hop_limit = 64, std::uint32_t flow = 0) {
    Bytes b;
    put32(b, 0x60000000u | (flow & 0xfffff));
    put16(b, static_cast<unsigned>(payload.size()));
    put8(b, next_header);
    put8(b, hop_limit);
    append(b, src);
    append(b, dst);
    append(b, payload);
    return b;
}

// IPv6 extension headers wrap the rest of the packet; `next` names what follows them.
Bytes hop_by_hop(unsigned next, const Bytes& rest, bool router_alert) {
    Bytes b = {static_cast<std::uint8_t>(next), 0};
    if (router_alert)
        append(b, Bytes{0x05, 0x02, 0x00, 0x00, 0x01, 0x00});  // Router Alert (MLD) + Pad2
    else
        append(b, Bytes{0x01, 0x04, 0, 0, 0, 0});  // PadN
    append(b, rest);
    return b;
}
Bytes destination_options(unsigned next, const Bytes& rest) {
    Bytes b = {static_cast<std::uint8_t>(next), 0, 0x01, 0x04, 0, 0, 0, 0};
    append(b, rest);
    return b;
}
// Type 0 with one segment left: the IPv6 destination is an intermediate hop and the
// final destination sits in the header, so upper-layer checksums must use `final_dst`.
Bytes routing_header(unsigned next, const Ip6& final_dst, const Bytes& rest) {
    Bytes b = {static_cast<std::uint8_t>(next), 2, 0, 1, 0, 0, 0, 0};
    append(b, final_dst);
    append(b, rest);
    return b;
}
Bytes fragment_header(unsigned next, unsigned offset8, bool more, std::uint32_t id, const Bytes& rest) {
    Bytes b = {static_cast<std::uint8_t>(next), 0};
    put16(b, (offset8 << 3) | (more ? 1u : 0u));
    put32(b, id);
    append(b, rest);
    return b;
}

// ---------------------------------------------------------------------------
// Transport and above

namespace tcpf {
constexpr std::uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40,
                       CWR = 0x80;
}

struct TcpSeg {
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = tcpf::ACK;
    std::uint16_t window = 65535;
    Bytes options;  // multiple of 4 bytes
    Bytes payload;
};

// Checksum left zero; seal4/seal6 fill it once the addresses are known.
Bytes tcp(const TcpSeg& t) {
    Bytes b;
    put16(b, t.sport);
    put16(b, t.dport);
    put32(b, t.seq);
    put32(b, t.ack);
    put8(b, static_cast<unsigned>((20 + t.options.size()) / 4) << 4);
    put8(b, t.flags);
    put16(b, t.window);
    put16(b, 0);
    put16(b, (t.flags & tcpf::URG) ? 1 : 0);
    append(b, t.options);
    append(b, t.payload);
    return b;
}

Bytes tcp_syn_options(bool full, std::uint32_t tsval) {
    Bytes o = {0x02, 0x04, 0x05, 0xb4};  // MSS 1460
    if (full) {
        append(o, Bytes{0x04, 0x02, 0x08, 0x0a});  // SACK permitted, timestamps
        put32(o, tsval);
        put32(o, 0);
        append(o, Bytes{0x01, 0x03, 0x03, 0x07});  // NOP, window scale 7
    }
    return o;
}

Bytes udp(unsigned sport, unsigned dport, const Bytes& payload) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, static_cast<unsigned>(8 + payload.size()));
    put16(b, 0);
    append(b, payload);
    return b;
}

Bytes icmp4_echo(bool request, unsigned id, unsigned seq, const Bytes& data) {
    Bytes b = {static_cast<std::uint8_t>(request ? 8 : 0), 0, 0, 0};
    put16(b, id);
    put16(b, seq);
    append(b, data);
    set16(b, 2, fold(sum16(b)));
    return b;
}

Bytes icmp6_echo(bool request, unsigned id, unsigned seq, const Bytes& data) {
    Bytes b = {static_cast<std::uint8_t>(request ? 128 : 129), 0, 0, 0};
    put16(b, id);
    put16(b, seq);
    append(b, data);
    return b;
}

// A source link-layer option must be absent when soliciting from :: (duplicate address detection).
Bytes icmp6_neighbor_solicit(const Ip6& target, std::optional<Mac> source_ll) {
    Bytes b = {135, 0, 0, 0, 0, 0, 0, 0};
    append(b, target);
    if (source_ll) {
        append(b, Bytes{1, 1});
        append(b, *source_ll);
    }
    return b;
}

Bytes icmp6_neighbor_advert(const Ip6& target, const Mac& target_ll, bool solicited) {
    Bytes b = {136, 0, 0, 0};
    put32(b, (solicited ? 0x40000000u : 0u) | 0x20000000u);  // S, O
    append(b, target);
    append(b, Bytes{2, 1});
    append(b, target_ll);
    return b;
}

Bytes igmp(unsigned type, unsigned max_resp, const Ip4& group) {
    Bytes b = {static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(max_resp), 0, 0, group[0], group[1], group[2], group[3]};
    set16(b, 2, fold(sum16(b)));
    return b;
}

Bytes gre(unsigned proto, const Bytes& inner, std::optional<std::uint32_t> key) {
    Bytes b;
    put16(b, key ? 0x2000 : 0);
    put16(b, proto);
    if (key) put32(b, *key);
    append(b, inner);
    return b;
}

Bytes sctp(unsigned sport, unsigned dport, std::uint32_t vtag, const Bytes& chunks) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put32(b, vtag);
    put32(b, 0);
    append(b, chunks);
    // RFC 9260 appendix A: the reflected CRC goes on the wire least significant byte first.
    std::uint32_t c = crc32c(b);
    for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<std::uint8_t>(c >> (8 * i));
    return b;
}

Bytes sctp_init_chunk(std::uint32_t init_tag, std::uint32_t tsn) {
    Bytes b = {1, 0};
    put16(b, 20);
    put32(b, init_tag);
    put32(b, 106496);  // a_rwnd
    put16(b, 10);      // outbound streams
    put16(b, 65535);   // inbound streams
    put32(b, tsn);
    return b;
}

Bytes sctp_data_chunk(std::uint32_t tsn, unsigned stream, unsigned ssn, const Bytes& data) {
    Bytes b = {0, 0x03};  // unfragmented (B and E set)
    put16(b, static_cast<unsigned>(16 + data.size()));
    put32(b, tsn);
    put16(b, stream);
    put16(b, ssn);
    put32(b, 0);  // PPID 0: opaque, so decoders do not try to interpret it
    append(b, data);
    while (b.size() % 4) put8(b, 0);
    return b;
}

Bytes dns_name(std::string_view name) {
    Bytes b;
    while (!name.empty()) {
        auto dot = name.find('.');
        auto label = name.substr(0, dot);
        put8(b, static_cast<unsigned>(label.size()));
        append(b, label);
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
    put8(b, 0);
    return b;
}

// One question; a response carries one answer (A or AAAA) or, with no answer, NXDOMAIN.
Bytes dns_message(unsigned id, bool response, std::string_view qname, unsigned qtype, const Bytes& answer_rdata) {
    Bytes b;
    put16(b, id);
    bool has_answer = response && !answer_rdata.empty();
    put16(b, response ? (has_answer ? 0x8180 : 0x8183) : 0x0100);
    put16(b, 1);
    put16(b, has_answer ? 1 : 0);
    put16(b, 0);
    put16(b, 0);
    append(b, dns_name(qname));
    put16(b, qtype);
    put16(b, 1);  // IN
    if (has_answer) {
        put16(b, 0xc00c);  // pointer to the question name
        put16(b, qtype);
        put16(b, 1);
        put32(b, 300);
        put16(b, static_cast<unsigned>(answer_rdata.size()));
        append(b, answer_rdata);
    }
    return b;
}

Bytes bootp(bool reply, std::uint32_t xid, const Mac& client, const Ip4& yiaddr, unsigned dhcp_type) {
    Bytes b;
    put8(b, reply ? 2 : 1);
    put8(b, 1);  // Ethernet
    put8(b, 6);
    put8(b, 0);
    put32(b, xid);
    put16(b, 0);
    put16(b, 0x8000);  // broadcast flag
    append(b, Ip4{});  // ciaddr
    append(b, yiaddr);
    append(b, Ip4{});  // siaddr
    append(b, Ip4{});  // giaddr
    append(b, client);
    b.resize(b.size() + 10 + 64 + 128, 0);  // chaddr padding, sname, file
    put32(b, 0x63825363);                   // DHCP magic cookie
    append(b, Bytes{53, 1, static_cast<std::uint8_t>(dhcp_type)});
    if (dhcp_type == 3) {  // request: ask for the offered address
        append(b, Bytes{50, 4});
        append(b, yiaddr);
    }
    put8(b, 255);
    return b;
}

Bytes ntp(bool server, std::uint32_t seconds) {
    Bytes b;
    put8(b, server ? 0x24 : 0x23);  // LI 0, version 4, mode 4 / 3
    put8(b, server ? 2 : 0);        // stratum
    put8(b, 6);                     // poll
    put8(b, 0xe9);                  // precision
    put32(b, server ? 0x00000100 : 0);
    put32(b, server ? 0x00000200 : 0);
    append(b, server ? Bytes{192, 168, 1, 1} : Bytes{0, 0, 0, 0});
    for (int i = 0; i < 4; ++i) {  // reference, origin, receive, transmit
        bool filled = server || i == 3;
        put32(b, filled ? seconds : 0);
        put32(b, filled ? 0x80000000u : 0);
    }
    return b;
}

// ---------------------------------------------------------------------------
// The deterministic traffic mix

// A network-layer packet plus the link addresses it needs when they are not
// ordinary unicast hosts (broadcast/multicast, or ARP whose MAC must match its body).
struct L3 {
    std::uint16_t ethertype = 0;
    Bytes data;
    std::optional<Mac> dst;
    std::optional<Mac> src;
};

L3 ip4_packet(const Ip4Hdr& h, const Bytes& payload) {
    std::optional<Mac> dst;
    if (h.dst[0] >= 224 && h.dst[0] <= 239)
        dst = multicast_mac(h.dst);
    else if (h.dst[3] == 255)
        dst = kBroadcastMac;
    return {0x0800, ipv4(h, payload), dst, std::nullopt};
}

L3 ip6_packet(const Ip6& src, const Ip6& dst, unsigned next_header, const Bytes& payload, unsigned hop_limit = 64) {
    std::optional<Mac> dmac;
    if (dst[0] == 0xff) dmac = multicast_mac(dst);
    return {0x86dd, ipv6(src, dst, next_header, payload, hop_limit), dmac, std::nullopt};
}

class Mixer {
public:
    explicit Mixer(std::uint64_t seed) : rng_(seed) {
        for (auto s : {"10.0.0.1", "10.0.0.2", "10.1.2.3", "192.168.1.1", "192.168.1.77", "172.16.5.4", "8.8.8.8"})
            pool4_.push_back(ip4(s));
        for (auto s : {"2001:db8::1", "2001:db8::2", "2001:db8:1::5", "fe80::1", "::1"}) pool6_.push_back(ip6(s));
        macs_ = {Mac{0x00, 0x1b, 0x21, 0x0a, 0x00, 0x01}, Mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
                 Mac{0x3c, 0xfd, 0xfe, 0x00, 0x00, 0x02}, Mac{0x00, 0x0c, 0x29, 0xab, 0xcd, 0xef},
                 Mac{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}};
    }

    // One event: usually a single frame; fragmented datagrams give several.
    std::vector<Bytes> next() {
        // Walk every kind once first so that even the short files cover them all.
        Kind kind = events_ < KindCount ? static_cast<Kind>(events_) : choose_kind();
        ++events_;

        std::vector<VlanTag> tags;
        if (kind == Vlan) {
            tags.push_back({0x8100, tci(rng_.pick(std::array{10, 20, 100, 4094}))});
            kind = rng_.pick(std::array{Tcp4, Dns4, Icmp4, Tcp6, Udp6, Icmp6Echo, Arp});
        } else if (kind == QinQ) {
            // 0x8100 outer tags still exist in old stacked-VLAN gear.
            std::uint16_t outer = rng_.chance(80) ? 0x88a8 : 0x8100;
            tags.push_back({outer, tci(rng_.pick(std::array{200, 300}))});
            tags.push_back({0x8100, tci(rng_.pick(std::array{10, 20, 100}))});
            kind = rng_.pick(std::array{Tcp4, Dns4, Icmp4, Tcp6, Udp6});
        }

        std::vector<Bytes> frames;
        for (const auto& p : build(kind)) {
            Mac src = p.src.value_or(host_mac());
            Mac dst = p.dst.value_or(other_mac(src));
            if (p.ethertype == 0)  // 802.3/LLC: data is already a whole frame
                frames.push_back(p.data);
            else
                frames.push_back(ethernet(dst, src, p.ethertype, p.data, tags));
        }
        return frames;
    }

private:
    enum Kind : unsigned {
        Tcp4, Dns4, Dhcp4, Ntp4, Udp4, Icmp4, Tcp6, Udp6, Ext6, Icmp6Echo, Icmp6Nd, Arp, Rarp,
        Vlan, QinQ, Frag4, Sctp, Igmp, Gre, OddEther, OddProto, KindCount
    };
    static constexpr std::array<unsigned, KindCount> kWeights = {
        18, 8, 2, 3, 5, 6, 8, 5, 6, 4, 4, 6, 2, 6, 3, 6, 3, 2, 3, 2, 2,
    };

    Kind choose_kind() {
        unsigned total = 0;
        for (auto w : kWeights) total += w;
        unsigned r = rng_.below(total);
        for (unsigned k = 0; k < KindCount; ++k) {
            if (r < kWeights[k]) return static_cast<Kind>(k);
            r -= kWeights[k];
        }
        return Tcp4;
    }

    std::vector<L3> build(Kind kind) {
        switch (kind) {
        case Tcp4: return {tcp4()};
        case Dns4: return {dns4()};
        case Dhcp4: return {dhcp4()};
        case Ntp4: return {ntp4()};
        case Udp4: return {udp4()};
        case Icmp4: return {icmp4()};
        case Tcp6: return {tcp6()};
        case Udp6: return {udp6()};
        case Ext6: return {ext6()};
        case Icmp6Echo: return {icmp6echo()};
        case Icmp6Nd: return {icmp6nd()};
        case Arp: return {arp_packet()};
        case Rarp: return {rarp_packet()};
        case Frag4: return frag4();
        case Sctp: return {sctp_packet()};
        case Igmp: return {igmp_packet()};
        case Gre: return {gre_packet()};
        case OddEther: return {odd_ethertype()};
        case OddProto: return {odd_protocol()};
        case Vlan:
        case QinQ:
        case KindCount: break;
        }
        return {};
    }

    // --- small random choices

    std::uint16_t tci(int vid) { return static_cast<std::uint16_t>((rng_.below(8) << 13) | static_cast<unsigned>(vid)); }
    Mac host_mac() { return rng_.pick(macs_); }
    Mac other_mac(const Mac& not_this) {
        Mac m = host_mac();
        while (m == not_this) m = host_mac();
        return m;
    }
    Ip4 random4() { return {static_cast<std::uint8_t>(rng_.range(1, 223)), static_cast<std::uint8_t>(rng_.below(256)),
                            static_cast<std::uint8_t>(rng_.below(256)), static_cast<std::uint8_t>(rng_.range(1, 254))}; }
    Ip4 host4() { return rng_.chance(80) ? rng_.pick(pool4_) : random4(); }
    std::pair<Ip4, Ip4> two_hosts4() {
        Ip4 a = host4(), b = host4();
        while (b == a) b = host4();
        return {a, b};
    }
    // Random IPv6 hosts come partly from inside 2001:db8::/32 so that net filters see
    // more than the fixed pool, and partly from outside it.
    Ip6 host6() {
        if (rng_.chance(80)) return rng_.pick(pool6_);
        Ip6 a = rng_.chance(50) ? ip6("2001:db8:ffff::") : ip6("2a00:1450:4001::");
        for (std::size_t i = 8; i < 16; ++i) a[i] = static_cast<std::uint8_t>(rng_.next());
        return a;
    }
    std::pair<Ip6, Ip6> two_hosts6() {
        Ip6 a = host6(), b = host6();
        while (b == a) b = host6();
        return {a, b};
    }
    std::uint16_t ephemeral() { return static_cast<std::uint16_t>(rng_.range(32768, 60999)); }
    std::uint8_t ttl() { return rng_.pick(std::array<std::uint8_t, 4>{64, 64, 128, 255}); }

    // Valid options of exactly 4*words bytes, so IHL spans 6..15.
    Bytes ip_options(unsigned words) {
        Bytes o;
        if (words == 1) return {0x94, 0x04, 0x00, 0x00};  // Router Alert
        unsigned slots = words - 1;
        unsigned filled = rng_.below(slots + 1);
        if (rng_.chance(50)) {  // Record Route, then End-of-list padding
            put8(o, 7);
            put8(o, 3 + 4 * slots);
            put8(o, 4 + 4 * filled);
            for (unsigned i = 0; i < slots; ++i) append(o, i < filled ? rng_.pick(pool4_) : Ip4{});
            put8(o, 0);
        } else {  // Timestamp, timestamps only
            put8(o, 0x44);
            put8(o, 4 + 4 * slots);
            put8(o, 5 + 4 * filled);
            put8(o, 0);
            for (unsigned i = 0; i < slots; ++i) put32(o, i < filled ? rng_.u32() & 0x7ffffff : 0);
        }
        return o;
    }
    Bytes maybe_ip_options() { return rng_.chance(15) ? ip_options(rng_.range(1, 10)) : Bytes{}; }

    Ip4Hdr ip4_header(const Ip4& src, const Ip4& dst, std::uint8_t proto) {
        Ip4Hdr h;
        h.src = src;
        h.dst = dst;
        h.proto = proto;
        h.ttl = ttl();
        h.id = rng_.u16();
        h.df = rng_.chance(50);
        h.tos = rng_.chance(10) ? 0xb8 : 0;  // occasionally EF-marked
        h.options = maybe_ip_options();
        return h;
    }

    std::string_view dns_qname() {
        return rng_.pick(std::array<std::string_view, 4>{"example.com", "www.example.org", "sniff.test", "ns1.example.net"});
    }
    Bytes dns_payload(bool response) {
        unsigned qtype = rng_.pick(std::array{1u, 1u, 28u, 15u});
        Bytes rdata;
        if (response && qtype == 1) append(rdata, rng_.pick(pool4_));
        if (response && qtype == 28) append(rdata, rng_.pick(pool6_));
        return dns_message(rng_.u16(), response, dns_qname(), qtype, rdata);
    }

    // Application bytes that match what tcpdump-style decoders expect on well-known ports.
    Bytes tcp_payload(unsigned server_port, bool to_server) {
        switch (server_port) {
        case 80:
        case 8080:
            return to_server ? text("GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: sniff-gen\r\n\r\n")
                             : text("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nhello\r\n");
        case 22:
            return rng_.chance(30) ? text("SSH-2.0-OpenSSH_9.2p1\r\n") : rng_.bytes(rng_.range(32, 96));
        case 53: {
            Bytes msg = dns_payload(!to_server);
            Bytes b;
            put16(b, static_cast<unsigned>(msg.size()));  // DNS over TCP length prefix
            append(b, msg);
            return b;
        }
        case 443: {
            Bytes body = rng_.bytes(rng_.range(24, 100));
            Bytes b = {0x17, 0x03, 0x03};  // TLS application data record
            put16(b, static_cast<unsigned>(body.size()));
            append(b, body);
            return b;
        }
        default:
            return rng_.bytes(rng_.range(1, 80));
        }
    }

    TcpSeg random_tcp() {
        using namespace tcpf;
        std::uint16_t server = rng_.pick(std::array<std::uint16_t, 7>{22, 53, 80, 443, 8080, 80, 0});
        if (server == 0) server = static_cast<std::uint16_t>(rng_.range(1024, 29999));
        std::uint8_t flags = rng_.pick(std::array<std::uint8_t, 14>{
            SYN, SYN | ACK, ACK, ACK, PSH | ACK, PSH | ACK, PSH | ACK, FIN | ACK, RST, RST | ACK,
            SYN | ECE | CWR, FIN | PSH | URG, URG | ACK | PSH, 0});
        bool to_server = (flags & SYN) && !(flags & ACK) ? true : (flags == (SYN | ACK) ? false : rng_.chance(55));

        TcpSeg t;
        std::uint16_t client = ephemeral();
        t.sport = to_server ? client : server;
        t.dport = to_server ? server : client;
        t.seq = rng_.u32();
        t.ack = (flags & ACK) ? rng_.u32() : 0;
        t.flags = flags;
        t.window = rng_.pick(std::array<std::uint16_t, 3>{65535, 502, 29200});
        if (flags & SYN)
            t.options = tcp_syn_options(rng_.chance(70), rng_.u32());
        else if (rng_.chance(30)) {  // NOP NOP timestamps, as Linux sends mid-connection
            t.options = {0x01, 0x01, 0x08, 0x0a};
            put32(t.options, rng_.u32());
            put32(t.options, rng_.u32());
        }
        if (flags & PSH) t.payload = tcp_payload(server, to_server);
        return t;
    }

    // --- IPv4

    L3 tcp4() {
        auto [src, dst] = two_hosts4();
        return ip4_packet(ip4_header(src, dst, 6), seal4(tcp(random_tcp()), 6, src, dst));
    }

    L3 dns4() {
        if (rng_.chance(15)) {  // mDNS, which shares the DNS format but not port 53
            Ip4 src = host4(), group = ip4("224.0.0.251");
            Ip4Hdr h = ip4_header(src, group, 17);
            h.ttl = 255;
            return ip4_packet(h, seal4(udp(5353, 5353, dns_payload(rng_.chance(50))), 17, src, group));
        }
        Ip4 client = host4();
        Ip4 server = rng_.pick(std::array{ip4("8.8.8.8"), ip4("192.168.1.1"), ip4("10.0.0.2")});
        if (client == server) client = random4();
        bool response = rng_.chance(50);
        unsigned port = ephemeral();
        Ip4 src = response ? server : client, dst = response ? client : server;
        Bytes u = response ? udp(53, port, dns_payload(true)) : udp(port, 53, dns_payload(false));
        return ip4_packet(ip4_header(src, dst, 17), seal4(u, 17, src, dst));
    }

    L3 dhcp4() {
        Mac client = host_mac();
        std::uint32_t xid = rng_.u32();
        Ip4 offered = ip4("192.168.1.77");
        bool reply = rng_.chance(50);
        Ip4 src = reply ? ip4("192.168.1.1") : Ip4{};
        Ip4 dst = ip4("255.255.255.255");
        unsigned type = reply ? rng_.pick(std::array{2u, 5u}) : rng_.pick(std::array{1u, 3u});
        Bytes u = reply ? udp(67, 68, bootp(true, xid, client, offered, type))
                        : udp(68, 67, bootp(false, xid, client, type == 3 ? offered : Ip4{}, type));
        Ip4Hdr h = ip4_header(src, dst, 17);
        h.options.clear();
        L3 p = ip4_packet(h, seal4(u, 17, src, dst));
        if (!reply) p.src = client;
        return p;
    }

    L3 ntp4() {
        auto [client, server] = two_hosts4();
        bool reply = rng_.chance(50);
        unsigned cport = rng_.chance(50) ? 123 : ephemeral();
        std::uint32_t secs = 0xe8e1ee00u + rng_.below(100000);  // NTP era seconds near late 2023
        Ip4 src = reply ? server : client, dst = reply ? client : server;
        Bytes u = reply ? udp(123, cport, ntp(true, secs)) : udp(cport, 123, ntp(false, secs));
        return ip4_packet(ip4_header(src, dst, 17), seal4(u, 17, src, dst));
    }

    L3 udp4() {
        auto [src, dst] = two_hosts4();
        if (rng_.chance(15)) dst = rng_.chance(50) ? ip4("192.168.1.255") : ip4("255.255.255.255");
        Bytes u = udp(ephemeral(), ephemeral(), rng_.bytes(rng_.range(0, 120)));
        return ip4_packet(ip4_header(src, dst, 17), seal4(u, 17, src, dst));
    }

    // Ping-style payload: a timestamp-ish prefix then the classic incrementing bytes.
    Bytes ping_data() {
        Bytes d = rng_.bytes(8);
        for (unsigned i = 0; i < 24 + rng_.below(33); ++i) put8(d, 0x10 + i);
        return d;
    }

    L3 icmp4() {
        auto [src, dst] = two_hosts4();
        Bytes m = icmp4_echo(rng_.chance(55), rng_.u16(), rng_.below(200), ping_data());
        return ip4_packet(ip4_header(src, dst, 1), m);
    }

    // Fragment trains, plus orphan non-first fragments whose first payload bytes
    // read as ports 53/80: a filter that forgets to check the fragment offset
    // would wrongly match them.
    std::vector<L3> frag4() {
        auto [src, dst] = two_hosts4();
        Ip4Hdr h = ip4_header(src, dst, 17);
        h.df = false;
        std::uint8_t lookalike[4] = {0x00, 0x35, 0x00, 0x50};  // "ports" 53 -> 80
        if (rng_.chance(50)) std::swap(lookalike[1], lookalike[3]);

        unsigned variant = rng_.below(3);
        if (variant == 2) {  // orphan non-first fragment
            h.proto = rng_.chance(50) ? 6 : 17;
            h.frag_offset8 = static_cast<std::uint16_t>(rng_.range(1, 400));
            h.mf = rng_.chance(40);
            Bytes data = rng_.bytes(8 * rng_.range(2, 8));
            std::copy(lookalike, lookalike + 4, data.begin());
            return {ip4_packet(h, data)};
        }

        Bytes seg;
        std::size_t first_len;
        if (variant == 0) {  // UDP datagram; often a real DNS response so correct filters match the first piece
            h.proto = 17;
            bool dns = rng_.chance(50);
            Bytes payload = dns ? dns_payload(true) : rng_.bytes(8);
            payload.resize((payload.size() + 7) / 8 * 8, 0);
            first_len = 8 + payload.size();
            Bytes later = rng_.bytes(8 * rng_.range(2, 8));
            std::copy(lookalike, lookalike + 4, later.begin());
            append(payload, later);
            seg = seal4(dns ? udp(53, ephemeral(), payload) : udp(ephemeral(), 7777, payload), 17, src, dst);
        } else {  // TCP segment: the first fragment holds the 20-byte header plus 4 data bytes
            h.proto = 6;
            TcpSeg t;
            t.sport = ephemeral();
            t.dport = rng_.pick(std::array<std::uint16_t, 3>{443, 22, 8080});
            t.seq = rng_.u32();
            t.ack = rng_.u32();
            t.flags = tcpf::PSH | tcpf::ACK;
            t.payload = rng_.bytes(8 * rng_.range(4, 12));
            std::copy(lookalike, lookalike + 4, t.payload.begin() + 4);  // lands at fragment offset 24
            seg = seal4(tcp(t), 6, src, dst);
            first_len = 24;
        }
        Ip4Hdr first = h, rest = h;
        first.mf = true;
        rest.options.clear();  // options without the copy bit stay in the first fragment only
        rest.frag_offset8 = static_cast<std::uint16_t>(first_len / 8);
        return {ip4_packet(first, Bytes(seg.begin(), seg.begin() + static_cast<long>(first_len))),
                ip4_packet(rest, Bytes(seg.begin() + static_cast<long>(first_len), seg.end()))};
    }

    L3 sctp_packet() {
        unsigned sport = rng_.pick(std::array{38412u, 9899u, 5001u}), dport = ephemeral();
        if (rng_.chance(50)) std::swap(sport, dport);
        Bytes chunk = rng_.chance(40) ? sctp_init_chunk(rng_.u32(), rng_.u32())
                                      : sctp_data_chunk(rng_.u32(), rng_.below(4), rng_.below(100), rng_.bytes(rng_.range(1, 60)));
        Bytes s = sctp(sport, dport, rng_.u32(), chunk);
        if (rng_.chance(25)) {
            auto [src, dst] = two_hosts6();
            return ip6_packet(src, dst, 132, s);
        }
        auto [src, dst] = two_hosts4();
        return ip4_packet(ip4_header(src, dst, 132), s);
    }

    L3 igmp_packet() {
        bool query = rng_.chance(30);
        Ip4 group = query ? Ip4{} : rng_.pick(std::array{ip4("224.0.0.251"), ip4("239.1.2.3"), ip4("239.255.255.250")});
        Ip4 src = query ? ip4("192.168.1.1") : host4();
        Ip4 dst = query ? ip4("224.0.0.1") : group;
        Ip4Hdr h = ip4_header(src, dst, 2);
        h.ttl = 1;
        h.options = ip_options(1);  // Router Alert, as RFC 2236 requires
        return ip4_packet(h, igmp(query ? 0x11 : 0x16, query ? 100 : 0, group));
    }

    L3 gre_packet() {
        auto [src, dst] = two_hosts4();
        std::optional<std::uint32_t> key;
        if (rng_.chance(40)) key = rng_.below(1000);
        Bytes inner;
        unsigned proto;
        if (rng_.chance(70)) {
            Ip4 a = ip4("10.1.2.3"), b = ip4("192.168.1.77");
            Ip4Hdr ih = ip4_header(a, b, 1);
            ih.options.clear();
            inner = ipv4(ih, icmp4_echo(true, rng_.u16(), rng_.below(100), ping_data()));
            proto = 0x0800;
        } else {
            Ip6 a = ip6("2001:db8:1::5"), b = ip6("2001:db8::2");
            inner = ipv6(a, b, 17, seal6(udp(ephemeral(), ephemeral(), rng_.bytes(20)), 17, a, b));
            proto = 0x86dd;
        }
        return ip4_packet(ip4_header(src, dst, 47), gre(proto, inner, key));
    }

    L3 odd_protocol() {
        Bytes payload = rng_.bytes(rng_.range(8, 64));
        if (rng_.chance(60)) {
            auto [src, dst] = two_hosts4();
            return ip4_packet(ip4_header(src, dst, rng_.pick(std::array<std::uint8_t, 3>{253, 254, 99})), payload);
        }
        auto [src, dst] = two_hosts6();
        unsigned nh = rng_.pick(std::array{253u, 254u, 59u});
        if (nh == 59) payload.clear();  // "no next header"
        return ip6_packet(src, dst, nh, payload);
    }

    L3 odd_ethertype() {
        if (rng_.chance(35)) {  // 802.3 length field + LLC: spanning tree BPDU
            Mac bridge = host_mac();
            L3 p;
            p.data = ieee8023_llc(Mac{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, bridge, 0x42, 0x42, stp_config_bpdu(bridge));
            return p;  // ethertype 0 marks an already-built frame
        }
        L3 p;
        p.ethertype = rng_.pick(std::array<std::uint16_t, 3>{0x88b5, 0x88b6, 0x1234});
        p.data = rng_.bytes(rng_.range(10, 80));
        if (rng_.chance(30)) p.dst = kBroadcastMac;
        return p;
    }

    // --- ARP / RARP

    L3 arp_packet() {
        Mac asker = host_mac(), answerer = other_mac(asker);
        auto [a, b] = two_hosts4();
        L3 p;
        p.ethertype = 0x0806;
        if (rng_.chance(10)) {  // gratuitous: announces its own address
            p.data = arp(1, asker, a, kZeroMac, a);
            p.src = asker;
            p.dst = kBroadcastMac;
        } else if (rng_.chance(50)) {
            p.data = arp(1, asker, a, kZeroMac, b);
            p.src = asker;
            p.dst = kBroadcastMac;
        } else {
            p.data = arp(2, answerer, b, asker, a);
            p.src = answerer;
            p.dst = asker;
        }
        return p;
    }

    L3 rarp_packet() {
        Mac client = host_mac(), server = other_mac(client);
        L3 p;
        p.ethertype = 0x8035;
        if (rng_.chance(50)) {
            p.data = arp(3, client, Ip4{}, client, Ip4{});
            p.src = client;
            p.dst = kBroadcastMac;
        } else {
            p.data = arp(4, server, ip4("192.168.1.1"), client, host4());
            p.src = server;
            p.dst = client;
        }
        return p;
    }

    // --- IPv6

    L3 tcp6() {
        auto [src, dst] = two_hosts6();
        return ip6_packet(src, dst, 6, seal6(tcp(random_tcp()), 6, src, dst));
    }

    // `tail` extra bytes let a caller fragment the datagram after the application data.
    Bytes udp6_segment(const Ip6& src, const Ip6& dst, std::size_t tail = 0) {
        Bytes u;
        if (rng_.chance(50)) {
            bool response = rng_.chance(50);
            unsigned port = ephemeral();
            Bytes msg = dns_payload(response);
            append(msg, rng_.bytes(tail));
            u = response ? udp(53, port, msg) : udp(port, 53, msg);
        } else {
            u = udp(ephemeral(), ephemeral(), rng_.bytes(rng_.range(0, 100) + tail));
        }
        return seal6(u, 17, src, dst);
    }

    L3 udp6() {
        auto [src, dst] = two_hosts6();
        return ip6_packet(src, dst, 17, udp6_segment(src, dst));
    }

    // Extension-header chains in front of TCP/UDP, including IPv6 fragments.
    L3 ext6() {
        enum : unsigned { HBH = 0, RT = 43, FRAG = 44, DST = 60 };
        static const std::array<std::vector<unsigned>, 8> chains = {{
            {HBH}, {RT}, {DST}, {FRAG}, {HBH, DST}, {HBH, RT}, {HBH, FRAG}, {HBH, DST, RT, FRAG},
        }};
        const auto& chain = rng_.pick(chains);
        bool routed = std::find(chain.begin(), chain.end(), RT) != chain.end();
        auto [src, final_dst] = two_hosts6();
        Ip6 hop = final_dst;
        while (routed && (hop == final_dst || hop == src)) hop = rng_.pick(pool6_);

        // The fragment header is always last in our chains; it describes an atomic
        // fragment, a first fragment (M set), or a non-first fragment with lookalike ports.
        enum FragStyle : unsigned { Atomic, First, Later };
        FragStyle style = chain.back() == FRAG ? static_cast<FragStyle>(rng_.below(3)) : Atomic;
        // A first fragment gets 16 spare bytes after the application data and is cut
        // there, so decoders see complete application messages.
        std::size_t tail = style == First ? 16 : 0;

        unsigned upper_proto = rng_.chance(50) ? 6 : 17;
        Bytes body;
        if (upper_proto == 6) {
            TcpSeg t = random_tcp();
            append(t.payload, rng_.bytes(tail));
            body = seal6(tcp(t), 6, src, final_dst);
        } else {
            body = udp6_segment(src, final_dst, tail);
        }
        unsigned frag_offset = 0;
        bool more = false;
        if (style == First) {
            body.resize((body.size() - tail + 7) / 8 * 8);
            more = true;
        } else if (style == Later) {
            frag_offset = rng_.range(1, 300);
            more = rng_.chance(40);
            body = rng_.bytes(8 * rng_.range(2, 8));
            body[0] = 0x00, body[1] = 0x35, body[2] = 0x00, body[3] = 0x50;
        }

        unsigned next = upper_proto;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            switch (*it) {
            case HBH: body = hop_by_hop(next, body, rng_.chance(30)); break;
            case RT: body = routing_header(next, final_dst, body); break;
            case DST: body = destination_options(next, body); break;
            case FRAG: body = fragment_header(next, frag_offset, more, rng_.u32(), body); break;
            }
            next = *it;
        }
        return ip6_packet(src, hop, next, body);
    }

    L3 icmp6echo() {
        auto [src, dst] = two_hosts6();
        if (rng_.chance(15)) dst = ip6("ff02::1");
        Bytes m = icmp6_echo(rng_.chance(55), rng_.u16(), rng_.below(200), ping_data());
        return ip6_packet(src, dst, 58, seal6(m, 58, src, dst));
    }

    L3 icmp6nd() {
        Ip6 target = rng_.pick(pool6_);
        while (target == ip6("::1")) target = rng_.pick(pool6_);
        Mac asker = host_mac(), owner = other_mac(asker);
        if (rng_.chance(55)) {
            bool dad = rng_.chance(15);
            Ip6 src = dad ? Ip6{} : rng_.pick(std::array{ip6("fe80::1"), ip6("fe80::2"), ip6("2001:db8::2")});
            if (src == target) src = ip6("fe80::2");
            Ip6 dst = solicited_node(target);
            Bytes m = icmp6_neighbor_solicit(target, dad ? std::nullopt : std::optional<Mac>(asker));
            L3 p = ip6_packet(src, dst, 58, seal6(m, 58, src, dst), 255);
            p.src = asker;
            return p;
        }
        Ip6 dst = rng_.pick(std::array{ip6("fe80::2"), ip6("ff02::1")});
        Bytes m = icmp6_neighbor_advert(target, owner, dst[0] != 0xff);
        L3 p = ip6_packet(target, dst, 58, seal6(m, 58, target, dst), 255);
        p.src = owner;
        if (dst[0] != 0xff) p.dst = asker;
        return p;
    }

    Rng rng_;
    unsigned events_ = 0;
    std::vector<Ip4> pool4_;
    std::vector<Ip6> pool6_;
    std::vector<Mac> macs_;
};

// ---------------------------------------------------------------------------
// pcap container

class PcapWriter {
public:
    enum class Order { Little, Big };
    enum class Resolution { Micro, Nano };

    PcapWriter(Order order, Resolution res, std::uint32_t snaplen, std::uint32_t linktype = 1) : order_(order), res_(res) {
        u32(res == Resolution::Nano ? 0xa1b23c4d : 0xa1b2c3d4);
        u16(2);
        u16(4);
        u32(0);  // thiszone
        u32(0);  // sigfigs
        u32(snaplen);
        u32(linktype);  // LINKTYPE_ETHERNET unless a cooked capture is asked for
    }

    void packet(std::uint64_t ts_ns, const Bytes& frame, std::size_t caplen) {
        record_header(ts_ns, static_cast<std::uint32_t>(caplen), static_cast<std::uint32_t>(frame.size()));
        out_.insert(out_.end(), frame.begin(), frame.begin() + static_cast<long>(caplen));
    }
    void packet(std::uint64_t ts_ns, const Bytes& frame) { packet(ts_ns, frame, frame.size()); }

    // For deliberately damaged files.
    void record_header(std::uint64_t ts_ns, std::uint32_t caplen, std::uint32_t len) {
        u32(static_cast<std::uint32_t>(ts_ns / 1'000'000'000));
        std::uint64_t frac = ts_ns % 1'000'000'000;
        u32(static_cast<std::uint32_t>(res_ == Resolution::Nano ? frac : frac / 1000));
        u32(caplen);
        u32(len);
    }
    void raw(const Bytes& b) { append(out_, b); }

    bool save(const fs::path& path) const {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(out_.data()), static_cast<std::streamsize>(out_.size()));
        return static_cast<bool>(f);
    }

private:
    void u16(unsigned v) {
        if (order_ == Order::Big) {
            put16(out_, v);
        } else {
            put8(out_, v & 0xff);
            put8(out_, v >> 8);
        }
    }
    void u32(std::uint32_t v) {
        if (order_ == Order::Big) {
            put32(out_, v);
        } else {
            u16(v & 0xffff);
            u16(v >> 16);
        }
    }

    Order order_;
    Resolution res_;
    Bytes out_;
};

// Advances a few milliseconds per frame, with sub-microsecond digits so the
// nanosecond file actually exercises nanosecond precision.
class Clock {
public:
    explicit Clock(std::uint64_t seed) : rng_(seed) {}
    std::uint64_t tick() {
        std::uint64_t now = ns_;
        ns_ += 500'000 + rng_.below(5'000'000);
        return now;
    }

private:
    Rng rng_;
    std::uint64_t ns_ = 1'700'000'000ULL * 1'000'000'000ULL;
};

// The first `count` frames of a mixer seeded with `seed`.
std::vector<Bytes> frames(std::uint64_t seed, std::size_t count) {
    Mixer mix(seed);
    std::vector<Bytes> out;
    while (out.size() < count)
        for (auto& f : mix.next()) out.push_back(std::move(f));
    out.resize(count);  // may leave a lone first fragment at the end, which is realistic enough
    return out;
}

PcapWriter mixed() {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 262144);
    Clock clock(1);
    for (const auto& f : frames(0x5eed0001, 1000)) w.packet(clock.tick(), f);
    return w;
}

PcapWriter truncated() {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 96);
    Clock clock(2);
    Rng cut(0x5eed0002);
    for (const auto& f : frames(0x5eed0003, 200)) {
        std::size_t caplen = std::min<std::size_t>(96, f.size());
        // Cuts that land inside the Ethernet/VLAN, IPv4/IPv6 and TCP headers.
        if (cut.chance(35)) caplen = std::min<std::size_t>(caplen, cut.pick(std::array{14, 20, 30, 34, 38, 40, 54}));
        w.packet(clock.tick(), f, caplen);
    }
    return w;
}

PcapWriter nsec() {
    PcapWriter w(PcapWriter::Order::Big, PcapWriter::Resolution::Nano, 262144);
    Clock clock(3);
    for (const auto& f : frames(0x5eed0004, 50)) w.packet(clock.tick(), f);
    return w;
}

// Linux "cooked" captures (what `-i any` gives): the Ethernet header of each mixed frame is
// replaced by an SLL (v1, LINKTYPE 113) or SLL2 (v2, LINKTYPE 276) header with the same EtherType.
PcapWriter cooked(bool v2) {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 262144, v2 ? 276 : 113);
    Clock clock(v2 ? 7 : 6);
    Rng rng(v2 ? 0x5eed0009 : 0x5eed0008);
    for (const auto& f : frames(v2 ? 0x5eed000b : 0x5eed000a, 300)) {
        if (f.size() < 14) continue;
        unsigned ethertype = (f[12] << 8) | f[13];
        unsigned packet_type = rng.below(5);  // host, broadcast, multicast, other host, outgoing
        Bytes h;
        if (v2) {
            put16(h, ethertype);
            put16(h, 0);               // reserved
            put32(h, 1 + rng.below(4));  // interface index
            put16(h, 1);               // ARPHRD_ETHER
            put8(h, packet_type);
            put8(h, 6);                // address length
            h.insert(h.end(), f.begin() + 6, f.begin() + 12);
            put16(h, 0);
        } else {
            put16(h, packet_type);
            put16(h, 1);  // ARPHRD_ETHER
            put16(h, 6);
            h.insert(h.end(), f.begin() + 6, f.begin() + 12);
            put16(h, 0);
            put16(h, ethertype);
        }
        h.insert(h.end(), f.begin() + 14, f.end());
        w.packet(clock.tick(), h);
    }
    return w;
}

PcapWriter corrupt_tail() {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 262144);
    Clock clock(4);
    for (const auto& f : frames(0x5eed0005, 30)) w.packet(clock.tick(), f);
    w.record_header(clock.tick(), 0x7fffffff, 60);
    w.raw(Rng(0x5eed0006).bytes(64));  // junk where the impossible packet would be
    return w;
}

PcapWriter cut_short() {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 262144);
    Clock clock(5);
    auto fs = frames(0x5eed0007, 31);  // 30 good ones and the one to cut
    for (std::size_t i = 0; i + 1 < fs.size(); ++i) w.packet(clock.tick(), fs[i]);
    const Bytes& last = fs.back();
    w.record_header(clock.tick(), static_cast<std::uint32_t>(last.size()), static_cast<std::uint32_t>(last.size()));
    w.raw(Bytes(last.begin(), last.begin() + static_cast<long>(last.size() / 2)));
    return w;
}


// ---------------------------------------------------------------------------
// protocols*.pcap: one or a few packets per protocol the decoder knows, in a fixed order, for
// its golden tests. Encapsulations (VLAN, MPLS, PPPoE, GRE, VXLAN, Geneve), application
// summaries (DNS answers, DHCP, NTP), ICMP/ICMPv6 errors and neighbour discovery, and packets
// that are malformed or cut short on purpose.

const Mac kMacA = {0x00, 0x1b, 0x21, 0x0a, 0x00, 0x01};
const Mac kMacB = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

Bytes dns_header(unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar) {
    Bytes b;
    put16(b, id);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, ns);
    put16(b, ar);
    return b;
}
// A resource record whose owner is a compression pointer to `name_at`.
void dns_rr(Bytes& b, unsigned name_at, unsigned type, const Bytes& rdata) {
    put16(b, 0xc000 | name_at);
    put16(b, type);
    put16(b, 1);
    put32(b, 3600);
    put16(b, static_cast<unsigned>(rdata.size()));
    append(b, rdata);
}

Bytes icmp4(unsigned type, unsigned code, std::uint32_t rest, const Bytes& data) {
    Bytes b = {static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code), 0, 0};
    put32(b, rest);
    append(b, data);
    set16(b, 2, fold(sum16(b)));
    return b;
}

Bytes vxlan(unsigned vni, const Bytes& inner_frame) {
    Bytes b = {0x08, 0, 0, 0};
    put32(b, vni << 8);
    append(b, inner_frame);
    return b;
}

Bytes geneve(unsigned vni, const Bytes& inner_frame) {
    Bytes b = {0x00, 0x00};  // version 0, no options, not OAM/critical
    put16(b, 0x6558);        // Transparent Ethernet Bridging
    put32(b, vni << 8);
    append(b, inner_frame);
    return b;
}

Bytes frame4(const Ip4Hdr& h, const Bytes& l4, const std::vector<VlanTag>& tags = {}) {
    return ethernet(kMacB, kMacA, 0x0800, ipv4(h, l4), tags);
}
Bytes frame6(const Ip6& s, const Ip6& d, unsigned nh, const Bytes& l4, const std::vector<VlanTag>& tags = {}) {
    return ethernet(kMacB, kMacA, 0x86dd, ipv6(s, d, nh, l4), tags);
}

std::vector<std::pair<Bytes, std::size_t>> protocol_frames() {
    std::vector<std::pair<Bytes, std::size_t>> out;  // frame, caplen (0: all of it)
    auto add = [&out](Bytes f, std::size_t caplen = 0) { out.emplace_back(std::move(f), caplen); };
    const Ip4 a = ip4("10.0.0.1"), b = ip4("10.0.0.2");
    const Ip6 a6 = ip6("2001:db8::1"), b6 = ip6("2001:db8::2"), ll = ip6("fe80::1");
    auto h4 = [&](unsigned proto, const Ip4& s = ip4("10.0.0.1"), const Ip4& d = ip4("10.0.0.2")) {
        Ip4Hdr h;
        h.src = s;
        h.dst = d;
        h.proto = static_cast<std::uint8_t>(proto);
        h.id = 0x1234;
        h.df = true;
        return h;
    };
    auto tcp4 = [&](const TcpSeg& t, bool reverse = false) {
        const Ip4& s = reverse ? b : a;
        const Ip4& d = reverse ? a : b;
        return frame4(h4(6, s, d), seal4(tcp(t), 6, s, d));
    };
    auto udp4 = [&](unsigned sp, unsigned dp, const Bytes& payload, const Ip4& s, const Ip4& d) {
        return frame4(h4(17, s, d), seal4(udp(sp, dp, payload), 17, s, d));
    };

    // A TCP conversation: handshake, data both ways, FIN, so sequence numbers become relative.
    const std::uint32_t cs = 1000000, ss = 2000000;
    add(tcp4({40000, 80, cs, 0, tcpf::SYN, 64240, tcp_syn_options(true, 100), {}}));
    add(tcp4({80, 40000, ss, cs + 1, tcpf::SYN | tcpf::ACK, 65160, tcp_syn_options(true, 200), {}}, true));
    add(tcp4({40000, 80, cs + 1, ss + 1, tcpf::ACK, 502, {}, {}}));
    add(tcp4({40000, 80, cs + 1, ss + 1, tcpf::PSH | tcpf::ACK, 502, {}, text("GET / HTTP/1.1\r\nHost: a\r\n\r\n")}));
    add(tcp4({80, 40000, ss + 1, cs + 28, tcpf::PSH | tcpf::ACK, 509, {}, text("HTTP/1.1 200 OK\r\n\r\nhello")}, true));
    add(tcp4({40000, 80, cs + 28, ss + 25, tcpf::FIN | tcpf::ACK, 502, {}, {}}));
    add(tcp4({80, 40000, ss + 25, cs + 29, tcpf::RST, 0, {}, {}}, true));
    add(tcp4({40001, 443, 77, 0, tcpf::SYN | tcpf::ECE | tcpf::CWR, 1024, Bytes{0x01, 0x01, 0x04, 0x02}, {}}));

    // 802.1Q, QinQ, MPLS, PPPoE.
    add(udp4(5000, 6000, text("vlan"), a, b));
    out.back().first = frame4(h4(17), seal4(udp(5000, 6000, text("vlan")), 17, a, b), {{0x8100, 0x2064}});
    add(frame6(a6, b6, 58, seal6(icmp6_echo(true, 7, 1, text("qinq")), 58, a6, b6), {{0x88a8, 10}, {0x8100, 20}}));
    {
        Bytes mpls;
        put32(mpls, (100u << 12) | (0u << 9) | (0u << 8) | 64u);  // label 100, not bottom
        put32(mpls, (200u << 12) | (5u << 9) | (1u << 8) | 63u);  // label 200, exp 5, bottom
        append(mpls, ipv4(h4(1), icmp4(8, 0, (0x42u << 16) | 1, text("mpls"))));
        add(ethernet(kMacB, kMacA, 0x8847, mpls));
    }
    {
        Bytes ppp = {0x00, 0x21};  // PPP protocol: IPv4
        append(ppp, ipv4(h4(17), seal4(udp(1234, 53, dns_message(0x0101, false, "pppoe.test", 1, {})), 17, a, b)));
        Bytes pppoe = {0x11, 0x00};  // version 1 type 1, session data
        put16(pppoe, 0x0042);        // session id
        put16(pppoe, static_cast<unsigned>(ppp.size()));
        append(pppoe, ppp);
        add(ethernet(kMacB, kMacA, 0x8864, pppoe));
        Bytes padi = {0x11, 0x09, 0x00, 0x00, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00};  // PADI, Service-Name ""
        add(ethernet(kBroadcastMac, kMacA, 0x8863, padi));
    }

    // DNS: a query, an answer with CNAME + A + AAAA, NXDomain, and a name pointer loop.
    add(udp4(33333, 53, dns_message(0xbeef, false, "www.example.com", 1, {}), a, b));
    {
        Bytes d = dns_header(0xbeef, 0x8180, 1, 3, 0, 0);
        append(d, dns_name("www.example.com"));
        put16(d, 1);
        put16(d, 1);
        dns_rr(d, 12, 5, dns_name("web.example.com"));
        dns_rr(d, 12, 1, Bytes{93, 184, 216, 34});
        const Ip6 v6 = ip6("2606:2800:220:1::1");
        dns_rr(d, 12, 28, Bytes(v6.begin(), v6.end()));
        add(udp4(53, 33333, d, b, a));
    }
    add(udp4(53, 33334, dns_message(0xcafe, true, "nope.example", 1, {}), b, a));
    {
        Bytes d = dns_header(0x0bad, 0x0100, 1, 0, 0, 0);
        put16(d, 0xc00c);  // the question name points at itself
        put16(d, 1);
        put16(d, 1);
        add(udp4(33335, 53, d, a, b));
    }

    // DHCP exchange and NTP both ways.
    const Mac client = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
    for (unsigned type : {1u, 2u, 3u, 5u}) {
        bool reply = type == 2 || type == 5;
        Ip4 s = reply ? ip4("192.168.1.1") : ip4("0.0.0.0");
        add(udp4(reply ? 67 : 68, reply ? 68 : 67, bootp(reply, 0x3903f326, client, ip4("192.168.1.100"), type), s,
                 ip4("255.255.255.255")));
    }
    add(udp4(123, 123, ntp(false, 3900000000u), a, b));
    add(udp4(123, 123, ntp(true, 3900000001u), b, a));

    // ICMP: echo, port unreachable quoting the UDP datagram, time exceeded; IGMP v2/v3/leave.
    add(frame4(h4(1), icmp4(8, 0, (0x1111u << 16) | 3, text("abcdefgh"))));
    {
        Ip4Hdr inner = h4(17, b, a);
        Bytes quoted = ipv4(inner, udp(40000, 33434, text("probe")));
        add(frame4(h4(1, a, b), icmp4(3, 3, 0, Bytes(quoted.begin(), quoted.begin() + 28))));
        add(frame4(h4(1, ip4("192.0.2.1"), b), icmp4(11, 0, 0, Bytes(quoted.begin(), quoted.begin() + 28))));
    }
    {
        Ip4Hdr h = h4(2, a, ip4("224.0.0.22"));
        h.ttl = 1;
        h.options = {0x94, 0x04, 0x00, 0x00};  // router alert
        Bytes v3 = {0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0};  // one record: change to exclude, no sources
        append(v3, ip4("239.1.1.1"));
        set16(v3, 2, fold(sum16(v3)));
        add(frame4(h, v3));
        Ip4Hdr leave = h4(2, a, ip4("224.0.0.2"));
        leave.ttl = 1;
        add(frame4(leave, igmp(0x17, 0, ip4("239.1.1.1"))));
        add(frame4(h4(2, ip4("192.168.1.1"), ip4("224.0.0.1")), igmp(0x11, 100, ip4("0.0.0.0"))));
    }

    // ICMPv6 neighbour discovery and an error.
    {
        Bytes rs = {133, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        append(rs, kMacA);
        add(frame6(ll, ip6("ff02::2"), 58, seal6(rs, 58, ll, ip6("ff02::2"))));
        Bytes ra = {134, 0, 0, 0, 64, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
        Bytes pi = {3, 4, 64, 0xc0, 0, 0x27, 0x8d, 0, 0, 0x09, 0x3a, 0x80, 0, 0, 0, 0};
        append(pi, ip6("2001:db8::"));
        append(ra, pi);
        add(frame6(ll, ip6("ff02::1"), 58, seal6(ra, 58, ll, ip6("ff02::1"))));
        add(frame6(a6, solicited_node(b6), 58, seal6(icmp6_neighbor_solicit(b6, kMacA), 58, a6, solicited_node(b6))));
        add(frame6(b6, a6, 58, seal6(icmp6_neighbor_advert(b6, kMacB, true), 58, b6, a6)));
        Bytes unreach = {1, 4, 0, 0, 0, 0, 0, 0};
        Bytes quoted = ipv6(a6, b6, 17, udp(5555, 7777, text("x")));
        append(unreach, quoted);
        add(frame6(b6, a6, 58, seal6(unreach, 58, b6, a6)));
        // IPv6 hop-by-hop + fragment header carrying UDP, and an MLDv2 report behind hop-by-hop.
        add(frame6(a6, b6, 0, hop_by_hop(44, fragment_header(17, 0, true, 0xabcd, udp(1000, 2000, text("frag6"))), false)));
    }

    // Tunnels: GRE (with key), VXLAN and Geneve each carrying an Ethernet/IPv4 frame.
    {
        Bytes inner = ipv4(h4(1, ip4("192.168.0.1"), ip4("192.168.0.2")), icmp4(8, 0, (9u << 16) | 9, text("gre")));
        add(frame4(h4(47), gre(0x0800, inner, 0x2a)));
        Bytes inner_frame = ethernet(kMacA, kMacB, 0x0800,
                                     ipv4(h4(1, ip4("192.168.0.1"), ip4("192.168.0.2")), icmp4(0, 0, (9u << 16) | 10, text("vx"))));
        add(udp4(54321, 4789, vxlan(5000, inner_frame), a, b));
        add(udp4(54322, 6081, geneve(77, inner_frame), a, b));
    }

    // IPv4 options (record route) and fragments; ARP.
    {
        Ip4Hdr h = h4(17);
        h.options = {0x07, 0x07, 0x04, 0, 0, 0, 0, 0x01};  // record route with one empty slot, then EOL
        add(frame4(h, seal4(udp(7, 7, text("rr")), 17, a, b)));
        Ip4Hdr f1 = h4(17);
        f1.df = false;
        f1.mf = true;
        f1.id = 0x4242;
        add(frame4(f1, udp(9, 9, Bytes(32, 0x61))));
        Ip4Hdr f2 = f1;
        f2.mf = false;
        f2.frag_offset8 = 5;
        add(frame4(f2, Bytes(16, 0x62)));
        add(ethernet(kBroadcastMac, kMacA, 0x0806, arp(1, kMacA, a, kZeroMac, b)));
        add(ethernet(kMacA, kMacB, 0x0806, arp(2, kMacB, b, kMacA, a)));
    }

    // Unknown and malformed: an unknown EtherType and IP protocol, an IPv4 header length below
    // 20, a TCP data offset below 20, a UDP length below 8, and cuts inside the IPv4, TCP, UDP,
    // DNS and VXLAN headers.
    add(ethernet(kMacB, kMacA, 0x88b5, Bytes{1, 2, 3, 4}));
    add(frame4(h4(200), Bytes{1, 2, 3, 4, 5, 6}));
    {
        Bytes bad_ihl = ipv4(h4(6), Bytes(20, 0));
        bad_ihl[0] = 0x43;
        add(ethernet(kMacB, kMacA, 0x0800, bad_ihl));
        Bytes bad_off = tcp({1, 2, 3, 4, tcpf::ACK, 100, {}, {}});
        bad_off[12] = 0x20;
        add(frame4(h4(6), bad_off));
        Bytes short_udp = udp(53, 53, Bytes(8, 0));
        set16(short_udp, 4, 4);
        add(frame4(h4(17), short_udp));
        add(tcp4({40000, 80, cs + 1, ss + 1, tcpf::ACK, 502, {}, {}}), 14 + 10);
        add(tcp4({40000, 80, cs + 1, ss + 1, tcpf::ACK, 502, {}, {}}), 14 + 20 + 8);
        add(udp4(1, 2, Bytes(10, 0), a, b), 14 + 20 + 4);
        add(udp4(53, 33333, dns_message(0xd00d, true, "cut.example", 1, Bytes{1, 2, 3, 4}), b, a), 14 + 20 + 8 + 20);
        Bytes inner_frame = ethernet(kMacA, kMacB, 0x0800, ipv4(h4(1), icmp4(8, 0, 1, {})));
        add(udp4(1, 4789, vxlan(1, inner_frame), a, b), 14 + 20 + 8 + 8 + 10);
    }
    return out;
}

PcapWriter protocols() {
    PcapWriter w(PcapWriter::Order::Little, PcapWriter::Resolution::Micro, 262144);
    Clock clock(11);
    for (const auto& [f, caplen] : protocol_frames()) {
        std::uint64_t ts = clock.tick();
        if (caplen == 0)
            w.packet(ts, f);
        else
            w.packet(ts, f, std::min(caplen, f.size()));
    }
    return w;
}

// The same kind of traffic behind the link layers that are not Ethernet: BSD loopback (NULL,
// host byte order address family), raw IP, and 802.11 with a radiotap header. A big-endian NULL
// file is what a big-endian BSD machine writes: the family in its byte order, AF_INET6 24.
PcapWriter protocols_link(std::uint32_t linktype, PcapWriter::Order order = PcapWriter::Order::Little) {
    PcapWriter w(order, PcapWriter::Resolution::Micro, 262144, linktype);
    Clock clock(12 + linktype);
    const Ip4 a = ip4("127.0.0.1"), b = ip4("127.0.0.2");
    const Ip6 a6 = ip6("::1");
    Ip4Hdr h;
    h.src = a;
    h.dst = b;
    h.proto = 17;
    Bytes v4 = ipv4(h, seal4(udp(1111, 2222, text("link")), 17, a, b));
    Bytes v6 = ipv6(a6, a6, 58, seal6(icmp6_echo(true, 1, 2, text("six")), 58, a6, a6));
    for (const Bytes* ip : {&v4, &v6}) {
        bool is6 = ip == &v6;
        Bytes f;
        if (linktype == 0 && order == PcapWriter::Order::Big) {  // DLT_NULL: AF_INET 2, AF_INET6 24 (NetBSD)
            f = {0, 0, 0, static_cast<std::uint8_t>(is6 ? 24 : 2)};
        } else if (linktype == 0) {  // DLT_NULL: AF_INET 2, AF_INET6 30 (as on macOS), little-endian
            f = {static_cast<std::uint8_t>(is6 ? 30 : 2), 0, 0, 0};
        } else if (linktype == 127) {
            // radiotap: version 0, length 16, present = flags | rate | channel | dBm antenna signal
            f = {0, 0, 16, 0, 0x2e, 0x00, 0x00, 0x00};
            f.insert(f.end(), {0x00, 0x02});           // flags, rate (500 kb/s units: 1 Mb/s)
            f.insert(f.end(), {0x6c, 0x09, 0xa0, 0x00});  // 2412 MHz, CCK | 2 GHz
            f.insert(f.end(), {0xd8, 0x00});           // -40 dBm, pad
            // 802.11 data frame, to the AP (ToDS): addr1 BSSID, addr2 SA, addr3 DA.
            f.insert(f.end(), {0x08, 0x01, 0x00, 0x00});
            append(f, kMacB);
            append(f, kMacA);
            append(f, kBroadcastMac);
            f.insert(f.end(), {0x10, 0x00});  // sequence control
            f.insert(f.end(), {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00});  // LLC/SNAP
            put16(f, is6 ? 0x86dd : 0x0800);
        }
        append(f, *ip);
        w.packet(clock.tick(), f);
    }
    return w;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    fs::path dir = argv[1];
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        std::fprintf(stderr, "gen_captures: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
        return 1;
    }
    const std::pair<const char*, PcapWriter> files[] = {
        {"mixed.pcap", mixed()},
        {"truncated.pcap", truncated()},
        {"nsec.pcap", nsec()},
        {"corrupt-tail.pcap", corrupt_tail()},
        {"cut-short.pcap", cut_short()},
        {"cooked.pcap", cooked(false)},
        {"cooked2.pcap", cooked(true)},
        {"protocols.pcap", protocols()},
        {"protocols-null.pcap", protocols_link(0)},
        {"protocols-null-be.pcap", protocols_link(0, PcapWriter::Order::Big)},
        {"protocols-raw.pcap", protocols_link(101)},
        {"protocols-radiotap.pcap", protocols_link(127)},
    };
    for (const auto& [name, writer] : files) {
        if (!writer.save(dir / name)) {
            std::fprintf(stderr, "gen_captures: cannot write %s\n", (dir / name).c_str());
            return 1;
        }
    }
    return 0;
}
