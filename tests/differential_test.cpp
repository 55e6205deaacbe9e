// sniff vs libpcap: the same expression compiled by both, run over the same packets (captures/,
// the shared tcpdump corpus when present, and mutated packets); every verdict must agree.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/compile.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"
#include "differential_expressions.hpp"
#include "libpcap_programs.hpp"
#include "packet_corpus.hpp"

namespace {

using testing_support::fix_protochain_auth_step;
using testing_support::link_type_name;
using testing_support::to_insns;
using testing_support::to_program;

using testing_support::StoredPacket;

constexpr std::uint32_t kSnaplen = 262144;

using differential_cases::kArithmetic;
using differential_cases::kEthernetOnly;
using differential_cases::kExpressions;
using differential_cases::kLinkTypes;
using differential_cases::kPflog;
using differential_cases::kArcnet;
using differential_cases::kWireless;

struct Compiled {
    cbpf::Program sniff;
    std::vector<bpf_program> pcap;  // optimised and unoptimised
};

class Differential : public ::testing::TestWithParam<int> {};

TEST_P(Differential, SniffAgreesWithLibpcapOnEveryPacket) {
    const int dlt = GetParam();
    std::vector<StoredPacket> packets = testing_support::packets_for_link_type(dlt, true);
    // Under the sanitizers (test.sh sets SNIFF_SANITIZED) the same checks run on fewer packets:
    // every fourth, fewer mutation seeds and one round of path mutations. The release run does all.
    const bool sanitized = std::getenv("SNIFF_SANITIZED") != nullptr;
    if (sanitized) {
        std::vector<StoredPacket> some;
        for (std::size_t i = 0; i < packets.size(); i += 4) some.push_back(std::move(packets[i]));
        packets = std::move(some);
    }
    if (dlt == DLT_LOOP) {
        // No LOOP captures around: NULL ones with the address family in network byte order are.
        for (auto p : testing_support::packets_for_link_type(DLT_NULL, true)) {
            if (p.bytes.size() >= 4) std::reverse(p.bytes.begin(), p.bytes.begin() + 4);
            p.origin += " (as LOOP)";
            packets.push_back(std::move(p));
        }
    }
    if (testing_support::shared_corpus_dir().empty())
        std::printf("note: no shared corpus (../shared/corpus/tcpdump-tests absent, or SNIFF_CORPUS=none); using captures/ only\n");
    pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
    ASSERT_NE(dead, nullptr);

    std::size_t checks = 0, mismatches = 0, compared_exprs = 0, libpcap_split = 0, refused = 0, libpcap_invalid = 0, beyond_libpcap = 0,
                deeper_chains = 0, deeper_libpcap_keeps = 0;
    std::vector<const char*> expressions(std::begin(kExpressions), std::end(kExpressions));
    expressions.insert(expressions.end(), std::begin(kArithmetic), std::end(kArithmetic));
    expressions.insert(expressions.end(), std::begin(kEthernetOnly), std::end(kEthernetOnly));
    expressions.insert(expressions.end(), std::begin(kWireless), std::end(kWireless));
    expressions.insert(expressions.end(), std::begin(kPflog), std::end(kPflog));
    expressions.insert(expressions.end(), std::begin(kArcnet), std::end(kArcnet));
    expressions.insert(expressions.end(), std::begin(differential_cases::kSs7), std::end(differential_cases::kSs7));
    expressions.insert(expressions.end(), std::begin(differential_cases::kSunAtm), std::end(differential_cases::kSunAtm));
    // Long enough that branches must reach past 255 instructions (trampolines).
    static std::string long_filter = [] {
        std::string t = "host 10.0.0.1";
        for (int i = 0; i < 40; ++i) t += " or host 192.168.1." + std::to_string(i * 3) + " or port " + std::to_string(1000 + i);
        return t + " or net 172.16.0.0/12";
    }();
    expressions.push_back(long_filter.c_str());
    for (const char* expr : expressions) {
        auto ours = sniff::compile(expr, {dlt, kSnaplen});
        if (!ours && (ours.error().message.find("on link type") != std::string::npos ||
                      ours.error().message.find("rejects all packets") != std::string::npos)) {
            // Deliberate: a protocol this link type cannot carry is refused, where libpcap
            // compiles a program that never matches or refuses too (README, "Deliberate differences").
            ++refused;
            bpf_program bp{};
            if (pcap_compile(dead, &bp, testing_support::libpcap_spelling(expr).c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
                for (const auto& p : packets)
                    EXPECT_EQ(bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size())), 0u)
                        << expr << " was refused by sniff (" << ours.error().message << ") but matches " << p.origin;
                pcap_freecode(&bp);
            }
            continue;
        }
        ASSERT_TRUE(ours.has_value()) << expr << ": " << ours.error().message;
        auto ours_plain = sniff::compile(expr, {dlt, kSnaplen, false});  // -O: no optimizer
        ASSERT_TRUE(ours_plain.has_value()) << expr << ": " << ours_plain.error().message;
        std::vector<cbpf::Program> theirs;
        // libpcap refuses protochain behind variable-length headers (802.11, pflog); sniff walks it there
        // too (README). Nothing to compare with.
        if (std::strstr(expr, "protochain") && (sniff::find_link_type(dlt)->wlan() || dlt == DLT_PFLOG)) {
            ++beyond_libpcap;
            continue;
        }
        for (int optimize : {1, 0}) {
            bpf_program bp{};
            // `byte N & V` as libpcap spells it now (README, "Deliberate differences").
            const std::string theirs_text = testing_support::libpcap_spelling(expr);
            ASSERT_EQ(pcap_compile(dead, &bp, theirs_text.c_str(), optimize, PCAP_NETMASK_UNKNOWN), 0) << theirs_text << ": " << pcap_geterr(dead);
            theirs.push_back(to_program(bp));
            if (std::strstr(expr, "protochain")) fix_protochain_auth_step(theirs.back());
            pcap_freecode(&bp);
        }
        // libpcap's unusable programs (testing_support::unusable_reference): nothing to match.
        auto problem0 = testing_support::unusable_reference(theirs[0]), problem1 = testing_support::unusable_reference(theirs[1]);
        if (problem0.has_value() != problem1.has_value()) {
            std::printf("note: libpcap's %s program for '%.60s' is invalid (%s); compared with the other\n",
                        problem0 ? "optimised" : "-O", expr, (problem0 ? *problem0 : *problem1).c_str());
            theirs[problem0 ? 0 : 1] = theirs[problem0 ? 1 : 0];
        } else if (problem0) {
            ++libpcap_invalid;
            std::printf("note: libpcap's programs for '%.60s' are invalid (%s); not compared\n", expr, problem0->c_str());
            continue;
        }
        std::vector<cbpf::Program> all = theirs;
        all.push_back(*ours);
        std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, all, sanitized ? 50 : 300, sanitized ? 1 : 2);
        ++compared_exprs;
        int reported = 0;
        const bool is_protochain = std::strstr(expr, "protochain") != nullptr;
        for (const auto* set : {&packets, &mutated}) {
            for (const auto& p : *set) {
                std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
                std::uint32_t mine_plain = cbpf::run(*ours_plain, p.bytes, p.wire_length);
                if (mine_plain != mine) {
                    ++mismatches;
                    if (reported++ < 3)
                        ADD_FAILURE() << fmt::format("'{}' on {}: sniff {} but sniff -O {}", expr, p.origin, mine, mine_plain);
                }
                std::uint32_t ref[2];
                for (std::size_t v = 0; v < 2; ++v) {
                    std::vector<bpf_insn> insns;
                    for (const auto& in : theirs[v]) insns.push_back({in.code, in.jt, in.jf, in.k});
                    ref[v] = bpf_filter(insns.data(), p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
                }
                ++checks;
                // A header chain longer than sniff unrolls: sniff rejects the packet, libpcap walks
                // on (README: "Deliberate differences"). Exactly the packets on which libpcap's loop
                // stepped over more headers than that; everything else is compared.
                if (is_protochain && testing_support::libpcap_loop_steps(theirs[0], p) > sniff::ir::kProtochainMaxHeaders) {
                    ++deeper_chains;
                    deeper_libpcap_keeps += ref[0] != 0;
                    if (mine != 0) {
                        ++mismatches;
                        if (reported++ < 3)
                            ADD_FAILURE() << fmt::format("'{}' on {}: the chain is deeper than sniff walks, but sniff returned {}",
                                                         expr, p.origin, mine);
                    }
                    continue;
                }
                // libpcap's optimizer drops or merges loads, so on packets cut short inside a header
                // its optimised and unoptimised programs can disagree with each other; there either
                // answer is libpcap's (README: "Deliberate differences").
                if (ref[0] != ref[1]) {
                    ++libpcap_split;
                    if (mine == ref[0] || mine == ref[1]) continue;
                }
                if (mine != ref[0]) {
                    ++mismatches;
                    if (reported++ < 3)
                        ADD_FAILURE() << fmt::format("'{}' on {} (caplen {}, len {}): sniff {}, libpcap {} (-O: {})\nsniff program:\n{}",
                                                     expr, p.origin, p.bytes.size(), p.wire_length, mine, ref[0], ref[1],
                                                     cbpf::dump(*ours, 1));
                }
            }
        }
    }
    pcap_close(dead);
    std::printf("link type %d: %zu expressions (%zu refused as meaningless on it, %zu where libpcap's program is invalid, "
                "%zu that libpcap cannot compile), %zu packets (+ mutations), %zu verdicts compared, %zu mismatches, %zu where "
                "libpcap's -O and optimised programs disagree, %zu protochain walks deeper than sniff's %u headers (sniff rejects; "
                "libpcap keeps %zu)\n",
                dlt, compared_exprs, refused, libpcap_invalid, beyond_libpcap, packets.size(), checks, mismatches, libpcap_split,
                deeper_chains, sniff::ir::kProtochainMaxHeaders, deeper_libpcap_keeps);
    EXPECT_EQ(mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, Differential, ::testing::ValuesIn(kLinkTypes),
                         [](const auto& info) { return link_type_name(info.param); });

// protochain, walked by sniff's unrolled program and by libpcap's loop (through bpf_filter), on
// crafted chains: 0 to 20 headers of each kind libpcap steps over (hop-by-hop, destination
// options, routing, fragment, AH) and mixed, ended by protocols it stops at (TCP, UDP,
// no-next-header, ESP, mobility, HIP); headers it does not follow in the middle; chains around
// sniff's unroll depth; IPv4 with AH. Every packet is also cut short at every length. One row
// per packet; each is checked with every expression.
struct ChainHeader {
    std::uint8_t type;
    std::uint8_t length;  // the length byte as sent: (length + 1) * 8 bytes, AH (length + 2) * 4
    std::uint8_t reserved = 0;  // the byte after it (the fragment header's reserved byte)
};

struct ChainRow {
    std::string name;
    bool ipv6;
    std::vector<ChainHeader> chain;
    std::uint8_t last;  // the protocol after the chain
    std::uint8_t ipv4_words = 5;
    std::uint16_t ipv4_fragment = 0;  // flags and offset (protochain looks at neither)
};

// The IP packet of a row: the IP header, each header of the chain (its next-header byte naming
// the one after), then 20 bytes of the last protocol. A header that is not followed still
// names TCP as its next one, so a walk that went through it would be caught.
std::vector<std::uint8_t> chain_packet(const ChainRow& row) {
    std::vector<std::uint8_t> body;
    for (std::size_t i = 0; i < row.chain.size(); ++i) {
        const ChainHeader& h = row.chain[i];
        const std::size_t size = h.type == 51 ? (h.length + 2u) * 4u : (h.length + 1u) * 8u;
        std::vector<std::uint8_t> bytes(size, static_cast<std::uint8_t>(0xa0 + i % 16));
        bytes[0] = i + 1 < row.chain.size() ? row.chain[i + 1].type : row.last;
        bytes[1] = h.length;
        bytes[2] = h.reserved;
        body.insert(body.end(), bytes.begin(), bytes.end());
    }
    const std::uint8_t first = row.chain.empty() ? row.last : row.chain.front().type;
    for (int i = 0; i < 20; ++i) body.push_back(static_cast<std::uint8_t>(i == 0 ? 6 : 0x11 * i));
    std::vector<std::uint8_t> ip;
    if (row.ipv6) {
        ip = {0x60, 0, 0, 0, static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size()), first, 64};
        for (int i = 0; i < 32; ++i) ip.push_back(static_cast<std::uint8_t>(i < 16 ? 0x20 + i : 0x30 + i));
    } else {
        const std::size_t header = row.ipv4_words * 4u, total = std::max<std::size_t>(header, 20) + body.size();
        ip = {static_cast<std::uint8_t>(0x40 | row.ipv4_words), 0, static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total),
              0, 1, static_cast<std::uint8_t>(row.ipv4_fragment >> 8), static_cast<std::uint8_t>(row.ipv4_fragment), 64, first, 0, 0,
              10, 0, 0, 1, 10, 0, 0, 2};
        ip.resize(std::max<std::size_t>(header, 20), 0x01);  // options (NOPs)
    }
    ip.insert(ip.end(), body.begin(), body.end());
    return ip;
}

