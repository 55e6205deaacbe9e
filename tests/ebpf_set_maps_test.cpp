// Sets in BPF maps (SetMapOptions): which map a set becomes and what it holds, and programs that
// read them, loaded with their maps and test-run at every hook against the reference VM over
// frames built from the sets' members, their neighbours and values in no set.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <array>
#include <chrono>
#include <optional>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "compiler/ebpf/set_maps.hpp"
#include "ebpf/dump.hpp"
#include "ebpf/loader.hpp"

namespace {

using sniff::ebpf_gen::SetMapKind;
constexpr std::uint32_t kSnaplen = 262144;

// ---- the maps' contents ----

struct PrefixCase {
    std::uint32_t lo, hi;
    std::vector<std::pair<std::uint32_t, std::uint8_t>> want;
};

TEST(SetMaps, PrefixesCoverARangeExactly) {
    const PrefixCase cases[] = {
        {0x0a000000, 0x0a0000ff, {{0x0a000000, 24}}},
        {0x0a000001, 0x0a000001, {{0x0a000001, 32}}},
        {1, 6, {{1, 32}, {2, 31}, {4, 31}, {6, 32}}},
        {0, 0xffffffffu, {{0, 0}}},
        {0xfffffffeu, 0xffffffffu, {{0xfffffffeu, 31}}},
        {0x0a000000, 0x0a0001ff, {{0x0a000000, 23}}},
    };
    for (const PrefixCase& c : cases) EXPECT_EQ(sniff::ebpf_gen::prefixes_covering(c.lo, c.hi), c.want) << c.lo << "-" << c.hi;
    // Whatever the range, the prefixes tile it: no gap, no overlap, at most 62.
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::uint32_t a = rng(), b = rng();
        if (a > b) std::swap(a, b);
        auto p = sniff::ebpf_gen::prefixes_covering(a, b);
        ASSERT_LE(p.size(), 62u);
        std::uint64_t at = a;
        for (auto [value, length] : p) {
            ASSERT_EQ(value, at);
            at += std::uint64_t{1} << (32 - length);
        }
        EXPECT_EQ(at, std::uint64_t{b} + 1);
    }
}

TEST(SetMaps, KindFollowsTheValues) {
    using sniff::cfg::Ranges;
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {80, 90}, {0xffff, 0xffff}}), SetMapKind::Bitmap);
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {0x10000, 0x10000}}), SetMapKind::Hash);
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {0x10000, 0x100ff}}), SetMapKind::Prefixes);
    // In an ELF object: read-only kinds only.
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {80, 90}}, true), SetMapKind::Bitmap);
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {0x10000, 0x10000}}, true), SetMapKind::SortedRanges);
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind({{1, 1}, {0x10000, 0x100ff}}, true), SetMapKind::SortedRanges);
    EXPECT_EQ(sniff::ebpf_gen::sorted_ranges_slots(5), 8u);
    EXPECT_EQ(sniff::ebpf_gen::sorted_ranges_slots(8), 8u);
    // 4 MiB is the most an array value holds: 2^19 pairs, so a set of 2^19 + 1 has no kind.
    Ranges huge(std::size_t{1} << 19 | 1);
    for (std::size_t i = 0; i < huge.size(); ++i) huge[i] = {0x10000u + 2 * static_cast<std::uint32_t>(i), 0x10000u + 2 * static_cast<std::uint32_t>(i)};
    EXPECT_FALSE(sniff::ebpf_gen::set_map_kind(huge, true).has_value());
    huge.resize(std::size_t{1} << 19);
    EXPECT_EQ(sniff::ebpf_gen::set_map_kind(huge, true), SetMapKind::SortedRanges);
}

// The i-th address of the host lists: 10.x.y.z, z odd from 1 to 239, so that no two are adjacent
// (adjacent ones would make ranges, which a trie holds).
std::uint32_t host_address(int i) {
    const auto u = static_cast<std::uint32_t>(i);
    return 0x0a000000u | (u / 30000) << 16 | (u / 120 % 250) << 8 | (2 * (u % 120) + 1);
}

std::string host_list(int n, const char* qualifier = "host", int first = 0) {
    std::string t;
    for (int i = first; i < first + n; ++i) {
        const std::uint32_t a = host_address(i);
        t += fmt::format("{}{} {}.{}.{}.{}", t.empty() ? "" : " or ", qualifier, a >> 24, a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff);
    }
    return t;
}

