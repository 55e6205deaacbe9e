// sniff compiling for a capture file (-r, CompileOptions::savefile) against libpcap compiling on
// that file's own offline handle (pcap_open_offline, as tcpdump -r does), file by file over
// captures/ and the shared corpus: the same verdict on every packet and on packets mutated towards
// each comparison, the file's snapshot length as the accept value, and the same refusals.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "packet_corpus.hpp"

namespace {

namespace fs = std::filesystem;
using testing_support::StoredPacket;

// Primitives whose code depends on the link type's protocol field, and the ones that need the
// kernel's packet metadata, which libpcap compiles differently for a savefile.
const char* const kExpressions[] = {
    "ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "not ip6", "ip or ip6", "ip6 and udp",
    "host ::1", "host 127.0.0.1", "net 10.0.0.0/8", "port 53", "tcp port 443", "udp port 443 or udp port 53",
    "proto 58", "ip6 proto 17", "ip6 multicast", "ip6[6] = 58", "inbound", "outbound", "not inbound",
    "ifindex 1", "ifindex 2 or ip6",
};

std::vector<fs::path> capture_files() {
    std::vector<fs::path> files;
    for (const std::string& dir : {(fs::path(testing_support::source_root()) / "captures").string(), testing_support::shared_corpus_dir()}) {
        if (dir.empty()) continue;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".pcap" || e.path().extension() == ".pcapng") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

cbpf::Program to_program(const bpf_program& bp) {
    cbpf::Program p;
    for (u_int i = 0; i < bp.bf_len; ++i) p.push_back({bp.bf_insns[i].code, bp.bf_insns[i].jt, bp.bf_insns[i].jf, bp.bf_insns[i].k});
    return p;
}

std::uint32_t run_libpcap(const bpf_program& bp, const StoredPacket& p) {
    return bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
}

struct Tally {
    std::size_t files = 0, compiled = 0, verdicts = 0, refused_alike = 0, mismatches = 0;
};

void check_file(const fs::path& path, Tally& tally) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* handle = pcap_open_offline(path.c_str(), err);
    if (!handle) return;
    const int dlt = pcap_datalink(handle);
    if (!sniff::find_link_type(dlt)) {
        pcap_close(handle);
        return;
    }
    ++tally.files;
    std::vector<StoredPacket> packets;
    pcap_pkthdr* hdr;
    const u_char* data;
    while (packets.size() < 200 && pcap_next_ex(handle, &hdr, &data) == 1)
        packets.push_back({fmt::format("{}#{}", path.filename().string(), packets.size()), {data, data + hdr->caplen}, hdr->len});
    const sniff::CompileOptions options{.dlt = dlt,
                                        .snaplen = static_cast<std::uint32_t>(pcap_snapshot(handle)),
                                        .netmask = 0,
                                        .savefile = sniff::SavefileContext{pcap_is_swapped(handle) == 1}};
    for (const char* expr : kExpressions) {
        SCOPED_TRACE(fmt::format("'{}' on {} (link type {}, {} byte order)", expr, path.filename().string(), dlt,
                                 options.savefile->swapped ? "swapped" : "host"));
        auto ours = sniff::compile(expr, options);
        bpf_program bp{};
        if (pcap_compile(handle, &bp, expr, 1, 0) != 0) {
            // Where libpcap refuses a primitive for being read from a file, sniff says the same.
            std::string theirs = pcap_geterr(handle);
            if (theirs.find("when reading savefiles") != std::string::npos) {
                ++tally.refused_alike;
                EXPECT_FALSE(ours.has_value()) << "libpcap: " << theirs;
                if (!ours) {
                    EXPECT_EQ(ours.error().message, theirs);
                }
            }
            continue;
        }
        if (!ours) {
            // sniff refuses what can never match on this link type (README: deliberate differences).
            EXPECT_NE(ours.error().message.find("rejects all packets"), std::string::npos) << ours.error().message;
            for (const auto& p : packets) EXPECT_EQ(run_libpcap(bp, p), 0u) << p.origin;
            pcap_freecode(&bp);
            continue;
        }
        ++tally.compiled;
        std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*ours, to_program(bp)}, 8, 1);
        int reported = 0;
        for (const auto* set : {&packets, &mutated})
            for (const auto& p : *set) {
                ++tally.verdicts;
                const std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length), theirs = run_libpcap(bp, p);
                if (mine != theirs) {
                    ++tally.mismatches;
                    if (reported++ < 2) ADD_FAILURE() << fmt::format("{}: sniff {}, libpcap {}", p.origin, mine, theirs);
                }
            }
        pcap_freecode(&bp);
    }
    pcap_close(handle);
}

