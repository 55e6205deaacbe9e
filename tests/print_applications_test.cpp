// Printing parity for the applications protocols that plug in through src/decode/registry.cpp: frames
// built field by field from each protocol's RFC or IEEE layout, printed by sniff and by the
// installed tcpdump at default verbosity and at -v, line for line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

constexpr int kEthernet = 1;

// A TCP header (RFC 9293 3.1) with these options (padded with EOL to 4 bytes) and flags.
Bytes tcp_header(const Bytes& options, std::uint8_t flags, const Bytes& payload = {}) {
    Bytes opts = options;
    while (opts.size() % 4) opts.push_back(0);
    Bytes b;
    put16(b, 40000), put16(b, 8080), put32(b, 1000), put32(b, (flags & 0x10) ? 2000 : 0);
    put8(b, static_cast<unsigned>((20 + opts.size()) / 4) << 4), put8(b, flags), put16(b, 512), put16(b, 0), put16(b, 0);
    return cat({b, opts, payload});
}

Bytes tcp_frame(const Bytes& options, std::uint8_t flags = 0x10, const Bytes& payload = {}) {
    return ethernet(0x0800, ipv4(6, tcp_header(options, flags, payload)));
}

Bytes bytes(std::initializer_list<unsigned> v) {
    Bytes b;
    for (unsigned x : v) put8(b, x);
    return b;
}

// The frames captured whole, then with a snapshot length of each of `cuts` bytes (the record
// keeps the frame's length on the wire, as a capture with -s does), in a pcap file.
std::string write_cut_pcap(const std::vector<Bytes>& frames, std::initializer_list<std::size_t> cuts) {
    static int serial = 0;
    std::string path = (std::filesystem::temp_directory_path() /
                        ("sniff-applications-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".pcap")).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    const std::uint32_t header[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, static_cast<std::uint32_t>(kEthernet)};
    std::fwrite(header, sizeof header, 1, f);
    std::uint32_t second = 1700000000;
    auto record = [&](const Bytes& frame, std::size_t kept) {
        const std::uint32_t r[4] = {second++, 0, static_cast<std::uint32_t>(kept), static_cast<std::uint32_t>(frame.size())};
        std::fwrite(r, sizeof r, 1, f);
        std::fwrite(frame.data(), 1, kept, f);
    };
    for (const Bytes& frame : frames) record(frame, frame.size());
    for (const Bytes& frame : frames)
        for (std::size_t n : cuts)
            if (n < frame.size()) record(frame, n);
    std::fclose(f);
    return path;
}

std::vector<std::string> lines_of(const std::string& command) {
    std::vector<std::string> out;
    if (FILE* p = popen(command.c_str(), "r")) {
        char buf[65536];
        std::string all;
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) all.append(buf, n);
        pclose(p);
        std::stringstream ss(all);
        for (std::string line; std::getline(ss, line);) {
            while (!line.empty() && line.back() == ' ') line.pop_back();
            if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) out.push_back(line);
            else if (!out.empty()) out.back() += "\n" + line;
        }
    }
    return out;
}

// Every frame whole and cut at each length prints as tcpdump prints it.
void expect_same(const std::vector<Bytes>& frames, std::initializer_list<std::size_t> cuts = {}, const std::string& flags = "") {
    ASSERT_EQ(std::system("command -v tcpdump >/dev/null 2>&1"), 0) << "tcpdump is installed by scripts/setup.sh --tests";
    std::string file = write_cut_pcap(frames, cuts);
    const char* bin = std::getenv("SNIFF_BINARY");
    std::string tail = " -n " + flags + " -r " + file + " 2>/dev/null";
    auto theirs = lines_of("TZ=UTC tcpdump" + tail);
    auto ours = lines_of(std::string("TZ=UTC ") + (bin ? bin : "sniff") + tail);
    std::filesystem::remove(file);
    ASSERT_EQ(ours.size(), theirs.size());
    ASSERT_GE(theirs.size(), frames.size());
    for (std::size_t i = 0; i < theirs.size(); ++i)
        EXPECT_EQ(ours[i], theirs[i]) << "packet " << i + 1;
}

// --- TCP options (RFC 9293 3.2, RFC 7323, RFC 2018, RFC 5482, RFC 5925, RFC 7413, RFC 6994)