std::string protocol_list(int n) {
    std::string t;
    for (int i = 0; i < n; ++i) t += fmt::format("{}ip proto {}", t.empty() ? "" : " or ", 2 * i);
    return t;
}

std::string port_list(int n) {
    std::string t;
    for (int i = 0; i < n; ++i) t += fmt::format("{}port {}", t.empty() ? "" : " or ", 1000 + 7 * i);
    return t + " or portrange 6000-6100";
}

// Non-adjacent /24s and /16s: ranges the hash cannot hold.
std::string net_list(int n) {
    std::string t;
    for (int i = 0; i < n; ++i)
        t += fmt::format("{}net {}", t.empty() ? "" : " or ", i % 3 ? fmt::format("172.{}.{}.0/24", 16 + i % 16, 2 * i) : fmt::format("{}.{}.0.0/16", 100 + i / 128, 2 * (i % 128)));
    return t;
}

ebpf::Filter compiled(const std::string& expr, ebpf::Hook hook, sniff::SetMapOptions maps = {}) {
    auto f = sniff::compile_ebpf(expr, {.dlt = 1, .snaplen = kSnaplen, .kernel_vlan = hook == ebpf::Hook::Tc}, hook, maps);
    EXPECT_TRUE(f) << f.error().message;
    return f ? std::move(*f) : ebpf::Filter{};
}

TEST(SetMaps, EachListBecomesOneMapOfItsKind) {
    struct Case {
        std::string expr;
        std::uint32_t type;
        std::size_t entries;
    };
    const Case cases[] = {
        // The list's first member is tested before the set (sets.hpp): n - 1 entries.
        {host_list(300), BPF_MAP_TYPE_HASH, 299},
        // The source and the destination test read the same set: one map.
        {host_list(300, "src host") + " or " + host_list(300, "dst host"), BPF_MAP_TYPE_HASH, 299},
        {port_list(100), BPF_MAP_TYPE_ARRAY, 1},
        {net_list(90), BPF_MAP_TYPE_LPM_TRIE, 89},
        {protocol_list(100), BPF_MAP_TYPE_ARRAY, 1},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.expr.substr(0, 60));
        ebpf::Filter f = compiled(c.expr, ebpf::Hook::Socket, {.from_ranges = 64});
        ASSERT_EQ(f.maps.size(), 1u);
        EXPECT_EQ(f.maps[0].type, c.type);
        EXPECT_EQ(f.maps[0].entries(), c.entries);
        EXPECT_EQ(f.maps[0].max_entries, c.entries);
    }
    // A list nested to the right (`a or (b or (c …))`) is the same list: the same program as
    // written flat, and the same map (the builders keep such chains nested).
    std::string nested;
    const std::string flat = host_list(300);
    for (std::size_t at = 0, next; at < flat.size(); at = next + 4) {
        next = flat.find(" or ", at);
        if (next == std::string::npos) {
            nested += flat.substr(at) + std::string(299, ')');
            break;
        }
        nested += flat.substr(at, next - at) + " or (";
    }
    ebpf::Filter right = compiled(nested, ebpf::Hook::Socket, {.from_ranges = 64});
    ASSERT_EQ(right.maps.size(), 1u) << nested.substr(0, 80);
    EXPECT_EQ(right.insns, compiled(flat, ebpf::Hook::Socket, {.from_ranges = 64}).insns);
    EXPECT_EQ(*sniff::compile(nested, {.dlt = 1, .snaplen = kSnaplen}), *sniff::compile(flat, {.dlt = 1, .snaplen = kSnaplen}));
    // The bitmap has one bit per member.
    ebpf::Filter ports = compiled(port_list(100), ebpf::Hook::Socket, {.from_ranges = 64});
    std::size_t bits = 0;
    for (std::uint8_t b : ports.maps.at(0).values) bits += static_cast<std::size_t>(__builtin_popcount(b));
    EXPECT_EQ(bits, 99u);  // the portrange is another test
}

