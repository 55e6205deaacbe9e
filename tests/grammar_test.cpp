// The whole pcap-filter grammar against libpcap, on every link type sniff supports:
// - the checklist (docs/grammar_checklist.md): each production of libpcap 1.10's grammar with an
//   example; sniff must accept exactly where libpcap accepts, and agree on every verdict;
// - the grammar's corners: every protocol qualifier with every direction, kind and value form,
//   generated; a sample on every run, all of them with SNIFF_GRAMMAR_CORNERS=all.
// Agreement follows tests/verdict_checker.hpp (the differential suite's rules).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "libpcap_programs.hpp"
#include "packet_corpus.hpp"
#include "verdict_checker.hpp"

namespace {

using testing_support::Acceptance;
using testing_support::Checker;
using testing_support::Counts;
using testing_support::kSnaplen;
using testing_support::link_type_name;

// ---- the checklist ----------------------------------------------------------------------------

enum class Status { Yes, Refused, Differs };

struct ChecklistRow {
    std::size_t line;         // in docs/grammar_checklist.md, for messages
    std::string production;
    std::string example;      // "" for the empty filter
    Status status;
    std::string reference;    // "libpcap equivalent: `…`" of a differs row, or ""
};

// The cells of a markdown table row; `\|` is a literal bar inside a cell.
std::vector<std::string> cells_of(std::string_view line) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
            cell += '|';
            ++i;
        } else if (line[i] == '|') {
            const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
            cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

std::string between_backticks(const std::string& text, std::size_t from = 0) {
    const auto b = text.find('`', from);
    const auto e = b == std::string::npos ? b : text.find('`', b + 1);
    return e == std::string::npos ? "" : text.substr(b + 1, e - b - 1);
}

std::vector<ChecklistRow> read_checklist() {
    std::ifstream in(testing_support::source_root() + "/docs/grammar_checklist.md");
    std::vector<ChecklistRow> rows;
    std::string line;
    bool in_table = false;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.starts_with("|---")) {
            in_table = true;
            continue;
        }
        if (!in_table || !line.starts_with("| ")) continue;
        const auto cells = cells_of(line);
        if (cells.size() != 4) {
            ADD_FAILURE() << "docs/grammar_checklist.md:" << n << ": a row needs 4 cells";
            continue;
        }
        ChecklistRow row{n, cells[0], cells[1] == "(empty)" ? "" : between_backticks(cells[1]), Status::Yes, {}};
        if (cells[2] == "refused") row.status = Status::Refused;
        else if (cells[2] == "differs") row.status = Status::Differs;
        else if (cells[2] != "yes") ADD_FAILURE() << "docs/grammar_checklist.md:" << n << ": status '" << cells[2] << "'";
        if (const auto at = cells[3].find("libpcap equivalent:"); at != std::string::npos) row.reference = between_backticks(cells[3], at);
        rows.push_back(std::move(row));
    }
    return rows;
}

const std::vector<ChecklistRow>& checklist() {
    static const std::vector<ChecklistRow> rows = read_checklist();
    return rows;
}

std::vector<int> supported_dlts() {
    std::vector<int> out;
    for (const auto& lt : sniff::link_types()) out.push_back(lt.dlt);
    return out;
}