// The same IP packet behind each link type's header.
std::vector<std::uint8_t> framed(int dlt, bool ipv6, const std::vector<std::uint8_t>& ip) {
    std::vector<std::uint8_t> out;
    const std::uint8_t type_hi = ipv6 ? 0x86 : 0x08, type_lo = ipv6 ? 0xdd : 0x00;
    if (dlt == DLT_EN10MB) out = {0, 1, 2, 3, 4, 5, 2, 0, 0, 0, 0, 1, type_hi, type_lo};
    if (dlt == DLT_LINUX_SLL) out = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, type_hi, type_lo};
    out.insert(out.end(), ip.begin(), ip.end());
    return out;
}

std::vector<ChainRow> chain_rows() {
    std::vector<ChainRow> rows;
    const std::uint8_t followed[] = {0, 60, 43, 44, 51};
    const std::uint8_t lasts[] = {6, 17, 59, 50, 135};
    for (std::uint8_t type : followed) {
        for (std::uint8_t last : lasts) {
            for (unsigned n = 0; n <= 20; ++n) {
                ChainRow row{fmt::format("IPv6, {} x header {} then {}", n, type, last), true, {}, last};
                for (unsigned i = 0; i < n; ++i)
                    row.chain.push_back({type, static_cast<std::uint8_t>(type == 51 ? 1 + i % 3 : type == 44 ? 0 : i % 3)});
                rows.push_back(row);
            }
        }
    }
    // Mixed chains, with lengths that vary, and a fragment header whose reserved length byte is
    // not zero (libpcap adds it like any other length).
    for (unsigned n = 1; n <= 20; ++n) {
        ChainRow row{fmt::format("IPv6, {} mixed headers then TCP", n), true, {}, 6};
        for (unsigned i = 0; i < n; ++i) {
            const std::uint8_t type = followed[(i * 3 + n) % 5];
            row.chain.push_back({type, static_cast<std::uint8_t>(type == 51 ? 4 : (i + n) % 4), static_cast<std::uint8_t>(i)});
        }
        rows.push_back(row);
    }
    rows.push_back({"IPv6, fragment header with length byte 2", true, {{44, 2}}, 6});
    rows.push_back({"IPv6, fragment header with length byte 255", true, {{44, 255}}, 17});
    // Headers libpcap does not step over, even with a next-header byte: ESP, mobility, HIP, shim6,
    // experimental, no-next-header, and an unassigned number.
    for (std::uint8_t stop : {50, 135, 139, 140, 253, 254, 59, 200}) {
        rows.push_back({fmt::format("IPv6, header {} (not followed) then TCP", stop), true, {{stop, 0}}, 6});
        rows.push_back({fmt::format("IPv6, hop-by-hop, header {} (not followed) then TCP", stop), true, {{0, 0}, {stop, 1}}, 6});
    }
    // Around sniff's unroll depth (ir::kProtochainMaxHeaders): deeper chains are the documented difference.
    for (unsigned n : {sniff::ir::kProtochainMaxHeaders - 1, sniff::ir::kProtochainMaxHeaders, sniff::ir::kProtochainMaxHeaders + 1,
                       sniff::ir::kProtochainMaxHeaders + 2, sniff::ir::kProtochainMaxHeaders + 20}) {
        for (std::uint8_t type : {0, 51}) {
            ChainRow row{fmt::format("IPv6, {} x header {} then UDP", n, type), true, {}, 17};
            for (unsigned i = 0; i < n; ++i) row.chain.push_back({type, 0});
            rows.push_back(row);
        }
        ChainRow v4{fmt::format("IPv4, {} x AH then UDP", n), false, {}, 17};
        for (unsigned i = 0; i < n; ++i) v4.chain.push_back({51, 1});
        rows.push_back(v4);
    }
    // IPv4: AH chains behind headers of 20 and 24 bytes (options), and a header length below
    // the minimum (libpcap reads the chain from where the length says). Nothing but AH is followed.
    for (std::uint8_t words : {5, 6, 3}) {
        for (std::uint8_t last : {6, 17, 59, 50, 0, 44}) {
            for (unsigned n = 0; n <= 20; ++n) {
                ChainRow row{fmt::format("IPv4 ({} words), {} x AH then {}", words, n, last), false, {}, last, words};
                for (unsigned i = 0; i < n; ++i) row.chain.push_back({51, static_cast<std::uint8_t>(i % 5)});
                rows.push_back(row);
            }
        }
        rows.push_back({fmt::format("IPv4 ({} words), hop-by-hop (not followed on IPv4) then TCP", words), false, {{0, 0}}, 6, words});
    }
    for (std::uint16_t fragment : {0x2000, 0x0010, 0x2010}) {
        rows.push_back({fmt::format("IPv4 fragment {:#x}, AH then TCP", fragment), false, {{51, 1}}, 6, 5, fragment});
        rows.push_back({fmt::format("IPv4 fragment {:#x}, UDP", fragment), false, {}, 17, 5, fragment});
    }
    return rows;
}