TEST(SetMaps, ThresholdAndInObjectMode) {
    const std::size_t from = sniff::SetMapOptions::kDefaultFromRanges;
    EXPECT_TRUE(compiled(host_list(static_cast<int>(from)), ebpf::Hook::Socket).maps.empty());
    EXPECT_EQ(compiled(host_list(static_cast<int>(from) + 1), ebpf::Hook::Socket).maps.size(), 1u);
    EXPECT_TRUE(compiled(host_list(300), ebpf::Hook::Socket, {.from_ranges = sniff::SetMapOptions::kNever}).maps.empty());
    // An ELF object carries read-only data only: sorted ranges, not the hash.
    ebpf::Filter hosts = compiled(host_list(300), ebpf::Hook::Xdp, {.from_ranges = 64, .in_object = true});
    ASSERT_EQ(hosts.maps.size(), 1u);
    EXPECT_TRUE(hosts.maps[0].read_only);
    EXPECT_EQ(hosts.maps[0].type, BPF_MAP_TYPE_ARRAY);
    EXPECT_EQ(hosts.maps[0].value_size, 512u * 8);
    ebpf::Filter ports = compiled(port_list(100), ebpf::Hook::Xdp, {.from_ranges = 64, .in_object = true});
    ASSERT_EQ(ports.maps.size(), 1u);
    EXPECT_TRUE(ports.maps[0].read_only);
    // -d shows the reference and the map.
    const std::string text = ebpf::dump(ports.insns) + ebpf::describe_maps(ports.maps);
    EXPECT_NE(text.find("r1 = map[0][0]+0"), std::string::npos) << text;
    EXPECT_NE(text.find("map[0]: array sniff_bits0, key 4 bytes, value 8192 bytes, 1 entries, read-only"), std::string::npos) << text;
}

// ---- programs with maps against the reference VM ----

struct Frame {
    std::vector<std::uint8_t> bytes;
    std::string what;
};

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    put16(b, at, v >> 16);
    put16(b, at + 2, v & 0xffff);
}

// Ethernet + IPv4 (20 bytes) + TCP or UDP ports, or Ethernet + IPv6 + TCP.
Frame ipv4(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::uint16_t sport, std::uint16_t dport) {
    std::vector<std::uint8_t> b(14 + 20 + 20, 0);
    b[0] = 0x02, b[6] = 0x02, b[11] = 1;
    put16(b, 12, 0x0800);
    b[14] = 0x45;
    put16(b, 16, 40);
    b[22] = 64, b[23] = proto;
    put32(b, 26, src), put32(b, 30, dst);
    put16(b, 34, sport), put16(b, 36, dport);
    return {b, fmt::format("ipv4 {:#x} > {:#x} proto {} {} > {}", src, dst, proto, sport, dport)};
}

Frame ipv6(std::uint32_t src_low, std::uint32_t dst_low, std::uint16_t sport, std::uint16_t dport) {
    std::vector<std::uint8_t> b(14 + 40 + 20, 0);
    b[0] = 0x02, b[6] = 0x02, b[11] = 1;
    put16(b, 12, 0x86dd);
    b[14] = 0x60;
    put16(b, 18, 20);
    b[20] = 6, b[21] = 64;
    put32(b, 22, 0x20010db8), put32(b, 34, src_low);
    put32(b, 38, 0x20010db8), put32(b, 50, dst_low);
    put16(b, 54, sport), put16(b, 56, dport);
    return {b, fmt::format("ipv6 ..{:#x} > ..{:#x} {} > {}", src_low, dst_low, sport, dport)};
}

// Frames whose fields are members of `values`, their neighbours, and random values, in each
// position the filters read (source, destination), over TCP and UDP; and each cut short.
std::vector<Frame> frames_around(const std::vector<std::uint32_t>& values, std::mt19937& rng) {
    std::vector<Frame> out;
    for (std::uint32_t v : values) {
        for (std::uint32_t near : {v - 1, v, v + 1}) {
            const auto port = static_cast<std::uint16_t>(near);
            out.push_back(ipv4(near, rng(), 6, port, static_cast<std::uint16_t>(rng())));
            out.push_back(ipv4(rng(), near, 17, static_cast<std::uint16_t>(rng()), port));
            out.push_back(ipv4(near, near, static_cast<std::uint8_t>(near), port, port));
            out.push_back(ipv6(near, rng(), port, static_cast<std::uint16_t>(rng())));
        }
    }
    for (int i = 0; i < 40; ++i) out.push_back(ipv4(rng(), rng(), static_cast<std::uint8_t>(rng()), static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng())));
    const std::size_t whole = out.size();
    for (std::size_t i = 0; i < whole; i += 7) {
        Frame f = out[i];
        f.bytes.resize(14 + i % 36);
        f.what += fmt::format(" cut to {}", f.bytes.size());
        out.push_back(std::move(f));
    }
    return out;
}

