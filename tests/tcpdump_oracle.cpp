#include "tcpdump_oracle.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

namespace testing_support {

void put8(Bytes& b, unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
void put16(Bytes& b, unsigned v) { put8(b, v >> 8); put8(b, v & 0xff); }
void put32(Bytes& b, std::uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes ip4(const char* text) {
    Bytes b(4);
    EXPECT_EQ(inet_pton(AF_INET, text, b.data()), 1) << text;
    return b;
}
Bytes ip6(const char* text) {
    Bytes b(16);
    EXPECT_EQ(inet_pton(AF_INET6, text, b.data()), 1) << text;
    return b;
}
Bytes mac(const char* text) {
    Bytes b(6);
    unsigned v[6] = {};
    EXPECT_EQ(std::sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]), 6) << text;
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(v[i]);
    return b;
}

namespace {
std::uint32_t sum16(const Bytes& b, std::uint32_t acc = 0) {
    for (std::size_t i = 0; i < b.size(); i += 2) acc += (b[i] << 8) | (i + 1 < b.size() ? b[i + 1] : 0);
    return acc;
}
std::uint16_t fold(std::uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc);
}
Bytes transport(std::uint8_t proto, Bytes header, const Bytes& payload, const Bytes& src, const Bytes& dst,
                std::size_t checksum_at) {
    Bytes seg = cat({header, payload});
    Bytes pseudo = cat({src, dst});
    if (src.size() == 4) {
        put8(pseudo, 0), put8(pseudo, proto), put16(pseudo, static_cast<unsigned>(seg.size()));
    } else {
        put32(pseudo, static_cast<std::uint32_t>(seg.size())), put32(pseudo, proto);
    }
    std::uint16_t c = fold(sum16(seg, sum16(pseudo)));
    if (proto == 17 && c == 0) c = 0xffff;
    seg[checksum_at] = c >> 8, seg[checksum_at + 1] = c & 0xff;
    return seg;
}
Bytes udp_header(std::uint16_t sport, std::uint16_t dport, std::size_t payload) {
    Bytes h;
    put16(h, sport), put16(h, dport), put16(h, static_cast<unsigned>(8 + payload)), put16(h, 0);
    return h;
}
}  // namespace

std::uint16_t internet_checksum(const Bytes& b) { return fold(sum16(b)); }

Bytes ethernet(std::uint16_t ethertype, const Bytes& payload, const char* src, const char* dst) {
    Bytes h = cat({mac(dst), mac(src)});
    put16(h, ethertype);
    return cat({h, payload});
}

Bytes ethernet_llc(std::uint8_t dsap, std::uint8_t ssap, std::uint8_t control, const Bytes& payload, const char* src,
                   const char* dst) {
    Bytes h = cat({mac(dst), mac(src)});
    put16(h, static_cast<unsigned>(3 + payload.size()));
    put8(h, dsap), put8(h, ssap), put8(h, control);
    return cat({h, payload});
}

Bytes ipv4(std::uint8_t protocol, const Bytes& payload, const char* src, const char* dst, std::uint8_t ttl) {
    Bytes h;
    put8(h, 0x45), put8(h, 0), put16(h, static_cast<unsigned>(20 + payload.size())), put16(h, 1), put16(h, 0);
    put8(h, ttl), put8(h, protocol), put16(h, 0);
    h = cat({h, ip4(src), ip4(dst)});
    std::uint16_t c = internet_checksum(h);
    h[10] = c >> 8, h[11] = c & 0xff;
    return cat({h, payload});
}

Bytes ipv6(std::uint8_t next_header, const Bytes& payload, const char* src, const char* dst, std::uint8_t hop_limit) {
    Bytes h;
    put32(h, 0x60000000u), put16(h, static_cast<unsigned>(payload.size())), put8(h, next_header), put8(h, hop_limit);
    return cat({h, ip6(src), ip6(dst), payload});
}

Bytes udp4(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src, const char* dst) {
    return ipv4(17, transport(17, udp_header(sport, dport, payload.size()), payload, ip4(src), ip4(dst), 6), src, dst);
}
Bytes udp6(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src, const char* dst) {
    return ipv6(17, transport(17, udp_header(sport, dport, payload.size()), payload, ip6(src), ip6(dst), 6), src, dst);
}
Bytes tcp4(std::uint16_t sport, std::uint16_t dport, const Bytes& payload, const char* src, const char* dst,
           std::uint8_t flags) {
    Bytes h;
    put16(h, sport), put16(h, dport), put32(h, 1), put32(h, 1), put8(h, 5 << 4), put8(h, flags), put16(h, 512);
    put16(h, 0), put16(h, 0);
    return ipv4(6, transport(6, h, payload, ip4(src), ip4(dst), 16), src, dst);
}