TEST(Protochain, WalksEveryCraftedChainAsLibpcapDoes) {
    const char* const expressions[] = {
        "ip6 protochain 6", "not protochain 6", "protochain 17", "ip6 protochain 0", "ip6 protochain 60", "ip6 protochain 43",
        "ip6 protochain 44", "ip6 protochain 51", "ip6 protochain 59", "ip6 protochain 50", "ip6 protochain 135",
        "ip protochain 6", "ip protochain 51", "ip protochain 0", "protochain 59", "ip6 protochain 51 and ip6 protochain 6",
        "tcp or protochain 17", "not ip protochain 17",
    };
    // The packets the differential test found: a cooked DHCP packet made IPv6, its zero bytes a
    // chain of 8-byte hop-by-hop headers deeper than sniff then walked (16).
    std::vector<std::pair<int, StoredPacket>> packets;
    for (const auto& p : testing_support::packets_for_link_type(DLT_LINUX_SLL, false)) {
        if (p.origin != "cooked.pcap#260") continue;
        for (auto [at, value] : {std::pair{57, 0x6}, {57, 0x7}, {65, 0x1}}) {
            StoredPacket q = p;
            q.bytes[14] = 0x86, q.bytes[15] = 0xdd, q.bytes[at] = static_cast<std::uint8_t>(value);
            q.origin += fmt::format("+path[14:2]=0x86dd+path[{}:1]={:#x}", at, value);
            packets.push_back({DLT_LINUX_SLL, q});
        }
    }
    ASSERT_EQ(packets.size(), 3u) << "captures/cooked.pcap#260 is missing";
    // Under the sanitizers (test.sh), every fourth length and the whole packet.
    const std::size_t cut_step = std::getenv("SNIFF_SANITIZED") ? 4 : 1;
    for (const ChainRow& row : chain_rows()) {
        const std::vector<std::uint8_t> ip = chain_packet(row);
        for (int dlt : {DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW}) {
            if (dlt != DLT_EN10MB && row.chain.size() > 20) continue;
            const std::vector<std::uint8_t> whole = framed(dlt, row.ipv6, ip);
            // Every length from the IP header's first byte on.
            std::vector<std::size_t> cuts;
            for (std::size_t cut = whole.size() - ip.size(); cut < whole.size(); cut += cut_step) cuts.push_back(cut);
            cuts.push_back(whole.size());
            for (std::size_t cut : cuts) {
                StoredPacket p{fmt::format("{} on {}, {} of {} bytes", row.name, link_type_name(dlt), cut, whole.size()),
                               std::vector<std::uint8_t>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut)),
                               static_cast<std::uint32_t>(whole.size())};
                packets.push_back({dlt, std::move(p)});
            }
        }
    }
    std::size_t compared = 0, matched = 0, deeper = 0, deeper_libpcap_keeps = 0, failures = 0;
    for (int dlt : {DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW}) {
        pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
        for (const char* expr : expressions) {
            auto ours = sniff::compile(expr, {dlt, kSnaplen});
            ASSERT_TRUE(ours) << expr << ": " << ours.error().message;
            ASSERT_TRUE(cbpf::validate(*ours)) << expr << ": sniff's program must load into the kernel";
            bpf_program bp{};
            ASSERT_EQ(pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN), 0) << expr << ": " << pcap_geterr(dead);
            cbpf::Program theirs = to_program(bp);
            pcap_freecode(&bp);
            fix_protochain_auth_step(theirs);  // README: libpcap's AH step, as RFC 4302 defines it
            std::vector<bpf_insn> insns;
            for (const auto& in : theirs) insns.push_back({in.code, in.jt, in.jf, in.k});
            for (const auto& [packet_dlt, p] : packets) {
                if (packet_dlt != dlt) continue;
                const std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
                std::uint32_t expected = bpf_filter(insns.data(), p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
                // Deeper than sniff unrolls: sniff rejects (README: "Deliberate differences").
                if (testing_support::libpcap_loop_steps(theirs, p) > sniff::ir::kProtochainMaxHeaders) {
                    ++deeper;
                    deeper_libpcap_keeps += expected != 0;
                    expected = 0;
                }
                ++compared;
                matched += mine != 0;
                if (mine != expected && failures++ < 10)
                    ADD_FAILURE() << fmt::format("'{}' on {} (caplen {}): sniff {}, libpcap {}", expr, p.origin, p.bytes.size(), mine,
                                                 expected);
            }
        }
        pcap_close(dead);
    }
    EXPECT_EQ(failures, 0u);
    // The rows reach both sides of the depth limit, and the difference there is real.
    EXPECT_GT(deeper, 0u);
    EXPECT_GT(deeper_libpcap_keeps, 0u);
    EXPECT_GT(matched, 0u);
    std::printf("protochain: %zu packets, %zu verdicts compared (%zu matched), %zu on chains deeper than %u headers, where libpcap "
                "kept %zu\n",
                packets.size(), compared, matched, deeper, sniff::ir::kProtochainMaxHeaders, deeper_libpcap_keeps);
}