// `expr` at every hook with every set of `from_ranges` or more members in a map, of the kinds
// sniff loads itself and of those an ELF object carries (in_object): loaded with its maps and
// test-run on `frames`; each answer must be the VM's. `want_object_maps` kAnyCount: not checked.
constexpr std::size_t kAnyCount = SIZE_MAX;
void check(const std::string& expr, const std::vector<Frame>& frames, std::size_t from_ranges, std::size_t want_maps,
           std::optional<std::size_t> want_object_maps = std::nullopt) {
    auto classic = sniff::compile(expr, {.dlt = 1, .snaplen = kSnaplen});
    ASSERT_TRUE(classic) << classic.error().message;
    for (const auto& [hook, in_object] : {std::pair{ebpf::Hook::Socket, false}, std::pair{ebpf::Hook::Xdp, false}, std::pair{ebpf::Hook::Tc, false},
                                          std::pair{ebpf::Hook::Socket, true}, std::pair{ebpf::Hook::Xdp, true}}) {
        SCOPED_TRACE(fmt::format("{} at {}{}", expr.substr(0, 80), ebpf::hook_name(hook), in_object ? " (in object)" : ""));
        ebpf::Filter f = compiled(expr, hook, {.from_ranges = from_ranges, .in_object = in_object});
        if (!in_object || want_object_maps != kAnyCount) EXPECT_EQ(f.maps.size(), in_object ? want_object_maps.value_or(want_maps) : want_maps);
        auto loaded = ebpf::load(f, hook);
        ASSERT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log;
        EXPECT_EQ(loaded->map_count(), f.maps.size());
        std::size_t runs = 0, matches = 0;
        for (const Frame& frame : frames) {
            if (!ebpf::test_runnable(hook, frame.bytes)) continue;
            const std::uint32_t vm = cbpf::run(*classic, frame.bytes, static_cast<std::uint32_t>(frame.bytes.size()));
            auto run = ebpf::test_run(*loaded, frame.bytes);
            ASSERT_TRUE(run) << run.error().message;
            ++runs, matches += vm != 0;
            ASSERT_EQ(run->retval, ebpf::hook_return(hook, vm)) << frame.what << "\n" << ebpf::dump(f.insns);
        }
        EXPECT_GT(runs, 0u);
        EXPECT_GT(matches, 0u) << "no frame matched: the test would not see a lookup that misses";
        EXPECT_LT(matches, runs) << "every frame matched: the test would not see a lookup that hits too much";
    }
}

class SetMapPrograms : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
    }
    std::mt19937 rng{20261207};
};

TEST_F(SetMapPrograms, HostsInAHash) {
    std::vector<std::uint32_t> members;
    for (int i = 0; i < 200; i += 9) members.push_back(host_address(i));
    auto frames = frames_around(members, rng);
    for (int i = 0; i < 100; i += 3) frames.push_back(ipv4(host_address(i), host_address(100 + i), 6, 1, 2));
    check(host_list(200), frames, 64, 1);
    check(host_list(200, "src host"), frames, 64, 1);
    check("udp and (" + host_list(200, "dst host") + ")", frames, 64, 1);
    check("not (" + host_list(200) + ")", frames, 64, 1);
    // Two different sets: two maps.
    check("(" + host_list(100, "src host") + ") and (" + host_list(100, "dst host", 100) + ")", frames, 64, 2);
}

TEST_F(SetMapPrograms, PortsAndProtocolsInABitmap) {
    std::vector<std::uint32_t> members;
    for (int i = 0; i < 100; i += 5) members.push_back(1000u + 7u * static_cast<std::uint32_t>(i));
    members.push_back(6000), members.push_back(6100), members.push_back(0xffff), members.push_back(0);
    const auto frames = frames_around(members, rng);
    check(port_list(100), frames, 64, 1);
    check("tcp and (" + port_list(100) + ")", frames, 64, 1);
    check("udp dst port (" + std::string("1000 or 1007 or 1014 or 6000") + ")", frames, 2, 1);
    check("ip proto 6 or ip proto 17 or ip proto 1 or ip proto 47", frames, 2, 1);
    check(protocol_list(100), frames, 64, 1);
}

