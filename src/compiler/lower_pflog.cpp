// OpenBSD pf logs (DLT_PFLOG): the keywords that test fields of the pflog header, and the
// direction pf logged. Offsets are those of struct pfloghdr (OpenBSD's net/if_pflog.h), as
// libpcap's gencode reads them; values and accepted names are what libpcap 1.10.3 compiles.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "compiler/lower_arith.hpp"
#include "compiler/names.hpp"
#include "compiler/spelling.hpp"

namespace sniff::lowering {
namespace {

using W = ast::Keyword::Which;

constexpr int kDltPflog = 117;

// struct pfloghdr: length (byte 0), af (1), action (2), reason (3), ifname[16] (4),
// ruleset[16] (20), rulenr (36, 4 bytes, network order), subrulenr (40), ..., dir (60).
constexpr std::uint32_t kActionAt = 2, kReasonAt = 3, kIfnameAt = 4, kRulesetAt = 20, kRulenrAt = 36,
                        kSubrulenrAt = 40, kDirAt = 60;
// Both name fields are 16 bytes with a terminating NUL: libpcap refuses 16 characters or more.
constexpr std::size_t kMaxNameLength = 15;
constexpr std::uint32_t kPfIn = 1, kPfOut = 2;  // pf's PF_IN and PF_OUT

// pf's reason codes (PFRES_*) by the names libpcap's pfreason_to_num takes, case-insensitively.
constexpr std::array<std::pair<std::string_view, std::uint32_t>, 15> kReasons = {{
    {"match", 0}, {"bad-offset", 1}, {"fragment", 2}, {"short", 3}, {"normalize", 4}, {"memory", 5},
    {"bad-timestamp", 6}, {"congestion", 7}, {"ip-option", 8}, {"proto-cksum", 9}, {"state-mismatch", 10},
    {"state-insert", 11}, {"state-limit", 12}, {"src-limit", 13}, {"synproxy", 14},
}};
// pf's rule actions (PF_PASS…) by the names libpcap's pfaction_to_num takes; pass/accept and
// drop/block are synonyms.
constexpr std::array<std::pair<std::string_view, std::uint32_t>, 13> kActions = {{
    {"pass", 0}, {"accept", 0}, {"drop", 1}, {"block", 1}, {"scrub", 2}, {"noscrub", 3}, {"nat", 4},
    {"nonat", 5}, {"binat", 6}, {"nobinat", 7}, {"rdr", 8}, {"nordr", 9}, {"synproxy-drop", 10},
}};

// Every keyword of libpcap 1.10.3's scanner: none of them is a name (`on tcp` is a syntax error
// there; `on \tcp` names the interface "tcp"). Checked one by one against pcap_compile.
constexpr std::string_view kScannerKeywords[] = {
    "dst", "src", "link", "fddi", "arp", "rarp", "ip", "sctp", "tcp", "udp", "icmp", "igmp", "igrp", "pim", "vrrp",
    "carp", "radio", "ip6", "icmp6", "ah", "esp", "atalk", "aarp", "decnet", "lat", "sca", "moprc", "mopdl", "iso",
    "esis", "es-is", "isis", "is-is", "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp", "clnp", "stp", "ipx",
    "netbeui", "host", "net", "mask", "port", "portrange", "proto", "protochain", "gateway", "type", "subtype",
    "direction", "dir", "address1", "addr1", "address2", "addr2", "address3", "addr3", "address4", "addr4", "ra",
    "ta", "less", "greater", "byte", "broadcast", "multicast", "and", "or", "not", "len", "length", "inbound",
    "outbound", "ifindex", "vlan", "mpls", "pppoed", "pppoes", "geneve", "lane", "llc", "metac", "bcc", "oam",
    "oamf4", "oamf4ec", "oamf4sc", "sc", "ilmic", "vpi", "vci", "connectmsg", "metaconnect", "on", "ifname", "rnr",
    "rulenum", "reason", "rset", "ruleset", "srnr", "subrulenum", "action", "fisu", "lssu", "msu", "hfisu",
    "hlssu", "hmsu", "sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls", "ether", "wlan", "tr", "ppp",
    "slip"};

bool all_of(std::string_view s, int (*pred)(int)) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char ch) { return pred(static_cast<unsigned char>(ch)) != 0; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
        std::size_t at = s.find(sep, from);
        parts.push_back(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) return parts;
        from = at + 1;
    }
}