// A filter with more walks than fit in 4,096 instructions at 64 headers each gets shorter walks
// (README): 32 headers for three unqualified protochains, 16 for seven. Up to that depth sniff
// agrees with libpcap; one header more and sniff rejects where libpcap keeps the packet.
TEST(Protochain, FiltersWithManyWalksUnrollFewerHeaders) {
    const std::pair<std::string, unsigned> filters[] = {
        {"protochain 6 or protochain 17", sniff::ir::kProtochainMaxHeaders},
        {"protochain 6 or protochain 17 or protochain 1", 32},
        {"protochain 1 or protochain 2 or protochain 3 or protochain 4 or protochain 5 or protochain 6 or protochain 17", 16},
    };
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
    for (const auto& [expr, depth] : filters) {
        auto ours = sniff::compile(expr, {DLT_EN10MB, kSnaplen});
        ASSERT_TRUE(ours) << expr << ": " << ours.error().message;
        bpf_program bp{};
        ASSERT_EQ(pcap_compile(dead, &bp, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
        cbpf::Program theirs = to_program(bp);
        pcap_freecode(&bp);
        fix_protochain_auth_step(theirs);  // README: libpcap's AH step, as RFC 4302 defines it
        std::vector<bpf_insn> insns;
        for (const auto& in : theirs) insns.push_back({in.code, in.jt, in.jf, in.k});
        for (unsigned n : {depth - 1, depth, depth + 1}) {
            for (bool ipv6 : {true, false}) {
                ChainRow row{"", ipv6, std::vector<ChainHeader>(n, ChainHeader{static_cast<std::uint8_t>(ipv6 ? 0 : 51), 0}), 17};
                const std::vector<std::uint8_t> frame = framed(DLT_EN10MB, ipv6, chain_packet(row));
                const auto size = static_cast<u_int>(frame.size());
                const bool libpcap_keeps = bpf_filter(insns.data(), frame.data(), size, size) != 0;
                const bool sniff_keeps = cbpf::run(*ours, frame, size) != 0;
                EXPECT_TRUE(libpcap_keeps) << expr << ", " << n << " headers";
                EXPECT_EQ(sniff_keeps, n <= depth) << expr << (ipv6 ? ", IPv6 " : ", IPv4 ") << n << " headers";
            }
        }
    }
    pcap_close(dead);
}

// libpcap steps over AH by setting the offset to AH's length instead of adding it (README,
// "Deliberate differences"): on IPv4 with AH then AH, it reads the second header's next-header
// byte from inside the first AH. sniff adds the length, as the rewritten program does.
TEST(Protochain, StepsOverAuthenticationHeadersByTheirLength) {
    // IPv4 (20 bytes), AH of 24 bytes (length byte 4), AH of 12 bytes, then TCP. libpcap's second
    // step reads at (4 + 2) * 4 = 24 from the IP header: byte 4 of the first AH, which says UDP.
    ChainRow row{"IPv4, AH, AH, TCP", false, {{51, 4}, {51, 1}}, 6};
    std::vector<std::uint8_t> ip = chain_packet(row);
    ip[20 + 4] = 17;
    const std::vector<std::uint8_t> frame = framed(DLT_EN10MB, false, ip);
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
    for (auto [expr, libpcap_keeps, sniff_keeps] : {std::tuple{"ip protochain 6", false, true}, {"ip protochain 17", true, false}}) {
        auto ours = sniff::compile(expr, {DLT_EN10MB, kSnaplen});
        ASSERT_TRUE(ours) << ours.error().message;
        bpf_program bp{};
        ASSERT_EQ(pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
        EXPECT_EQ(bpf_filter(bp.bf_insns, frame.data(), static_cast<u_int>(frame.size()), static_cast<u_int>(frame.size())) != 0,
                  libpcap_keeps)
            << expr << ": libpcap as it is";
        cbpf::Program rewritten = to_program(bp);
        fix_protochain_auth_step(rewritten);
        EXPECT_EQ(cbpf::run(*ours, frame, static_cast<std::uint32_t>(frame.size())) != 0, sniff_keeps) << expr << ": sniff";
        std::vector<bpf_insn> insns;
        for (const auto& in : rewritten) insns.push_back({in.code, in.jt, in.jf, in.k});
        EXPECT_EQ(cbpf::run(*ours, frame, static_cast<std::uint32_t>(frame.size())),
                  bpf_filter(insns.data(), frame.data(), static_cast<u_int>(frame.size()), static_cast<u_int>(frame.size())))
            << expr << ": sniff against libpcap with the AH step rewritten";
        pcap_freecode(&bp);
    }
    pcap_close(dead);
}

}  // namespace

namespace {

// ARCnet addresses (`ether host $1f`): sniff tests the byte the digits say. libpcap 1.10.3 tests
// 0xd0 | the first digit (it reads the '$' as a hex digit), so its programs for these are compared
// with what they mean, spelled with ether[] (README, "Deliberate differences"); one check pins
// libpcap's reading, so that a libpcap that fixes it shows here.
TEST(ArcnetAddresses, MeanTheByteTheirDigitsSay) {
    const std::pair<const char*, const char*> rows[] = {
        {"ether host $1f", "ether[0] = 0x1f or ether[1] = 0x1f"},
        {"ether src $be", "ether[0] = 0xbe"},
        {"ether dst $0", "ether[1] = 0"},
        {"ether src and dst $d1", "ether[0] = 0xd1 and ether[1] = 0xd1"},
        {"ether src or dst $50", "ether[0] = 0x50 or ether[1] = 0x50"},
        {"(ether host $50 or $1f) and ip", "(ether[0] = 0x50 or ether[1] = 0x50 or ether[0] = 0x1f or ether[1] = 0x1f) and ip"},
        {"not ether src $a", "not ether[0] = 0xa"},
        {"link dst $FF or broadcast", "ether[1] = 0xff or ether[1] = 0"},
    };
    for (int dlt : {7, 129}) {
        const std::vector<StoredPacket> packets = testing_support::packets_for_link_type(dlt, true);
        pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
        for (auto [ours_text, theirs_text] : rows) {
            SCOPED_TRACE(fmt::format("'{}' on {}", ours_text, link_type_name(dlt)));
            auto ours = sniff::compile(ours_text, {dlt, kSnaplen});
            ASSERT_TRUE(ours) << ours.error().message;
            bpf_program bp{};
            ASSERT_EQ(pcap_compile(dead, &bp, theirs_text, 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
            const std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*ours, to_program(bp)}, 100);
            std::size_t matched = 0;
            for (const auto* set : {&packets, &mutated})
                for (const auto& p : *set) {
                    const std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
                    ASSERT_EQ(mine, bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size())))
                        << p.origin;
                    matched += mine != 0;
                }
            EXPECT_GT(matched, 0u);
            pcap_freecode(&bp);
        }
        // libpcap's own reading: `$1f` is 0xd1 there.
        bpf_program bp{};
        ASSERT_EQ(pcap_compile(dead, &bp, "ether src $1f", 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
        std::vector<std::uint8_t> frame(40, 0);
        frame[0] = 0xd1;
        EXPECT_NE(bpf_filter(bp.bf_insns, frame.data(), 40, 40), 0u) << "libpcap 1.10.3 tests 0xd1 for $1f";
        frame[0] = 0x1f;
        EXPECT_EQ(bpf_filter(bp.bf_insns, frame.data(), 40, 40), 0u) << "libpcap 1.10.3 tests 0xd1 for $1f";
        EXPECT_NE(cbpf::run(*sniff::compile("ether src $1f", {dlt, kSnaplen}), frame, 40), 0u) << "sniff tests 0x1f";
        pcap_freecode(&bp);
        pcap_close(dead);
    }
}

// `ip broadcast` needs a netmask (tcpdump passes 0; a program using libpcap passes the
// interface's): with each, sniff and libpcap keep the same packets on each link type with IPv4.
TEST(IpBroadcast, FollowsTheNetmaskLikeLibpcap) {
    for (int dlt : {DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_IEEE802_11_RADIO}) {
        std::vector<StoredPacket> packets = testing_support::packets_for_link_type(dlt, true);
        pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
        EXPECT_FALSE(sniff::compile("ip broadcast", {.dlt = dlt, .netmask = PCAP_NETMASK_UNKNOWN})) << "libpcap's 'unknown'";
        for (std::uint32_t netmask : {0u, 0xffffff00u, 0xffff0000u, 0xfffffffeu}) {
            for (const char* expr : {"ip broadcast", "ip broadcast or arp", "not ip broadcast and udp"}) {
                SCOPED_TRACE(fmt::format("'{}' netmask {:#x} link type {}", expr, netmask, dlt));
                auto ours = sniff::compile(expr, {.dlt = dlt, .netmask = netmask});
                ASSERT_TRUE(ours) << ours.error().message;
                bpf_program bp{};
                ASSERT_EQ(pcap_compile(dead, &bp, expr, 1, netmask), 0) << pcap_geterr(dead);
                std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*ours, to_program(bp)}, 100);
                std::size_t matched = 0;
                for (const auto* set : {&packets, &mutated})
                    for (const auto& p : *set) {
                        std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
                        ASSERT_EQ(mine, bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size())))
                            << p.origin;
                        matched += mine != 0;
                    }
                EXPECT_GT(matched, 0u);
                pcap_freecode(&bp);
            }
        }
        pcap_close(dead);
    }
}