TEST(print_protocols, tcp_options_as_tcpdump_prints_them) {
    std::vector<Bytes> frames = {
        tcp_frame(bytes({2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}), 0x02),
        tcp_frame(bytes({1, 1, 5, 18, 0, 0, 0x0b, 0xb8, 0, 0, 0x0f, 0xa0, 0, 0, 0x13, 0x88, 0, 0, 0x17, 0x70})),
        tcp_frame(bytes({28, 4, 0x01, 0x2d, 29, 8, 1, 2, 0xaa, 0xbb, 0xcc, 0xdd})),
        tcp_frame(bytes({34, 2, 254, 4, 0xf9, 0x89, 254, 8, 0xf9, 0x89, 1, 2, 3, 4}), 0x02),
        tcp_frame(bytes({254, 4, 0xac, 0xc0, 1, 1, 99, 5, 1, 2, 3})),
        tcp_frame(bytes({2, 5, 5, 0xb4, 0, 1, 1, 1})),                    // a length that does not match: "[len 5]"
        tcp_frame(bytes({1, 20, 2, 9, 1, 2})),                            // a length past the header: "[bad opt]"
        tcp_frame(bytes({20, 9, 1, 2})),                                  // the first option bad: no "]"
        tcp_frame(bytes({19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0})),
        tcp_frame(bytes({0, 1, 1, 1})),                                   // end of list
    };
    expect_same(frames, {55, 56, 58, 60, 63});
}

// --- MPTCP (RFC 8684 section 3)

TEST(print_protocols, mptcp_options_as_tcpdump_prints_them) {
    Bytes key = bytes({1, 2, 3, 4, 5, 6, 7, 8}), key2 = bytes({9, 10, 11, 12, 13, 14, 15, 16});
    std::vector<Bytes> frames = {
        tcp_frame(bytes({30, 4, 0x01, 0x81}), 0x02),                                         // MP_CAPABLE v1 SYN
        tcp_frame(cat({bytes({30, 12, 0x00, 0x81}), key}), 0x12),                           // v0 SYN/ACK with checksums
        tcp_frame(cat({bytes({30, 20, 0x01, 0x01}), key, key2}), 0x10),                     // third ACK
        tcp_frame(cat({bytes({30, 22, 0x01, 0x01}), key, key2, bytes({0, 9})}), 0x18),
        tcp_frame(cat({bytes({30, 20, 0x01, 0x01}), key, key2}), 0x02),                     // wrong segment: bad opt
        tcp_frame(bytes({30, 12, 0x10, 0x02, 1, 2, 3, 4, 5, 6, 7, 8}), 0x02),               // MP_JOIN SYN
        tcp_frame(cat({bytes({30, 16, 0x11, 0x02}), key, bytes({1, 2, 3, 4})}), 0x12),
        tcp_frame(cat({bytes({30, 24, 0x10, 0}), key, key2, bytes({1, 2, 3, 4})}), 0x10),
        tcp_frame(bytes({30, 8, 0x20, 0x01, 0, 0, 0, 5})),                                  // DSS data ACK
        tcp_frame(cat({bytes({30, 20, 0x20, 0x15, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 1, 0, 4, 0x12, 0x34})}), 0x18),
        tcp_frame(cat({bytes({30, 26, 0x20, 0x1f}), key, key2, bytes({0, 0, 0, 1, 0, 4})}), 0x18),
        tcp_frame(bytes({30, 3, 0x20, 1})),                                                  // DSS too short
        tcp_frame(bytes({30, 10, 0x20, 0x05, 0, 0, 0, 5, 0, 0})),                          // DSS cut inside
        tcp_frame(bytes({30, 8, 0x31, 1, 10, 0, 0, 1})),                                    // ADD_ADDR echo
        tcp_frame(cat({bytes({30, 18, 0x30, 2, 10, 0, 0, 1, 0x1f, 0x90}), key})),           // with port and HMAC
        tcp_frame(cat({bytes({30, 30, 0x30, 3}), Bytes(16, 0xfe), bytes({0, 80}), key})),   // IPv6
        tcp_frame(bytes({30, 5, 0x40, 1, 2})),                                              // REMOVE_ADDR
        tcp_frame(bytes({30, 4, 0x51, 3})),                                                 // MP_PRIO
        tcp_frame(cat({bytes({30, 12, 0x60, 0}), key})),                                    // MP_FAIL
        tcp_frame(cat({bytes({30, 12, 0x70, 0}), key2})),                                   // MP_FASTCLOSE
        tcp_frame(bytes({30, 4, 0x80, 0x01})),                                              // MP_TCPRST: "unknown"
    };
    expect_same(frames, {56, 60, 64});
}