// libpcap's NUM: decimal (or octal) digits, or 0x and hex digits.
bool scans_as_number(std::string_view s) {
    if (all_of(s, isdigit)) return true;
    return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && all_of(s.substr(2), isxdigit);
}

// Other tokens of libpcap's scanner that an equally long name loses to: dotted numbers (HID,
// 2 to 4 parts) and MAC addresses (6 parts of 1-2 hex digits joined by '-' or '.', 3 parts of
// 4 joined by '.', or 12 hex digits).
bool scans_as_address(std::string_view s) {
    auto parts = [&](char sep, std::size_t n, std::size_t min, std::size_t max) {
        auto p = split(s, sep);
        return p.size() == n && std::all_of(p.begin(), p.end(), [&](std::string_view x) {
                   return x.size() >= min && x.size() <= max && all_of(x, isxdigit);
               });
    };
    auto dotted = split(s, '.');
    if (dotted.size() >= 2 && dotted.size() <= 4 && std::all_of(dotted.begin(), dotted.end(), scans_as_number)) return true;
    return parts('-', 6, 1, 2) || parts('.', 6, 1, 2) || parts('.', 3, 4, 4) || (s.size() == 12 && all_of(s, isxdigit));
}

// A name as libpcap's scanner reads one (its ID token): letters, digits and "-_.", starting with
// a letter or digit and ending in one or '.', and no keyword, number or address; or anything up
// to a space, '!' or a parenthesis after a backslash, which the backslash makes a name. The name
// itself, or why the word is none.
std::expected<std::string, std::string> scanner_name(std::string_view word) {
    if (word == "\\") return std::unexpected("a backslash needs a name after it");
    if (word.starts_with('\\')) return std::string(word.substr(1));
    auto inner = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'; };
    const bool shaped = !word.empty() && std::isalnum(static_cast<unsigned char>(word.front())) &&
                        (std::isalnum(static_cast<unsigned char>(word.back())) || word.back() == '.') &&
                        std::all_of(word.begin(), word.end(), inner);
    if (!shaped) return std::unexpected("it is not a name (letters, digits, '-', '_' and '.')");
    if (scans_as_number(word) || named_constant(word)) return std::unexpected("it is a number, not a name");
    if (scans_as_address(word)) return std::unexpected("it is an address, not a name");
    if (std::find(std::begin(kScannerKeywords), std::end(kScannerKeywords), word) != std::end(kScannerKeywords))
        return std::unexpected(fmt::format("'{}' is a keyword; write '\\{}' to use it as a name", word, word));
    return std::string(word);
}

// The keyword as written (`on` or `ifname`…), for messages.
std::string written_keyword(const Context& c, const ast::Keyword& k) {
    std::string text = c.text_of(k.span);
    return text.substr(0, text.find_first_of(" \t\r\n"));
}

// The bytes of `name` at `at`, compared as libpcap's gen_bcmp does: words from the end, then a
// half-word, then a byte. There is no test of the NUL after it: `on em` matches "em0" too.
ir::Pred string_at(std::uint32_t at, std::string_view name) {
    std::vector<ir::Pred> tests;
    std::size_t left = name.size();
    auto chunk = [&](std::uint8_t size) {
        left -= size;
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(name[left + i]);
        tests.push_back(ir::eq(ir::load(at + static_cast<std::uint32_t>(left), size), v));
    };
    while (left >= 4) chunk(4);
    while (left >= 2) chunk(2);
    if (left == 1) chunk(1);
    return ir::all(std::move(tests));
}