// Runs `body` in a child process with its own mount namespace, in which /etc is an overlay with
// `lines` appended to the named files, so names can be made up without touching the machine's
// files. The child reports (exit code, message); 77 means the namespace could not be made.
std::pair<int, std::string> with_private_etc(const std::vector<std::pair<std::string, std::string>>& lines,
                                             const std::function<std::pair<int, std::string>()>& body) {
    char dir[] = "/tmp/sniff-etc-XXXXXX";
    if (!mkdtemp(dir)) return {77, "mkdtemp failed"};
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return {1, "pipe failed"};
    pid_t pid = fork();
    if (pid < 0) return {1, "fork failed"};
    if (pid == 0) {
        close(pipe_fds[0]);
        auto finish = [&](int code, const std::string& message) {
            (void)!write(pipe_fds[1], message.data(), message.size());
            _exit(code);
        };
        std::string upper = std::string(dir) + "/upper", work = std::string(dir) + "/work";
        mkdir(upper.c_str(), 0755);
        mkdir(work.c_str(), 0755);
        if (unshare(CLONE_NEWNS) != 0) finish(77, fmt::format("unshare(CLONE_NEWNS): {}", std::strerror(errno)));
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) finish(77, "making / private failed");
        std::string options = "lowerdir=/etc,upperdir=" + upper + ",workdir=" + work;
        if (mount("overlay", "/etc", "overlay", 0, options.c_str()) != 0)
            finish(77, fmt::format("overlay on /etc: {}", std::strerror(errno)));
        for (const auto& [file, text] : lines) {
            FILE* f = std::fopen(("/etc/" + file).c_str(), "a");
            if (!f) finish(1, "cannot write /etc/" + file + " in the overlay");
            std::fputs(text.c_str(), f);
            std::fclose(f);
        }
        auto [code, message] = body();
        finish(code, message);
    }
    close(pipe_fds[1]);
    std::string message;
    char buf[512];
    for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<std::size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (!WIFEXITED(status)) return {1, "the child died: " + message};
    return {WEXITSTATUS(status), message};
}