TEST_F(SetMapPrograms, NetsInAnLpmTrie) {
    std::vector<std::uint32_t> members;
    for (int i = 0; i < 90; i += 4)
        members.push_back(i % 3 ? (172u + 0u) << 24 | static_cast<std::uint32_t>(16 + i % 16) << 16 | static_cast<std::uint32_t>(2 * i) << 8 | 0x80u
                                : static_cast<std::uint32_t>(100 + i / 128) << 24 | static_cast<std::uint32_t>(2 * (i % 128)) << 16 | 0xff00u);
    const auto frames = frames_around(members, rng);
    check(net_list(90), frames, 64, 1);
    check("src net 100.0.0.0/16 or src net 172.17.2.0/24 or src net 172.18.4.0/24", frames, 2, 1);
}

TEST_F(SetMapPrograms, EverySetOfTheDifferentialSuiteInAMap) {
    // Small lists too: with from_ranges 2 every set the optimizer makes is a map.
    // (Sets keep the list's first member out: `host a or host b or host c` tests a, then {b, c}.)
    std::vector<std::uint32_t> members = {0x0a000001, 0x0a000003, 0x0a000005, 0x0a000007, 22, 53, 80, 443, 0x0a000280, 0x0a040000, 0x0a010203};
    const auto frames = frames_around(members, rng);
    check("host 10.0.0.1 or host 10.0.0.3 or host 10.0.0.5 or host 10.0.0.7", frames, 2, 1);
    // Two sets: the ports, and TCP, UDP and SCTP in the IP header.
    check("port 22 or port 53 or port 80 or port 443", frames, 2, 2);
    check("net 10.0.0.0/24 or net 10.0.2.0/24 or net 10.0.4.0/23 or net 10.1.0.0/16", frames, 2, 1);
    check("ip6 host 2001:db8::a00:1 or ip6 host 2001:db8::a00:3 or ip6 host 2001:db8::a00:5", frames, 2, 1);
}

// Ethernet + IPv6 + TCP between two whole addresses (four words each).
Frame ipv6_words(const std::array<std::uint32_t, 4>& src, const std::array<std::uint32_t, 4>& dst) {
    Frame f = ipv6(0, 0, 1, 2);
    for (std::size_t i = 0; i < 4; ++i) put32(f.bytes, 22 + 4 * i, src[i]), put32(f.bytes, 38 + 4 * i, dst[i]);
    f.what = fmt::format("ipv6 {:08x}{:08x}{:08x}{:08x} > {:08x}{:08x}{:08x}{:08x}", src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2],
                         dst[3]);
    return f;
}

std::string ipv6_text(const std::array<std::uint32_t, 4>& a) {
    return fmt::format("{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}", a[0] >> 16, a[0] & 0xffff, a[1] >> 16, a[1] & 0xffff, a[2] >> 16,
                       a[2] & 0xffff, a[3] >> 16, a[3] & 0xffff);
}