std::optional<std::uint32_t> find_name(std::span<const std::pair<std::string_view, std::uint32_t>> table, std::string_view name) {
    for (auto [n, v] : table)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

// A number as libpcap's NUM token reads it, named constants included (`rnr tcpflags` is rnr 13).
std::optional<std::uint32_t> number_token(const std::string& text, std::string& error) {
    if (scans_as_number(text)) {
        auto n = names::parse_number(text);
        if (!n.value) error = n.error;
        return n.value;
    }
    return named_constant(text);
}

}  // namespace

bool is_pf_keyword(W w) {
    return w == W::PfIfname || w == W::PfRuleset || w == W::PfRulenum || w == W::PfSubrulenum || w == W::PfReason ||
           w == W::PfAction;
}

ir::Pred pflog_direction(bool outbound) { return ir::eq(ir::load(kDirAt, 1), outbound ? kPfOut : kPfIn); }

Result pf_keyword(const Context& c, const ast::Keyword& k) {
    const ast::Number& arg = *k.arg;
    const std::string what = written_keyword(c, k);
    std::string number_error;
    ir::Pred test = false;
    switch (k.which) {
        case W::PfIfname:
        case W::PfRuleset: {
            auto name = scanner_name(arg.text);
            if (!name)
                return error(arg.span, fmt::format("expected {} name after '{}', found '{}'",
                                                   k.which == W::PfIfname ? "an interface" : "a ruleset", what, arg.text),
                             name.error());
            if (name->size() > kMaxNameLength)
                return error(arg.span, fmt::format("{} names can only be {} characters", k.which == W::PfIfname ? "interface" : "ruleset", kMaxNameLength),
                             "pflog's name fields hold 16 bytes with the terminating NUL");
            test = string_at(k.which == W::PfIfname ? kIfnameAt : kRulesetAt, *name);
            break;
        }
        case W::PfRulenum:
        case W::PfSubrulenum: {
            auto n = number_token(arg.text, number_error);
            if (!n)
                return error(arg.span, number_error.empty() ? fmt::format("expected a rule number after '{}', found '{}'", what, arg.text) : number_error);
            test = ir::eq(ir::load(k.which == W::PfRulenum ? kRulenrAt : kSubrulenrAt, 4), *n);
            break;
        }
        case W::PfReason: {
            // A number (any: libpcap compares the reason byte with it as it is), or a reason name.
            std::optional<std::uint32_t> n = number_token(arg.text, number_error);
            if (!number_error.empty()) return error(arg.span, number_error);
            if (!n) {
                auto name = scanner_name(arg.text);
                if (name) n = find_name(kReasons, *name);
                if (!n)
                    return error(arg.span, fmt::format("unknown pf reason '{}'", name ? *name : arg.text),
                                 "reasons are match, bad-offset, fragment, short, normalize, memory, bad-timestamp, congestion, "
                                 "ip-option, proto-cksum, state-mismatch, state-insert, state-limit, src-limit, synproxy, or a number");
            }
            test = ir::eq(ir::load(kReasonAt, 1), *n);
            break;
        }
        default: {
            // Only a name: a number after `action` is a syntax error in libpcap's grammar.
            auto name = scanner_name(arg.text);
            std::optional<std::uint32_t> n;
            if (name) n = find_name(kActions, *name);
            if (!n)
                return error(arg.span, fmt::format("unknown pf action '{}'", name ? *name : arg.text),
                             "actions are pass, accept, drop, block, scrub, noscrub, nat, nonat, binat, nobinat, rdr, nordr, synproxy-drop");
            test = ir::eq(ir::load(kActionAt, 1), *n);
            break;
        }
    }
    if (c.layout.link().dlt != kDltPflog)
        return error(k.span, fmt::format("'{}' is only supported on link type PFLOG, not {}", what, c.layout.link().name),
                     "it tests OpenBSD pf's log header (DLT_PFLOG, as pflog0 captures)");
    return test;
}

}  // namespace sniff::lowering