// sniff's program for `ours` and libpcap's for `theirs` (the same expression, or what it means
// where libpcap refuses it) give the same verdict on every Ethernet sample, corpus and mutated
// packet, and match some. Runs in the child of with_private_etc.
std::pair<int, std::string> agree_on_ethernet(const std::vector<StoredPacket>& packets, const char* ours_text, const char* theirs_text) {
    auto ours = sniff::compile(ours_text, {DLT_EN10MB, kSnaplen});
    if (!ours) return {1, fmt::format("sniff, '{}': {}", ours_text, ours.error().message)};
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
    bpf_program bp{};
    if (pcap_compile(dead, &bp, theirs_text, 1, PCAP_NETMASK_UNKNOWN) != 0)
        return {1, fmt::format("libpcap, '{}': {}", theirs_text, pcap_geterr(dead))};
    const std::vector<StoredPacket> mutated = testing_support::mutate_towards(packets, {*ours, to_program(bp)}, 300);
    std::size_t compared = 0, matched = 0;
    for (const auto* set : {&packets, &mutated}) {
        for (const auto& p : *set) {
            std::uint32_t mine = cbpf::run(*ours, p.bytes, p.wire_length);
            std::uint32_t theirs = bpf_filter(bp.bf_insns, p.bytes.data(), p.wire_length, static_cast<u_int>(p.bytes.size()));
            if (mine != theirs)
                return {1, fmt::format("'{}' on {}: sniff {}, libpcap ('{}') {}", ours_text, p.origin, mine, theirs_text,
                                       static_cast<std::uint32_t>(theirs))};
            ++compared;
            matched += mine != 0;
        }
    }
    pcap_freecode(&bp);
    pcap_close(dead);
    if (matched == 0) return {1, fmt::format("'{}' matched no packet; the comparison proves little", ours_text)};
    return {0, fmt::format("'{}': {} packets agree, {} match\n", ours_text, compared, matched)};
}