// Lists of several words (`ip6 host`, `ether host`) are tuple sets: one hash per prefix length,
// read word by word as the list reads them, so a frame cut inside the address gets the list's
// answer. Frames: members, members with one word changed, members cut at every length.
TEST_F(SetMapPrograms, TuplesOfWordsInHashes) {
    std::vector<std::array<std::uint32_t, 4>> addresses;
    for (int i = 0; i < 300; ++i) addresses.push_back({static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()), i % 2 ? 0u : static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng())});
    // Two that share their first two words, so the prefix hashes matter past the first word.
    addresses[5] = addresses[4];
    addresses[5][3] ^= 1;
    std::string hosts, sources, destinations, macs, mac_sources;
    for (const auto& a : addresses) {
        hosts += fmt::format("{}ip6 host {}", hosts.empty() ? "" : " or ", ipv6_text(a));
        sources += fmt::format("{}ip6 src host {}", sources.empty() ? "" : " or ", ipv6_text(a));
        destinations += fmt::format("{}ip6 dst host {}", destinations.empty() ? "" : " or ", ipv6_text(a));
        const std::string mac = fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0] >> 24, a[0] >> 16 & 0xff, a[0] >> 8 & 0xff,
                                            a[0] & 0xff, a[1] >> 8 & 0xff, a[1] & 0xff);
        macs += fmt::format("{}ether host {}", macs.empty() ? "" : " or ", mac);
        mac_sources += fmt::format("{}ether src {}", mac_sources.empty() ? "" : " or ", mac);
    }
    std::vector<Frame> frames;
    const std::array<std::uint32_t, 4> other = {0x20010db8, 1, 2, 3};
    for (std::size_t i = 0; i < addresses.size(); i += 11) {
        const auto& a = addresses[i];
        frames.push_back(ipv6_words(a, other));
        frames.push_back(ipv6_words(other, a));
        for (std::size_t w = 0; w < 4; ++w) {
            auto changed = a;
            changed[w] ^= 0x100;
            frames.push_back(ipv6_words(changed, a));
            frames.push_back(ipv6_words(changed, other));
        }
        // The MAC lists read the Ethernet addresses: the member's first six bytes there.
        Frame mac = ipv6_words(other, other);
        put32(mac.bytes, 6, a[0]), put16(mac.bytes, 10, a[1] & 0xffff);
        mac.what += " from the member's MAC";
        frames.push_back(mac);
        mac.bytes[11] ^= 1;
        frames.push_back(mac);
    }
    // Cut inside the source and destination addresses, at every length.
    for (std::size_t i : {std::size_t{4}, std::size_t{5}, std::size_t{6}}) {
        for (std::size_t cut = 14 + 8; cut < 14 + 40; ++cut) {
            for (const Frame& whole : {ipv6_words(addresses[i], other), ipv6_words(other, addresses[i]), ipv6_words(other, other)}) {
                Frame f = whole;
                f.bytes.resize(cut);
                f.what += fmt::format(" cut to {}", cut);
                frames.push_back(std::move(f));
            }
        }
    }
    // A list of one address field: a tuple of four words (three prefix hashes and the set).
    check(sources, frames, 64, 4, 0);
    check(destinations, frames, 64, 4, 0);
    check("tcp and (" + sources + ")", frames, 64, 4, 0);
    check(mac_sources, frames, 64, 2, 0);
    // Under `not`, a frame cut inside the words that the list finds in no member is accepted.
    check("ip6 and not (" + sources + ")", frames, 64, 4, 0);
    check("not (" + destinations + ")", frames, 64, 4, 0);
    // Lists of both fields are either-tuple sets, one hash per prefix length holding the least
    // member index: a frame cut inside the destination is rejected at the first member whose
    // destination words match up to the cut, unless an earlier member (or that one) is the
    // source. The members: an address whose first words are the frame's, then the frame's own
    // source (and destination) address, cut at every length inside the destination.
    check(hosts, frames, 64, 4, 0);
    check(macs, frames, 64, 2, 0);
    check("tcp and (" + hosts + ")", frames, 64, 4, 0);
    check("not (" + hosts + ")", frames, 64, 4, 0);
    const std::array<std::uint32_t, 4> own = {0x20010db8, 0x00000001, 0, 1}, near = {0x20010db8, 0x00000002, 0, 2};
    std::vector<Frame> cut_in_destination;
    for (std::size_t cut = 14 + 24; cut <= 14 + 40; cut += 2) {
        Frame f = ipv6_words(own, own);
        f.bytes.resize(cut);
        f.what += fmt::format(" cut to {}", cut);
        cut_in_destination.push_back(std::move(f));
    }
    cut_in_destination.push_back(ipv6_words(own, other));
    cut_in_destination.push_back(ipv6_words(other, other));
    const std::string regression = "ip6 host fd00::1 or ip6 host " + ipv6_text(near) + " or ip6 host " + ipv6_text(own) + " or " + hosts;
    check(regression, cut_in_destination, 64, 4, 0);
    // Short lists stay lists.
    EXPECT_TRUE(compiled(hosts, ebpf::Hook::Socket, {.from_ranges = 1000}).maps.empty());
}