std::string write_pcap(int dlt, const std::vector<Bytes>& packets, const std::vector<std::uint32_t>& wire_lengths) {
    static std::atomic<int> serial{0};
    const std::string path = (std::filesystem::temp_directory_path() /
                              fmt::format("sniff-oracle-{}-{}.pcap", ::getpid(), serial++)).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    const std::uint32_t header[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, static_cast<std::uint32_t>(dlt)};
    std::fwrite(header, sizeof header, 1, f);
    std::uint32_t second = 1700000000;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const Bytes& p = packets[i];
        const auto captured = static_cast<std::uint32_t>(p.size());
        const std::uint32_t record[4] = {second++, 0, captured, i < wire_lengths.size() ? wire_lengths[i] : captured};
        std::fwrite(record, sizeof record, 1, f);
        std::fwrite(p.data(), 1, p.size(), f);
    }
    std::fclose(f);
    return path;
}

namespace {
std::string output_of(const std::string& command) {
    std::string all;
    if (FILE* p = popen(command.c_str(), "r")) {
        char buf[65536];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) all.append(buf, n);
        pclose(p);
    }
    return all;
}
// Packets' texts: each starts at a line beginning with a timestamp; trailing spaces dropped.
std::vector<std::string> packets_of(const std::string& text) {
    static const std::regex stamp(R"(^\d\d:\d\d:\d\d\.\d{6})");
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        if (out.empty() || std::regex_search(line, stamp)) out.push_back(line);
        else out.back() += "\n" + line;
    }
    return out;
}
}  // namespace

std::vector<LineMismatch> compare_with_tcpdump(int dlt, const std::vector<Bytes>& packets, const std::string& flags,
                                               const std::vector<std::uint32_t>& wire_lengths) {
    EXPECT_EQ(std::system("command -v tcpdump >/dev/null 2>&1"), 0) << "tcpdump is installed by scripts/setup.sh --tests";
    const std::string file = write_pcap(dlt, packets, wire_lengths);
    const char* bin = std::getenv("SNIFF_BINARY");
    const std::string tail = fmt::format(" -n {} -r {} 2>/dev/null", flags, file);
    const auto theirs = packets_of(output_of("TZ=UTC tcpdump" + tail));
    const auto ours = packets_of(output_of(fmt::format("TZ=UTC {}{}", bin ? bin : "sniff", tail)));
    std::filesystem::remove(file);
    EXPECT_EQ(theirs.size(), packets.size()) << "tcpdump printed a different number of packets";
    EXPECT_EQ(ours.size(), theirs.size()) << "sniff printed a different number of packets";
    std::vector<LineMismatch> out;
    for (std::size_t i = 0; i < theirs.size() && i < ours.size(); ++i)
        if (theirs[i] != ours[i]) out.push_back({i + 1, ours[i], theirs[i]});
    return out;
}

std::vector<LineMismatch> compare_cuts_with_tcpdump(int dlt, const std::vector<Bytes>& frames, std::size_t from,
                                                    const std::string& flags) {
    std::vector<Bytes> packets = frames;
    std::vector<std::uint32_t> wire;
    for (const Bytes& f : frames) wire.push_back(static_cast<std::uint32_t>(f.size()));
    for (const Bytes& f : frames)
        for (std::size_t n = from; n < f.size(); ++n) {
            packets.emplace_back(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
            wire.push_back(static_cast<std::uint32_t>(f.size()));
        }
    return compare_with_tcpdump(dlt, packets, flags, wire);
}

void report_mismatches(const std::vector<LineMismatch>& mismatches, const char* flags) {
    for (const auto& m : mismatches)
        ADD_FAILURE() << "flags '" << flags << "' packet " << m.packet << "\n  sniff:\n" << m.sniff << "\n  tcpdump:\n" << m.tcpdump;
}

void expect_same_as_tcpdump(int dlt, const std::vector<Bytes>& frames, std::initializer_list<const char*> flag_sets) {
    for (const char* flags : flag_sets) report_mismatches(compare_with_tcpdump(dlt, frames, flags), flags);
}

}  // namespace testing_support