// Ethernet packets, plus copies of every seventh with `mac` as the destination or the source
// (a gateway test needs both a MAC and later fields to match; mutation sets the later ones).
std::vector<StoredPacket> ethernet_packets_with_mac(const std::array<std::uint8_t, 6>& mac) {
    std::vector<StoredPacket> packets = testing_support::packets_for_link_type(DLT_EN10MB, true);
    for (std::size_t i = 0, n = packets.size(); i < n; i += 7) {
        if (packets[i].bytes.size() < 14) continue;
        StoredPacket p = packets[i];
        std::copy(mac.begin(), mac.end(), p.bytes.begin() + (i % 2 ? 0 : 6));
        p.origin += " (gateway MAC)";
        packets.push_back(std::move(p));
    }
    return packets;
}

// `gateway NAME` needs NAME in /etc/ethers and /etc/hosts. libpcap (built with IPv6) refuses
// `gateway`, so the oracle is its definition in pcap-filter(7), `ether host MAC and not host
// ADDR`, compiled by libpcap.
TEST(Gateway, MeansEtherHostAndNotHostAsLibpcapCompilesIt) {
    const std::vector<StoredPacket> packets = ethernet_packets_with_mac({0x02, 0, 0, 0, 0, 0x01});
    auto [code, message] = with_private_etc({{"ethers", "02:00:00:00:00:01 sniff-gw\n"}, {"hosts", "10.1.2.3 sniff-gw\n"}}, [&] {
        return agree_on_ethernet(packets, "gateway sniff-gw", "ether host 02:00:00:00:00:01 and not host 10.1.2.3");
    });
    if (code == 77) GTEST_SKIP() << "needs a private mount namespace: " << message;
    EXPECT_EQ(code, 0) << message;
    std::printf("%s", message.c_str());
}