// --- GRE (RFC 2784, RFC 2890, RFC 1701 routing, RFC 2637 enhanced GRE)

Bytes gre_frame(const Bytes& gre) { return ethernet(0x0800, ipv4(47, gre)); }

TEST(print_protocols, gre_as_tcpdump_prints_it) {
    Bytes inner = ipv4(1, bytes({8, 0, 0xf7, 0xff, 0, 0, 0, 0}), "192.0.2.1", "192.0.2.2");
    Bytes payload = bytes({1, 2, 3, 4, 5, 6, 7, 8});
    std::vector<Bytes> frames = {
        gre_frame(cat({bytes({0x00, 0x00, 0x08, 0x00}), inner})),                                 // plain, IPv4 inside
        gre_frame(cat({bytes({0x20, 0x00, 0x20, 0x01, 0, 0, 0, 2}), payload})),                    // key, unknown type
        gre_frame(cat({bytes({0x30, 0x00, 0x88, 0xbe, 0, 0, 0, 2, 0, 1, 0xa1, 0x4a}), payload})),  // key and sequence
        gre_frame(cat({bytes({0x80, 0x00, 0x08, 0x00, 0x12, 0x34, 0, 0}), inner})),               // checksum
        gre_frame(cat({bytes({0x40, 0x00, 0x20, 0x01, 0, 0, 0, 4, 0x08, 0x00, 4, 8}), ip4("10.9.9.1"), ip4("10.9.9.2"),
                       bytes({0xff, 0xfe, 0, 4, 0, 1, 0, 2, 0x12, 0x34, 0, 0, 0, 0, 0, 0}), payload})),  // source routes
        gre_frame(cat({bytes({0x40, 0x00, 0x08, 0x00, 0, 0, 0, 4, 0x30, 0x30, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0}), inner})),
        gre_frame(bytes({0x20, 0x81, 0x88, 0x0b, 0, 0, 0, 7, 0, 0, 0, 2})),                             // PPTP ack only
        gre_frame(bytes({0x00, 0x02, 0x08, 0x00})),                                                      // version 2
        gre_frame(bytes({0x20, 0x00, 0x00, 0x00, 0, 0, 0, 0x28})),                                       // nothing after
    };
    expect_same(frames, {35, 36, 38, 40, 42, 46, 50});
    expect_same(frames, {}, "-v");
    // With -e tcpdump drops the inner IPv4 header's "IP " (not GRE's part): frames without one.
    expect_same({frames[1], frames[2], frames[4], frames[6], frames[7], frames[8]}, {}, "-e");
}

// --- SCTP (RFC 9260) and ForCES over it (RFC 5811, RFC 5810)

Bytes sctp_frame(std::uint16_t sport, std::uint16_t dport, const Bytes& chunks) {
    Bytes h;
    put16(h, sport), put16(h, dport), put32(h, 0x01020304), put32(h, 0);
    return ethernet(0x0800, ipv4(132, cat({h, chunks})));
}

// A chunk: type, flags, length (of header and value), value, padding to 4 bytes.
Bytes chunk(std::uint8_t type, std::uint8_t flags, const Bytes& value) {
    Bytes b;
    put8(b, type), put8(b, flags), put16(b, static_cast<unsigned>(4 + value.size()));
    b.insert(b.end(), value.begin(), value.end());
    while (b.size() % 4) b.push_back(0);
    return b;
}