// Either-tuple sets keep the list's order: members drawn from few words, so that their prefixes
// collide, and frames between members and near-members cut at every length inside the addresses;
// each answer must be the list's, as the VM runs it.
TEST_F(SetMapPrograms, EitherFieldListsAnswerInTheListsOrder) {
    const std::uint32_t words[] = {0x20010db8, 0x20010db9, 1, 2};
    auto pick = [&] {
        std::array<std::uint32_t, 4> a;
        for (auto& w : a) w = words[rng() % 4];
        return a;
    };
    std::vector<std::array<std::uint32_t, 4>> members;
    for (int i = 0; i < 40; ++i) members.push_back(pick());
    members[7] = members[3];  // a member met before
    std::string hosts, macs;
    for (const auto& a : members) {
        hosts += fmt::format("{}ip6 host {}", hosts.empty() ? "" : " or ", ipv6_text(a));
        macs += fmt::format("{}ether host {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", macs.empty() ? "" : " or ", a[0] >> 24, a[0] >> 16 & 0xff,
                            a[0] >> 8 & 0xff, a[0] & 0xff, a[1] >> 8 & 0xff, a[1] & 0xff);
    }
    std::vector<Frame> frames;
    for (int i = 0; i < 60; ++i) {
        const auto src = i % 3 ? members[rng() % members.size()] : pick(), dst = i % 2 ? members[rng() % members.size()] : pick();
        Frame whole = ipv6_words(src, dst);
        // The MAC lists: the addresses' first six bytes in the Ethernet header.
        put32(whole.bytes, 0, dst[0]), put16(whole.bytes, 4, dst[1] & 0xffff);
        put32(whole.bytes, 6, src[0]), put16(whole.bytes, 10, src[1] & 0xffff);
        if (i % 5 == 0) put32(whole.bytes, 8, rng()), put32(whole.bytes, 2, rng());  // MACs in no member
        frames.push_back(whole);
        for (std::size_t cut = i % 2 ? 4 : 14 + 8; cut < 14 + 40; cut += i % 2 ? 1 : 2) {
            Frame f = whole;
            f.bytes.resize(cut);
            f.what += fmt::format(" cut to {}", cut);
            frames.push_back(std::move(f));
        }
    }
    check(hosts, frames, 2, 4, 0);
    check("not (" + hosts + ")", frames, 2, 4, 0);
    // In an object, runs of members where one word varies are sets still.
    check(macs, frames, 2, 2, kAnyCount);
    // The differential suites' lists of this kind (differential_expressions.hpp) take this path
    // in their leg with every set in a map.
    EXPECT_EQ(compiled("ip6 host fe80::1 or ip6 host ff02::1 or ip6 host ff02::2 or ip6 host fe80::202:b3ff:fe1e:8329", ebpf::Hook::Socket,
                       {.from_ranges = 2})
                  .maps.size(),
              4u);
    EXPECT_EQ(compiled("ether host ff:ff:ff:ff:ff:ff or ether host 01:00:5e:00:00:fb or ether host 33:33:00:00:00:01 or ether host 0:0:0:0:0:0",
                       ebpf::Hook::Socket, {.from_ranges = 2})
                  .maps.size(),
              2u);
    // Past the map budget, the list's comparisons.
    auto classic = sniff::compile(hosts, {.dlt = 1, .snaplen = kSnaplen});
    ASSERT_TRUE(classic);
    for (std::size_t budget : {std::size_t{0}, std::size_t{3}}) {
        ebpf::Filter f = compiled(hosts, ebpf::Hook::Xdp, {.from_ranges = 2, .max_maps = budget});
        EXPECT_TRUE(f.maps.empty());
        auto loaded = ebpf::load(f, ebpf::Hook::Xdp);
        ASSERT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log;
        for (const Frame& frame : frames) {
            if (!ebpf::test_runnable(ebpf::Hook::Xdp, frame.bytes)) continue;
            const std::uint32_t vm = cbpf::run(*classic, frame.bytes, static_cast<std::uint32_t>(frame.bytes.size()));
            auto run = ebpf::test_run(*loaded, frame.bytes);
            ASSERT_TRUE(run) << run.error().message;
            ASSERT_EQ(run->retval, ebpf::hook_return(ebpf::Hook::Xdp, vm)) << frame.what << " with a budget of " << budget;
        }
    }
}