TEST(Savefile, CompilesAsLibpcapDoesOnTheFilesOwnHandle) {
    Tally tally;
    for (const auto& f : capture_files()) check_file(f, tally);
    std::printf("%zu files, %zu programs compared, %zu verdicts, %zu refused alike for a savefile, %zu mismatches\n", tally.files,
                tally.compiled, tally.verdicts, tally.refused_alike, tally.mismatches);
    EXPECT_GT(tally.refused_alike, 0u);
    EXPECT_EQ(tally.mismatches, 0u);
}

// The reported cases, one row each: NULL captures whose IPv6 family is a BSD's (24, 28, 30) and
// whose byte order is the writer's, not this host's.
struct NullRow {
    const char* file;
    const char* expr;
    std::size_t matches;  // what tcpdump -r FILE EXPR counts
};

TEST(Savefile, NullCapturesMatchWhatTcpdumpMatches) {
    const NullRow rows[] = {
        {"captures/protocols-null.pcap", "ip6", 1},    {"captures/protocols-null.pcap", "ip", 1},
        {"captures/protocols-null-be.pcap", "ip", 1},  {"captures/protocols-null-be.pcap", "ip6", 1},
        {"captures/protocols-null-be.pcap", "udp", 1}, {"captures/protocols-null-be.pcap", "host ::1", 1},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(fmt::format("'{}' on {}", row.expr, row.file));
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* handle = pcap_open_offline((fs::path(testing_support::source_root()) / row.file).c_str(), err);
        ASSERT_NE(handle, nullptr) << err;
        auto prog = sniff::compile(row.expr, {.dlt = pcap_datalink(handle), .savefile = sniff::SavefileContext{pcap_is_swapped(handle) == 1}});
        ASSERT_TRUE(prog) << prog.error().message;
        std::size_t matched = 0;
        pcap_pkthdr* hdr;
        const u_char* data;
        while (pcap_next_ex(handle, &hdr, &data) == 1) matched += cbpf::run(*prog, {data, hdr->caplen}, hdr->len) != 0;
        pcap_close(handle);
        EXPECT_EQ(matched, row.matches);
    }
}

// Live and -y programs test this host's AF_INET6 (Linux: 10) in this host's byte order.
TEST(Savefile, DeadHandleKeepsTheHostsFamily) {
    for (int dlt : {DLT_NULL, DLT_LOOP}) {
        pcap_t* dead = pcap_open_dead(dlt, 262144);
        bpf_program bp{};
        ASSERT_EQ(pcap_compile(dead, &bp, "ip6", 1, 0), 0);
        auto ours = sniff::compile("ip6", {.dlt = dlt});
        ASSERT_TRUE(ours);
        EXPECT_EQ(*ours, to_program(bp)) << "link type " << dlt;
        pcap_freecode(&bp);
        pcap_close(dead);
        auto file = sniff::compile("ip6", {.dlt = dlt, .savefile = sniff::SavefileContext{}});
        ASSERT_TRUE(file);
        EXPECT_NE(*file, *ours) << "a savefile tests the BSD values";
    }
}

}  // namespace