TEST(print_protocols, sctp_chunks_as_tcpdump_prints_them) {
    Bytes init = bytes({0, 0, 0, 9, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 7});
    Bytes data = bytes({0, 0, 0, 5, 0, 1, 0, 2, 0, 0, 0, 3, 0xde, 0xad});
    Bytes sack = bytes({0, 0, 0, 100, 0, 0, 0x10, 0, 0, 2, 0, 1, 0, 2, 0, 3, 0, 5, 0, 7, 0, 0, 0, 99});
    Bytes forces = bytes({0x10, 0x0f, 0, 6, 0, 0, 0, 2, 0x40, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0x08, 0, 0, 0});
    std::vector<Bytes> frames = {
        sctp_frame(5000, 6000, chunk(1, 0, init)),
        sctp_frame(6000, 5000, chunk(2, 0, cat({init, bytes({0, 7, 0, 8, 1, 2, 3, 4})}))),
        sctp_frame(5000, 6000, chunk(0, 3, data)),
        sctp_frame(5000, 6000, cat({chunk(3, 0, sack), chunk(0, 4, data), chunk(4, 0, bytes({0, 1, 0, 8, 1, 2, 3, 4}))})),
        sctp_frame(5000, 6000, cat({chunk(10, 0, bytes({1, 2, 3})), chunk(11, 0, {}), chunk(0x80, 0, {}), chunk(14, 0, {})})),
        sctp_frame(5000, 6000, chunk(0, 3, bytes({0, 0, 0, 5}))),                 // DATA too short for its fields
        sctp_frame(5000, 6000, bytes({0, 3, 0, 2})),                               // a length below the descriptor
        sctp_frame(5000, 6000, bytes({0, 3, 0, 40, 0, 0, 0, 1})),                 // a length past the packet
        sctp_frame(5000, 6000, bytes({0, 3})),                                     // a descriptor cut off
        sctp_frame(40000, 6704, chunk(0, 3, cat({bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), forces}))),
        sctp_frame(6706, 40000, chunk(0, 3, cat({bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), Bytes{0x10, 0x03}}))),
        sctp_frame(5000, 6000, chunk(0, 3, cat({bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 22}), Bytes{0x10, 0x11}}))),
    };
    expect_same(frames, {40, 46, 50, 54, 62, 70, 78});
    frames.resize(9);  // ForCES shows its header's fields under -v, which sniff does not decode
    expect_same(frames, {}, "-v");
}

// --- Rx, AFS's RPC protocol (OpenAFS rx/rx_packet.h)

Bytes rx_header(std::uint8_t type, std::uint8_t flags, std::uint32_t seq) {
    Bytes b;
    put32(b, 0x12345678), put32(b, 0x9abc0000), put32(b, 3), put32(b, seq), put32(b, 77);
    put8(b, type), put8(b, flags), put8(b, 0), put8(b, 2), put16(b, 0), put16(b, 1);
    return b;
}

TEST(print_protocols, rx_as_tcpdump_prints_it) {
    Bytes ack_body = bytes({0, 10, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 9, 1, 7, 1, 1, 1, 0, 1, 0, 0});
    std::vector<Bytes> frames = {
        ethernet(0x0800, udp4(7001, 7000, cat({rx_header(1, 0, 3), Bytes(20, 0x41)}))),
        ethernet(0x0800, udp4(7000, 7001, cat({rx_header(2, 0, 0), ack_body, bytes({0, 0, 0})}))),
        ethernet(0x0800, udp4(7000, 7001, cat({rx_header(2, 0, 0), bytes({0, 10, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9, 8, 0})}))),
        ethernet(0x0800, udp4(7005, 7001, rx_header(5, 0, 0))),
        ethernet(0x0800, udp4(7005, 7001, rx_header(6, 0, 0))),
        ethernet(0x0800, udp4(7005, 7001, rx_header(99, 0, 0))),
    };
    expect_same(frames, {50, 60, 70, 80, 85});
    // Not -v: tcpdump prints no "[udp sum ok]" before Rx, which sniff's UDP printer does.
}

// --- RESP, the Redis serialization protocol