bool libpcap_compiles(pcap_t* dead, const std::string& expr) {
    bpf_program bp{};
    const std::string spelled = testing_support::libpcap_spelling(expr);
    if (pcap_compile(dead, &bp, spelled.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) return false;
    pcap_freecode(&bp);
    return true;
}

// Whether the checklist's claims hold: a `yes` row compiles with libpcap somewhere, a `refused`
// row nowhere (with sniff nowhere either); a `differs` row that names a libpcap equivalent
// compiles with sniff somewhere, and its equivalent with libpcap.
TEST(GrammarChecklist, EachRowSaysWhatLibpcapDoes) {
    ASSERT_GT(checklist().size(), 300u) << "docs/grammar_checklist.md is missing or cut short";
    std::set<std::string> seen;
    for (const auto& row : checklist()) {
        SCOPED_TRACE(fmt::format("docs/grammar_checklist.md:{}: '{}'", row.line, row.example));
        EXPECT_TRUE(seen.insert(row.example).second) << "the example appears twice";
        bool libpcap_anywhere = false, sniff_anywhere = false, reference_anywhere = false;
        for (int dlt : supported_dlts()) {
            pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
            libpcap_anywhere |= libpcap_compiles(dead, row.example);
            reference_anywhere |= !row.reference.empty() && libpcap_compiles(dead, row.reference);
            pcap_close(dead);
            sniff_anywhere |= sniff::compile(row.example, {dlt, kSnaplen}).has_value();
        }
        switch (row.status) {
            case Status::Yes: EXPECT_TRUE(libpcap_anywhere) << "a 'yes' row that libpcap refuses on every link type"; break;
            case Status::Refused:
                EXPECT_FALSE(libpcap_anywhere) << "a 'refused' row that libpcap compiles";
                EXPECT_FALSE(sniff_anywhere) << "a 'refused' row that sniff compiles";
                break;
            case Status::Differs:
                if (row.reference.empty()) break;
                EXPECT_TRUE(sniff_anywhere) << "a 'differs' row with a libpcap equivalent that sniff refuses everywhere";
                EXPECT_TRUE(reference_anywhere) << "its libpcap equivalent does not compile";
                break;
        }
    }
}

class Grammar : public ::testing::TestWithParam<int> {};

std::string acceptance_name(Acceptance a) {
    switch (a) {
        case Acceptance::Both: return "both compile it";
        case Acceptance::Neither: return "both refuse it";
        case Acceptance::OnlySniff: return "sniff compiles it, libpcap refuses it";
        case Acceptance::OnlyLibpcap: return "libpcap compiles it, sniff refuses it";
        case Acceptance::SniffRefusesMeaningless: return "sniff refuses it as matching nothing";
    }
    return "";
}

// One pass of expressions through the checker: verdicts must agree, and so must acceptance
// unless `differs(i)`. Returns the acceptance counts by kind, for the report.
std::map<Acceptance, std::size_t> sweep(int dlt, const std::vector<std::string>& exprs, const std::vector<std::string>& references,
                                        const std::function<bool(std::size_t)>& differs, const std::function<std::string(std::size_t)>& where,
                                        Counts& counts) {
    const bool sanitized = std::getenv("SNIFF_SANITIZED") != nullptr;
    const testing_support::LinkPackets packets = testing_support::load_packets(dlt, sanitized ? 24 : 64);
    pcap_t* dead = pcap_open_dead(dlt, kSnaplen);
    Checker checker{packets, dead, sanitized, 0, counts};
    std::map<Acceptance, std::size_t> by_kind;
    std::size_t refused_reports = 0;
    for (std::size_t i = 0; i < exprs.size(); ++i) {
        std::mt19937_64 rng(i * 7919 + static_cast<std::uint64_t>(dlt));
        // A libpcap equivalent stands in for the expression where sniff compiles it; where sniff
        // refuses it, libpcap's own reading of the expression is what to check against.
        const bool use_reference = !references[i].empty() && sniff::compile(exprs[i], {dlt, kSnaplen}).has_value();
        checker.check(exprs[i], rng, where(i), use_reference ? references[i].c_str() : nullptr);
        ++by_kind[checker.last_acceptance];
        const bool disagree = checker.last_acceptance == Acceptance::OnlySniff || checker.last_acceptance == Acceptance::OnlyLibpcap;
        if (disagree && !differs(i)) {
            ++counts.mismatches;
            if (refused_reports++ < 20) ADD_FAILURE() << fmt::format("'{}' on {}: {} ({})", exprs[i], link_type_name(dlt),
                                                                     acceptance_name(checker.last_acceptance), where(i));
        }
    }
    pcap_close(dead);
    return by_kind;
}

TEST_P(Grammar, ChecklistAgreesWithLibpcap) {
    const int dlt = GetParam();
    std::vector<std::string> exprs, references;
    for (const auto& row : checklist()) {
        exprs.push_back(row.example);
        references.push_back(row.reference);
    }
    Counts counts;
    auto by_kind = sweep(
        dlt, exprs, references, [](std::size_t i) { return checklist()[i].status == Status::Differs; },
        [](std::size_t i) { return fmt::format("docs/grammar_checklist.md:{}, {}", checklist()[i].line, checklist()[i].production); },
        counts);
    std::printf("checklist on %s: %zu rows; both compile %zu, both refuse %zu, sniff refuses as matching nothing %zu, only sniff %zu, "
                "only libpcap %zu; %zu verdicts compared, %zu mismatches\n",
                link_type_name(dlt).c_str(), exprs.size(), by_kind[Acceptance::Both], by_kind[Acceptance::Neither],
                by_kind[Acceptance::SniffRefusesMeaningless], by_kind[Acceptance::OnlySniff], by_kind[Acceptance::OnlyLibpcap],
                counts.verdicts, counts.mismatches);
    EXPECT_EQ(counts.mismatches, 0u);
}

// ---- the grammar's corners ---------------------------------------------------------------------

// Every word libpcap's `pname` takes (its LINK token has seven spellings), and none.
constexpr const char* kProtocols[] = {
    "", "ether", "link", "fddi", "tr", "wlan", "ppp", "slip", "ip", "arp", "rarp", "sctp", "tcp", "udp", "icmp", "igmp",
    "igrp", "pim", "vrrp", "carp", "atalk", "aarp", "decnet", "lat", "sca", "mopdl", "moprc", "ip6", "icmp6", "ah", "esp",
    "iso", "esis", "isis", "l1", "l2", "iih", "lsp", "snp", "psnp", "csnp", "clnp", "stp", "ipx", "netbeui", "radio"};
// libpcap's dqual, and none.
constexpr const char* kDirections[] = {"",           "src",        "dst",        "src or dst", "dst or src", "src and dst", "dst and src",
                                       "addr1",      "addr2",      "addr3",      "addr4",      "ra",         "ta"};
// aqual, PROTO, PROTOCHAIN, ndaqual, and none.
constexpr const char* kKinds[] = {"", "host", "net", "port", "portrange", "proto", "protochain", "gateway"};
// One value of each token form the scanner makes (NUM, HID, HID6, EID, AID, ID, the backslashed
// protocol names), with a prefix or mask, negated, and as a parenthesised list. (ARCnet's `$dd`:
// libpcap 1.10 misreads other `$` addresses; README, "Deliberate differences".)
constexpr const char* kValues[] = {"10.0.0.1",    "10.0.0.0/8",   "10.0.0.0 mask 255.0.0.0", "10.1",   "1.1",
                                   "::1",         "fe80::/10",    "00:11:22:33:44:55",       "80",     "0x800",
                                   "6000-6010",   "http",         "\\tcp",                   "$dd",    "localhost",
                                   "not 10.0.0.1", "(80 or 443)", "(10.0.0.1 or 10.0.0.2)"};
// What a protocol qualifier may precede without a value (libpcap's `pqual TK_BROADCAST`,
// `pqual p80211`, and the qualifier alone).
constexpr const char* kValueless[] = {"broadcast", "multicast", "type mgt", "subtype beacon", "dir tods", ""};
// The link-layer keywords of SS7, SunATM and pf logs, alone and in each form their fields take
// (`!=` on the SS7 and ATM fields is a deliberate difference; the checklist has it).
constexpr const char* kLinkUnits[] = {"fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "lane", "llc", "oam", "oamf4", "oamf4sc",
                                      "oamf4ec", "metac", "bcc", "sc", "ilmic", "connectmsg", "metaconnect", "inbound", "outbound"};
constexpr const char* kLinkFields[] = {"sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls", "vpi", "vci", "rnr", "srnr", "reason"};
constexpr const char* kLinkFieldValues[] = {"5", "0", "> 5", "<= 5", "= 5", "== 5", "< 16", ">= 16384", "(1 or 2)", "16384", "match"};

std::vector<std::string> all_corners() {
    std::vector<std::string> out;
    auto join = [](std::initializer_list<std::string_view> words) {
        std::string s;
        for (auto w : words)
            if (!w.empty()) s += (s.empty() ? "" : " ") + std::string(w);
        return s;
    };
    for (const char* p : kProtocols) {
        for (const char* d : kDirections)
            for (const char* k : kKinds)
                for (const char* v : kValues) out.push_back(join({p, d, k, v}));
        for (const char* rest : kValueless) out.push_back(join({p, rest}));
    }
    return out;
}

std::vector<std::string> link_corners() {
    std::vector<std::string> out(std::begin(kLinkUnits), std::end(kLinkUnits));
    for (const char* f : kLinkFields)
        for (const char* v : kLinkFieldValues) out.push_back(std::string(f) + " " + v);
    return out;
}

TEST_P(Grammar, CornersAgreeWithLibpcap) {
    const int dlt = GetParam();
    const std::vector<std::string> corners = all_corners();
    const char* which = std::getenv("SNIFF_GRAMMAR_CORNERS");
    const bool all = which && std::string_view(which) == "all";
    const bool sanitized = std::getenv("SNIFF_SANITIZED") != nullptr;
    // A sample: every n-th corner, from an offset that moves with the link type, so the link
    // types together cover a spread of the table.
    const std::size_t step = all ? 1 : sanitized ? 211 : 53;
    // The link-layer keyword corners are few: all of them, every run.
    std::vector<std::string> exprs = link_corners();
    for (std::size_t i = static_cast<std::size_t>(dlt) % step; i < corners.size(); i += step) exprs.push_back(corners[i]);
    const std::vector<std::string> no_references(exprs.size());
    Counts counts;
    auto by_kind = sweep(
        dlt, exprs, no_references, [](std::size_t) { return false; }, [](std::size_t) { return std::string("a generated corner"); }, counts);
    std::printf("corners on %s: %zu (of %zu, and the link-layer keywords); both compile %zu, both refuse %zu, sniff refuses as matching nothing %zu, only sniff %zu, "
                "only libpcap %zu; %zu verdicts compared, %zu mismatches\n",
                link_type_name(dlt).c_str(), exprs.size(), corners.size(), by_kind[Acceptance::Both], by_kind[Acceptance::Neither],
                by_kind[Acceptance::SniffRefusesMeaningless], by_kind[Acceptance::OnlySniff], by_kind[Acceptance::OnlyLibpcap],
                counts.verdicts, counts.mismatches);
    EXPECT_EQ(counts.mismatches, 0u);
    // Where both compile something, the sample must hold some of it (SS7 has few such corners).
    if (sniff::find_link_type(dlt)->protocol_field != sniff::ProtocolField::None) EXPECT_GT(by_kind[Acceptance::Both], 0u);
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, Grammar, ::testing::ValuesIn(supported_dlts()),
                         [](const auto& info) { return link_type_name(info.param); });

}  // namespace