// Every example of pcap-filter(7), names included: the hosts, networks and the gateway they name
// exist in a private /etc. The gateway examples are compared with their definition.
TEST(ManPage, EveryExampleAgreesWithLibpcapWithItsNamesDefined) {
    const std::vector<StoredPacket> packets = ethernet_packets_with_mac({0x02, 0, 0, 0, 0, 0x05});
    const std::vector<std::pair<std::string, std::string>> etc = {
        {"hosts", "10.1.1.1 sundown\n10.1.1.2 helios\n10.1.1.3 hot\n10.1.1.4 ace\n10.1.1.5 snup\n"},
        {"networks", "ucb-ether 128.32\nlocalnet 10.1\n"},
        {"ethers", "02:00:00:00:00:05 snup\n"}};
    const std::pair<const char*, const char*> examples[] = {
        {"host sundown", nullptr},
        {"host helios and (hot or ace)", nullptr},
        {"ip host ace and not helios", nullptr},
        {"net ucb-ether", nullptr},
        {"gateway snup and (port ftp or ftp-data)", "ether host 02:00:00:00:00:05 and not host 10.1.1.5 and (port ftp or ftp-data)"},
        {"ip and not net localnet", nullptr},
        {"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src and dst net localnet", nullptr},
        {"tcp[tcpflags] & (tcp-rst|tcp-ack) == (tcp-rst|tcp-ack)", nullptr},
        {"tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)", nullptr},
        {"gateway snup and ip[2:2] > 576", "ether host 02:00:00:00:00:05 and not host 10.1.1.5 and ip[2:2] > 576"},
        {"ether[0] & 1 = 0 and ip[16] >= 224", nullptr},
        {"icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", nullptr},
        {"icmp6[icmp6type] != icmp6-echo and icmp6[icmp6type] != icmp6-echoreply", nullptr},
    };
    auto [code, message] = with_private_etc(etc, [&]() -> std::pair<int, std::string> {
        std::string all;
        for (auto [ours, theirs] : examples) {
            auto [c, m] = agree_on_ethernet(packets, ours, theirs ? theirs : ours);
            if (c != 0) return {c, m};
            all += m;
        }
        return {0, all};
    });
    if (code == 77) GTEST_SKIP() << "needs a private mount namespace: " << message;
    EXPECT_EQ(code, 0) << message;
    std::printf("%s", message.c_str());
}

}  // namespace