Bytes text(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

TEST(print_protocols, resp_as_tcpdump_prints_it) {
    std::vector<Bytes> frames;
    for (const char* payload : {"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "+OK\r\n", "-ERR no\r\n", ":42\r\n",
                                "$-1\r\n", "$0\r\n\r\n", "*0\r\n", "*-1\r\n", "$-20\r\nhi\r\n", "$99999999999\r\n",
                                "$x\r\n", "PING\r\n", "get a\nset b 1\r\n", "+PONG\r\n+PONG\r\n", "+no end", "\x01\xff\r\n"})
        frames.push_back(ethernet(0x0800, tcp4(40000, 6379, text(payload))));
    expect_same(frames, {56, 58, 60, 64, 70});
}

// --- ESP (RFC 4303), UDP encapsulation (RFC 3948) and sFlow version 5

TEST(print_protocols, esp_and_sflow_as_tcpdump_prints_them) {
    Bytes esp = bytes({0x12, 0x34, 0x56, 0x78, 0, 0, 0, 9, 0xaa, 0xbb, 0xcc, 0xdd});
    Bytes sflow4 = bytes({0, 0, 0, 5, 0, 0, 0, 1, 192, 0, 2, 7, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0});
    Bytes sflow6 = cat({bytes({0, 0, 0, 5, 0, 0, 0, 2}), ip6("2001:db8::7"), bytes({0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0})});
    Bytes sflow_old = cat({bytes({0, 0, 0, 4}), Bytes(24, 0)});
    std::vector<Bytes> frames = {
        ethernet(0x0800, ipv4(50, esp)),
        ethernet(0x86dd, ipv6(50, esp)),
        ethernet(0x0800, udp4(4500, 4500, esp)),
        ethernet(0x0800, udp4(4500, 4500, bytes({0xff}))),
        ethernet(0x0800, udp4(40000, 6343, sflow4)),
        ethernet(0x0800, udp4(40000, 6343, sflow6)),
        ethernet(0x0800, udp4(40000, 6343, sflow_old)),
        ethernet(0x0800, udp4(40000, 6343, bytes({0, 0, 0, 5, 0, 0, 0, 1}))),
    };
    expect_same(frames, {38, 40, 42, 43, 46, 50, 60, 70});
}

// --- DCCP (RFC 4340)

// A DCCP header with X set (48-bit sequence numbers): ports, data offset, CCVal/CsCov, checksum,
// type, sequence number, then `rest` (acknowledgement subheader and the type's fields).
Bytes dccp_frame(unsigned type, const Bytes& rest) {
    Bytes b;
    put16(b, 40000), put16(b, 5001), put8(b, static_cast<unsigned>((16 + rest.size()) / 4)), put8(b, 0), put16(b, 0);
    put8(b, (type << 1) | 1), put8(b, 0), put16(b, 0), put32(b, 77);
    return ethernet(0x0800, ipv4(33, cat({b, rest})));
}

TEST(print_protocols, dccp_as_tcpdump_prints_it) {
    Bytes ack = bytes({0, 0, 0, 0, 0, 0, 0, 9});
    std::vector<Bytes> frames = {
        dccp_frame(0, bytes({0, 0, 0, 42})),
        dccp_frame(1, cat({ack, bytes({0, 0, 0, 42})})),
        dccp_frame(2, {}),
        dccp_frame(3, ack),
        dccp_frame(4, ack),
        dccp_frame(6, ack),
        dccp_frame(7, cat({ack, bytes({1, 0, 0, 0})})),
        dccp_frame(9, cat({ack, bytes({0, 0, 0, 0})})),
        dccp_frame(12, {}),
        dccp_frame(1, ack),  // a Response without its service code
        ethernet(0x0800, ipv4(33, bytes({0x9c, 0x40, 0x13, 0x89, 3, 0, 0, 0, 0x06, 0, 0, 1}))),  // 24-bit sequence numbers
    };
    expect_same(frames, {36, 40, 46, 50, 54, 58});
}

// --- PGM (RFC 3208 section 8)

TEST(print_protocols, pgm_as_tcpdump_prints_it) {
    Bytes odata = bytes({0x9c, 0x40, 0x1f, 0x90, 4, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1});
    std::vector<Bytes> frames = {
        ethernet(0x0800, ipv4(113, odata)),
        ethernet(0x86dd, ipv6(113, odata)),
    };
    expect_same(frames, {34, 36, 38, 44, 48, 56, 60, 64, 70});
}

// --- IKEv2 over ISAKMP's header (RFC 7296 section 3.1)

TEST(print_protocols, ikev2_header_as_tcpdump_prints_it) {
    auto ike = [](unsigned exchange, unsigned flags, std::uint32_t message_id) {
        Bytes b(16, 0x11);
        put8(b, 33), put8(b, 0x20), put8(b, exchange), put8(b, flags), put32(b, message_id), put32(b, 28);
        return b;
    };
    std::vector<Bytes> frames = {
        ethernet(0x0800, udp4(500, 500, ike(34, 0x08, 0))),
        ethernet(0x0800, udp4(500, 500, ike(34, 0x20, 0))),
        ethernet(0x0800, udp4(500, 500, ike(35, 0x18, 1))),
        ethernet(0x0800, udp4(500, 500, ike(36, 0x28, 2))),
        ethernet(0x0800, udp4(500, 500, ike(99, 0, 3))),
        ethernet(0x0800, udp4(4500, 4500, cat({bytes({0, 0, 0, 0}), ike(37, 0x08, 4)}))),
    };
    expect_same(frames, {44, 50, 60, 69});
}

}  // namespace