// The kernel takes at most 64 maps per program: past SetMapOptions::max_maps, sets are trees and
// tuple sets comparisons, with the same answers.
TEST_F(SetMapPrograms, PastTheMapBudgetSetsAreCompared) {
    std::string sources, ports;
    for (int i = 0; i < 300; ++i) {
        const std::array<std::uint32_t, 4> a = {0x20010db8, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(rng()), 5};
        sources += fmt::format("{}ip6 src host {}", i ? " or " : "", ipv6_text(a));
        ports += fmt::format(" or port {}", 1000 + 3 * i);
    }
    // Two words vary (the second and third): two tuple maps; then one hash, one bitmap.
    const std::string expr = "(" + sources + ") or (" + host_list(300) + ")" + ports;
    std::vector<Frame> frames;
    for (int i = 0; i < 300; i += 23) {
        Frame f = ipv6_words({0x20010db8, static_cast<std::uint32_t>(i), 0, 5}, {0x20010db8, 9, 9, 9});
        frames.push_back(f);
        f.bytes.resize(14 + 8 + 8 + static_cast<std::size_t>(i % 8));  // cut inside the source's words
        frames.push_back(f);
        frames.push_back(ipv4(host_address(i), 0xc0000201, 6, 1, 2));
        frames.push_back(ipv4(0xc0000202, 0xc0000201, 17, 7, static_cast<std::uint16_t>(1000 + 3 * i)));
        frames.push_back(ipv4(0xc0000202, 0xc0000201, 17, 7, static_cast<std::uint16_t>(1001 + 3 * i)));
    }
    auto classic = sniff::compile(expr, {.dlt = 1, .snaplen = kSnaplen});
    ASSERT_TRUE(classic);
    for (std::size_t budget : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}}) {
        for (ebpf::Hook hook : {ebpf::Hook::Socket, ebpf::Hook::Xdp}) {
            SCOPED_TRACE(fmt::format("budget {} at {}", budget, ebpf::hook_name(hook)));
            ebpf::Filter f = compiled(expr, hook, {.from_ranges = 64, .max_maps = budget});
            EXPECT_LE(f.maps.size(), budget);
            if (budget == 4) {
                EXPECT_EQ(f.maps.size(), 4u);
            }
            auto loaded = ebpf::load(f, hook);
            ASSERT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log;
            std::size_t matches = 0;
            for (const Frame& frame : frames) {
                if (!ebpf::test_runnable(hook, frame.bytes)) continue;
                const std::uint32_t vm = cbpf::run(*classic, frame.bytes, static_cast<std::uint32_t>(frame.bytes.size()));
                auto run = ebpf::test_run(*loaded, frame.bytes);
                ASSERT_TRUE(run) << run.error().message;
                matches += vm != 0;
                ASSERT_EQ(run->retval, ebpf::hook_return(hook, vm)) << frame.what;
            }
            EXPECT_GT(matches, 0u);
        }
    }
    // The default budget leaves --xdp-drop's two maps room under the kernel's 64.
    EXPECT_EQ(sniff::SetMapOptions::kDefaultMaxMaps + 2, 64u);
}

// The figure: 100,000 addresses compile, load and run.
TEST_F(SetMapPrograms, HundredThousandHosts) {
    const std::string expr = host_list(100000);
    for (const auto& [hook, in_object] : {std::pair{ebpf::Hook::Socket, false}, std::pair{ebpf::Hook::Xdp, false}, std::pair{ebpf::Hook::Xdp, true}}) {
        ebpf::Filter f = compiled(expr, hook, {.in_object = in_object});
        ASSERT_EQ(f.maps.size(), 1u);
        EXPECT_EQ(f.maps[0].entries(), in_object ? 1u : 99999u);
        EXPECT_LT(f.insns.size(), in_object ? 600u : 100u);  // four searches of 17 steps (IPv4 and ARP, source and destination)
        auto loaded = ebpf::load(f, hook);
        ASSERT_TRUE(loaded) << loaded.error().message;
        struct Probe {
            std::uint32_t address;
            bool match;
        };
        for (auto [address, match] : {Probe{host_address(0), true}, Probe{host_address(99999), true}, Probe{host_address(99999) + 1, false},
                                      Probe{host_address(50000), true}, Probe{host_address(50000) - 1, false}, Probe{0x0a000000, false},
                                      Probe{0x0b000001, false}}) {
            auto run = ebpf::test_run(*loaded, ipv4(address, 0xc0000201, 6, 1, 2).bytes);
            ASSERT_TRUE(run) << run.error().message;
            EXPECT_EQ(run->retval, ebpf::hook_return(hook, match ? kSnaplen : 0)) << fmt::format("{:#x}", address);
        }
    }
}

}  // namespace
