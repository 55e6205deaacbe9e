// Random pcap-filter(7) expressions from the grammar sniff's parser accepts (src/compiler/parse.cpp),
// weighted towards what occurs in the test packets and towards lists the optimizer turns into sets.
#include "filter_generator.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace testing_support {

LinkFamily link_family_for(int dlt) {
    switch (dlt) {
        case 1: return LinkFamily::Ethernet;                               // EN10MB
        case 113: case 276: return LinkFamily::Cooked;                     // LINUX_SLL, LINUX_SLL2
        case 0: case 108: return LinkFamily::Null;                         // NULL, LOOP
        case 9: case 104: case 51: return LinkFamily::Ppp;                 // PPP, C_HDLC, PPP_ETHER
        case 105: case 127: case 119: case 192: case 163: return LinkFamily::Wireless;  // 802.11, radiotap, Prism, PPI, AVS
        case 10: case 6: return LinkFamily::LlcLan;                        // FDDI, IEEE802
        case 117: return LinkFamily::Pflog;                                // PFLOG
        case 7: case 129: return LinkFamily::Arcnet;                       // ARCNET, ARCNET_LINUX
        case 140: case 139: case 197: return LinkFamily::Ss7;              // MTP2, MTP2_WITH_PHDR, ERF
        case 123: return LinkFamily::Atm;                                  // SUNATM
        default: return LinkFamily::RawIp;                                 // RAW (12, 14), IPV4, IPV6…
    }
}

namespace {

// Values that occur in captures/ and the corpus (tcpdump -nr captures/*.pcap).
constexpr std::array<const char*, 14> kIpv4 = {"10.0.0.1", "10.0.0.2", "192.168.1.1", "192.168.1.77", "172.16.5.4", "8.8.8.8",
                                               "127.0.0.1", "127.0.0.2", "255.255.255.255", "0.0.0.0", "224.0.0.251", "10.1.2.3",
                                               "86.218.43.97", "192.168.1.2"};
constexpr std::array<const char*, 10> kIpv6 = {"2001:db8::1", "2001:db8::2", "fe80::1", "fe80::2", "::1", "ff02::1",
                                               "2001:db8:1::5", "ff02::1:ff00:1", "::", "2001:db8::2:1"};
constexpr std::array<const char*, 6> kMacs = {"0:1:2:3:4:5", "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "00:0c:29:ab:cd:ef",
                                              "02:42:ac:11:00:02", "00:1b:21:0a:00:01"};
constexpr std::array<int, 16> kPorts = {53, 80, 443, 22, 67, 68, 123, 5353, 40000, 33333, 1, 2, 1111, 2222, 6081, 4789};
constexpr std::array<const char*, 7> kPortNames = {"domain", "http", "ntp", "ssh", "https", "ftp", "bootps"};
constexpr std::array<const char*, 15> kProtoAbbrevs = {"ip",  "ip6", "arp", "rarp", "tcp", "udp",  "icmp", "icmp6",
                                                       "sctp", "igmp", "pim", "ah",  "esp",  "vrrp", "igrp"};
constexpr std::array<const char*, 7> kProtoNames = {"\\tcp", "\\udp", "\\icmp", "\\sctp", "\\igmp", "\\pim", "\\ah"};
constexpr std::array<int, 10> kIpProtos = {6, 17, 1, 58, 132, 2, 47, 50, 51, 0};
constexpr std::array<const char*, 10> kEtherProtos = {"0x800", "0x86dd", "0x806", "0x8035", "0x8100", "0x88cc", "\\ip",
                                                      "\\ip6", "\\arp", "100"};
// libpcap's other EtherType and 802.2 SAP names after `ether proto`.
constexpr std::array<const char*, 13> kEtherProtoNames = {"\\iso", "\\atalk", "\\ipx", "\\aarp", "\\netbeui",
                                                          "\\stp", "\\decnet", "\\lat", "\\mopdl", "\\moprc",
                                                          "\\sca", "loopback", "\\rarp"};
constexpr std::array<const char*, 15> kLlcKeywords = {"llc",   "stp", "ipx",   "netbeui", "iso",  "esis",  "isis", "clnp",
                                                      "atalk", "aarp", "decnet", "lat",    "sca", "moprc", "mopdl"};
// LLC frame kinds (`llc KIND`) and the OSI forms: IS-IS PDU types, `iso proto`, `isis proto`.
constexpr std::array<const char*, 16> kLlcKinds = {"i", "s", "u", "rr", "rnr", "rej", "ui", "ua",
                                                   "disc", "dm", "sabme", "test", "xid", "frmr", "UI", "Rr"};
constexpr std::array<const char*, 12> kOsiForms = {"l1", "l2", "iih", "lsp", "snp", "csnp", "psnp", "iso proto \\clnp",
                                                   "iso proto \\esis", "iso proto \\isis", "iso proto 0x81",
                                                   "isis proto 0x12 or 0x14"};
// The LAN protocols libpcap indexes from the network header (`atalk[4]`).
constexpr std::array<const char*, 6> kLanAccessors = {"atalk", "decnet", "lat", "sca", "moprc", "mopdl"};
constexpr std::array<const char*, 7> kDirs = {"src", "dst", "src or dst", "src and dst", "dst or src", "dst and src", ""};
constexpr std::array<const char*, 7> kRelops = {"=", "==", "!=", ">", ">=", "<", "<="};
constexpr std::array<const char*, 9> kArithOps = {"+", "-", "*", "/", "%", "&", "|", "^", "<<"};
constexpr std::array<const char*, 12> kNamedConstants = {"tcp-syn", "tcp-ack", "tcp-fin", "tcp-rst", "tcp-push", "tcp-urg",
                                                         "icmp-echo", "icmp-echoreply", "icmp-unreach", "icmp6-echo",
                                                         "icmp6-echoreply", "tcpflags"};

class Generator {
public:
    Generator(std::mt19937_64& rng, const GeneratorOptions& options) : rng_(rng), o_(options) {
        std::mt19937_64 copy = rng;  // seeds the second stream without advancing the first
        extra_.seed(copy() ^ 0x9e3779b97f4a7c15ULL);
    }

    std::string expr(int depth) {
        if (depth >= o_.max_depth || chance(35)) return chance(20) ? list() : primitive();
        const int r = pick(100);
        if (r < 45) return chain(depth);
        if (r < 60) return fmt::format("{}{}", chance(70) ? "not " : "!", operand(depth + 1));
        if (r < 70) return fmt::format("({})", expr(depth + 1));
        return list();
    }

private:
    std::mt19937_64& rng_;
    // Forms added after the suite's seeds were chosen draw from a second stream, and replace a form
    // already drawn from the first: every filter without them is drawn exactly as before.
    std::mt19937_64 extra_;
    const GeneratorOptions& o_;
    std::string side_proto_;  // the one protocol of this side of a relation, unless mixing is on

    int pick(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_)); }
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(int percent) { return pick(100) < percent; }
    int extra_pick(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(extra_)); }
    template <class T, std::size_t N>
    const T& extra_one(const std::array<T, N>& a) { return a[static_cast<std::size_t>(extra_pick(static_cast<int>(N)))]; }
    template <class T, std::size_t N>
    const T& one(const std::array<T, N>& a) { return a[static_cast<std::size_t>(pick(static_cast<int>(N)))]; }
    bool family(LinkFamily f) const { return o_.family == f; }
    bool has_mac() const { return family(LinkFamily::Ethernet) || family(LinkFamily::Wireless) || family(LinkFamily::LlcLan); }

    // An operand of `not` or of a chain: parenthesised when compound, so the text keeps the tree.
    std::string operand(int depth) {
        if (depth >= o_.max_depth || chance(50)) return primitive();
        return fmt::format("({})", expr(depth));
    }

    // `a and b or not c …`: pcap-filter's and/or have one precedence and group to the left.
    std::string chain(int depth) {
        const int n = between(2, std::max(2, o_.max_terms));
        std::string out = operand(depth + 1);
        for (int i = 1; i < n; ++i) {
            const int r = pick(10);
            out += r < 4 ? " and " : r < 8 ? " or " : r < 9 ? " && " : " || ";
            out += operand(depth + 1);
        }
        return out;
    }

    std::string ipv4() {
        if (chance(80)) return one(kIpv4);
        return fmt::format("{}.{}.{}.{}", pick(256), pick(256), pick(256), pick(256));
    }
    std::string ipv6() {
        if (chance(80)) return one(kIpv6);
        return fmt::format("2001:db8:{:x}::{:x}", pick(0x10000), pick(0x10000));
    }
    std::string mac() {
        std::array<int, 6> b{};
        if (chance(80)) {
            unsigned parts[6] = {};
            std::sscanf(one(kMacs), "%x:%x:%x:%x:%x:%x", &parts[0], &parts[1], &parts[2], &parts[3], &parts[4], &parts[5]);
            for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<int>(parts[i]);
        } else {
            for (int& x : b) x = pick(256);
        }
        // Every spelling of libpcap's scanner: colons, dashes, six dotted bytes, three dotted
        // words, or 12 hex digits (either case).
        const int r = pick(100);
        if (r < 60) return fmt::format("{:x}:{:x}:{:x}:{:x}:{:x}:{:x}", b[0], b[1], b[2], b[3], b[4], b[5]);
        if (r < 68) return fmt::format("{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}", b[0], b[1], b[2], b[3], b[4], b[5]);
        if (r < 76) return fmt::format("{:x}.{:x}.{:x}.{:x}.{:x}.{:x}", b[0], b[1], b[2], b[3], b[4], b[5]);
        if (r < 84) return fmt::format("{:02x}{:02x}.{:02x}{:02x}.{:02x}{:02x}", b[0], b[1], b[2], b[3], b[4], b[5]);
        if (r < 92) return fmt::format("{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", b[0], b[1], b[2], b[3], b[4], b[5]);
        return fmt::format("{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
    std::string port() {
        const int r = pick(100);
        if (r < 75) return std::to_string(one(kPorts));
        if (r < 85) return one(kPortNames);
        if (r < 90) return fmt::format("0x{:x}", one(kPorts));
        return std::to_string(pick(65536));
    }
    std::string dir() {
        const char* d = one(kDirs);
        return *d ? std::string(d) + " " : std::string();
    }
    std::string number(int max) { return chance(25) ? fmt::format("0x{:x}", pick(max + 1)) : std::to_string(pick(max + 1)); }

    // An IPv4 network: a/len with the host bits cleared (mostly), a/b/c short forms, or `mask`.
    std::string ipv4_net() {
        const char* base = one(kIpv4);
        std::uint32_t a = 0;
        unsigned parts[4] = {};
        std::sscanf(base, "%u.%u.%u.%u", &parts[0], &parts[1], &parts[2], &parts[3]);
        a = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
        const int r = pick(100);
        if (r < 15) {  // libpcap's short forms: 10, 10.0, 10.0.0
            const int bytes = between(1, 3);
            std::string out = std::to_string(a >> 24);
            for (int i = 1; i < bytes; ++i) out += "." + std::to_string((a >> (24 - 8 * i)) & 0xff);
            return out;
        }
        const int len = chance(60) ? std::array{8, 16, 24, 32, 12, 23}[static_cast<std::size_t>(pick(6))] : pick(33);
        const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
        const std::uint32_t net = chance(95) ? a & mask : a;  // now and then host bits: both refuse
        const std::string text = fmt::format("{}.{}.{}.{}", net >> 24, (net >> 16) & 0xff, (net >> 8) & 0xff, net & 0xff);
        if (r < 30) {
            // libpcap promotes a dotted mask of two or three parts (255.255 is 255.255.0.0) as it
            // does a short network; both need at least two parts there.
            int parts = 4;
            if (chance(40)) while (parts > 2 && ((mask >> (32 - 8 * parts)) & 0xff) == 0) --parts;
            std::string m = std::to_string(mask >> 24);
            for (int i = 1; i < parts; ++i) m += "." + std::to_string((mask >> (24 - 8 * i)) & 0xff);
            int net_parts = 4;
            if (chance(30)) while (net_parts > 2 && ((net >> (32 - 8 * net_parts)) & 0xff) == 0) --net_parts;
            std::string n = std::to_string(net >> 24);
            for (int i = 1; i < net_parts; ++i) n += "." + std::to_string((net >> (24 - 8 * i)) & 0xff);
            return fmt::format("{} mask {}", n, m);
        }
        return fmt::format("{}/{}", text, len);
    }
    std::string ipv6_net() {
        static constexpr std::array<const char*, 8> nets = {"2001:db8::/32", "2001:db8::/64", "fe80::/10", "fe80::/64",
                                                            "ff02::/16",     "::/0",          "2001:db8:1::/48", "::1/128"};
        return one(nets);
    }

    std::string host() {
        const int r = pick(100);
        if (r < 55) {
            const char* proto = std::array{"", "", "ip ", "arp ", "rarp "}[static_cast<std::size_t>(pick(5))];
            return fmt::format("{}{}{}{}", proto, dir(), chance(85) ? "host " : "", ipv4());
        }
        if (r < 85) {
            // An IPv6 host may carry a /128 prefix (libpcap's gen_mcode6).
            const char* proto = chance(30) ? "ip6 " : "";
            const std::string d = dir();
            const char* kind = chance(85) ? "host " : "";
            return fmt::format("{}{}{}{}{}", proto, d, kind, ipv6(), chance(10) ? "/128" : "");
        }
        // Link-level addresses: ether (or its synonyms) host/src/dst.
        const char* link = family(LinkFamily::Wireless) ? "wlan" : family(LinkFamily::LlcLan) ? std::array{"fddi", "tr"}[pick(2)] : "ether";
        if (!has_mac() && chance(70)) link = "ether";
        const std::string d = dir();
        return fmt::format("{} {}{}{}", link, d, d.empty() || chance(50) ? "host " : "", mac());
    }

    std::string net() {
        const std::string n = chance(75) ? ipv4_net() : ipv6_net();
        const char* proto = n.find(':') != std::string::npos ? (chance(30) ? "ip6 " : "") : std::array{"", "", "ip ", "arp "}[pick(4)];
        return fmt::format("{}{}net {}", proto, dir(), n);
    }

    std::string port_primitive() {
        const char* proto = std::array{"", "", "tcp ", "udp ", "sctp "}[static_cast<std::size_t>(pick(5))];
        const char* ip = chance(10) ? (chance(50) ? "ip and " : "ip6 and ") : "";
        if (chance(75)) return fmt::format("{}{}{}port {}", ip, proto, dir(), port());
        int lo = one(kPorts), hi = chance(70) ? lo + pick(1000) : one(kPorts);
        return fmt::format("{}{}{}portrange {}-{}", ip, proto, dir(), lo, std::min(hi, 65535));
    }

    std::string proto_primitive() {
        const int r = pick(100);
        if (r < 35) return fmt::format("ip proto {}", chance(70) ? std::to_string(one(kIpProtos)) : one(kProtoNames));
        if (r < 55) return fmt::format("ip6 proto {}", chance(70) ? std::to_string(one(kIpProtos)) : one(kProtoNames));
        if (r < 75) return fmt::format("proto {}", chance(70) ? std::to_string(one(kIpProtos)) : one(kProtoNames));
        const char* link = family(LinkFamily::Wireless) ? "wlan" : "ether";
        const char* value = one(kEtherProtos);
        return fmt::format("{} proto {}", link, extra_pick(100) < 40 ? extra_one(kEtherProtoNames) : value);
    }

    // A byte accessor `proto[expr:size]` with an offset inside the usual header sizes.
    std::string access(int depth) {
        static constexpr std::array<const char*, 11> ip_protos = {"ip", "ip", "ip6", "tcp", "tcp", "udp", "udp",
                                                                  "icmp", "icmp6", "arp", "sctp"};
        std::string proto = one(ip_protos);
        if (chance(family(LinkFamily::Ss7) ? 95 : 15)) {
            if (family(LinkFamily::Wireless)) proto = chance(50) ? "radio" : "wlan";
            else proto = chance(50) ? "ether" : "link";
        } else if (extra_pick(100) < 6) {
            proto = extra_one(kLanAccessors);
        }
        if (!o_.mix_protocols_in_arithmetic) {
            if (side_proto_.empty()) side_proto_ = proto;
            proto = side_proto_;
        }
        std::string index = depth < 2 && chance(15) ? arith(depth + 1) : std::to_string(chance(80) ? pick(24) : pick(64));
        const int size = std::array{0, 1, 2, 4}[static_cast<std::size_t>(pick(4))];
        return size ? fmt::format("{}[{}:{}]", proto, index, size) : fmt::format("{}[{}]", proto, index);
    }

    std::string arith_primary(int depth) {
        const int r = pick(100);
        if (r < 50) return access(depth);
        if (r < 75) return number(chance(70) ? 255 : 0xffff);
        if (r < 83) return chance(25) ? "length" : "len";
        if (r < 90) return one(kNamedConstants);
        if (r < 95 && depth < 2) return fmt::format("({})", arith(depth + 1));
        return fmt::format("-{}", chance(50) ? "len" : access(depth));
    }

    // Arithmetic with every operator of pcap-filter(7); spaces around each operator, since
    // libpcap scans `1-1` as one name.
    std::string arith(int depth) {
        const int n = depth < 2 ? pick(3) : 0;
        // libpcap keeps only the leftmost operand's protocol test: without mixing, a chain of
        // operators starts with the side's accessor, so that test covers every operand.
        std::string out = n > 0 && !o_.mix_protocols_in_arithmetic ? access(depth) : arith_primary(depth);
        for (int i = 0; i < n; ++i) {
            std::string op = chance(8) ? ">>" : one(kArithOps);
            std::string rhs;
            if (op == "<<" || op == ">>") rhs = std::to_string(pick(chance(90) ? 8 : 32));
            else if (op == "/" || op == "%") rhs = chance(85) ? std::to_string(between(1, 16)) : arith_primary(depth + 1);
            else rhs = arith_primary(depth + 1);
            out += " " + op + " " + rhs;
        }
        return out;
    }

    // The old byte primitive: a link-header byte against a number, with libpcap's five operators.
    std::string byte_primitive() {
        static constexpr std::array<const char*, 6> ops = {"=", "==", "<", ">", "&", "|"};
        const int offset = chance(80) ? pick(24) : pick(64);
        return fmt::format("byte {} {} {}", chance(20) ? fmt::format("0x{:x}", offset) : std::to_string(offset), one(ops),
                           chance(90) ? number(255) : number(0xffff));
    }

    std::string relation() {
        const int r = pick(100);
        side_proto_.clear();
        if (r >= 90) return byte_primitive();
        if (r < 25) {  // the idiom `proto[i] & mask op value`
            return fmt::format("{} & {} {} {}", access(1), number(255), one(kRelops), chance(60) ? "0" : number(255));
        }
        std::string lhs = arith(0);
        side_proto_.clear();
        return fmt::format("{} {} {}", lhs, one(kRelops), chance(60) ? number(chance(70) ? 255 : 2000) : arith(1));
    }

    std::string encapsulation() {
        const int r = pick(100);
        if (r < 30) return chance(50) ? "vlan" : fmt::format("vlan {}", chance(70) ? std::array{1, 10, 100, 5}[pick(4)] : pick(4096));
        if (r < 45) return chance(50) ? "mpls" : fmt::format("mpls {}", chance(70) ? std::array{16, 100, 0}[pick(3)] : pick(1 << 20));
        if (r < 60) return chance(50) ? "pppoes" : fmt::format("pppoes {}", pick(0x10000));
        if (r < 65) return "pppoed";
        return chance(50) ? "geneve" : fmt::format("geneve {}", chance(50) ? 5 : pick(1 << 24));
    }

    std::string wireless() {
        static constexpr std::array<const char*, 13> w = {
            "type mgt", "type ctl", "type data", "type mgt subtype beacon", "type data subtype qos-data", "subtype probe-req",
            "subtype ack", "subtype null", "dir tods", "dir fromds", "dir nods", "dir dstods", "type ctl subtype ack"};
        if (chance(70)) return one(w);
        static constexpr std::array<const char*, 6> q = {"ra", "ta", "addr1", "addr2", "addr3", "addr4"};
        return fmt::format("wlan {} {}", one(q), mac());
    }

    // pf's log fields, with the names and numbers pflog_records (packet_corpus.cpp) writes.
    std::string pf_field() {
        static constexpr std::array<const char*, 8> names = {"em0", "pflog0", "eth0", "eth0.1", "em", "abcdefghijklmno", "\\tcp", "foo"};
        static constexpr std::array<const char*, 9> reasons = {"match", "bad-offset", "fragment", "short", "MATCH", "synproxy",
                                                               "3", "0x7", "15"};
        static constexpr std::array<const char*, 8> actions = {"pass", "block", "drop", "scrub", "nat", "rdr", "synproxy-drop", "Pass"};
        switch (pick(7)) {
            case 0: return fmt::format("{} {}", chance(50) ? "on" : "ifname", one(names));
            case 1: return fmt::format("{} {}", chance(50) ? "rset" : "ruleset", std::array{"anchor", "foo", "f", "abcdefghijklmno"}[pick(4)]);
            case 2: return fmt::format("{} {}", chance(50) ? "rnr" : "rulenum", std::array{"0", "3", "7", "13", "0xffffffff"}[pick(5)]);
            case 3: return fmt::format("{} {}", chance(50) ? "srnr" : "subrulenum", std::array{"0", "3", "7", "13"}[pick(4)]);
            case 4: return fmt::format("reason {}", one(reasons));
            case 5: return fmt::format("action {}", one(actions));
            default: return chance(50) ? "inbound" : "outbound";
        }
    }

    // SS7 signal unit types and routing label fields, in each of libpcap's forms: `sio 3`,
    // `opc > 5` (any relation), `dpc (1 or 2)`; values in range mostly, now and then one over.
    std::string ss7() {
        static constexpr std::array<const char*, 6> units = {"fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu"};
        static constexpr std::array<const char*, 8> fields = {"sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls"};
        if (chance(30)) return one(units);
        const std::string field = one(fields);
        const int max = field.ends_with("sio") ? 255 : field.ends_with("sls") ? 15 : 16383;
        auto value = [&] { return std::to_string(chance(97) ? (chance(50) ? pick(8) : pick(max + 1)) : max + 1); };
        const int r = pick(10);
        if (r < 4) return field + " " + value();
        if (r < 8) return fmt::format("{} {} {}", field, one(kRelops), value());
        std::string list = value();
        for (int i = 0, n = between(1, 3); i < n; ++i) list += " or " + value();
        return fmt::format("{} ({})", field, list);
    }

    // SunATM: `lane` (after which the frame is LANE Ethernet), the circuits and messages, and
    // `vpi`/`vci` in libpcap's forms.
    std::string atm() {
        static constexpr std::array<const char*, 11> types = {"lane", "lane", "lane", "llc", "oam", "oamf4", "metac", "bcc",
                                                              "sc", "ilmic", "connectmsg"};
        if (chance(55)) return chance(95) ? one(types) : "metaconnect";
        const char* field = chance(50) ? "vpi" : "vci";
        auto value = [&] { return std::to_string(chance(80) ? std::array{0, 1, 2, 3, 4, 5, 16}[pick(7)] : pick(300)); };
        const int r = pick(10);
        if (r < 4) return fmt::format("{} {}", field, value());
        if (r < 8) return fmt::format("{} {} {}", field, one(kRelops), value());
        return fmt::format("{} ({} or {})", field, value(), value());
    }

    std::string primitive() {
        // Only on PFLOG (&& keeps the other families' draws as they were).
        if (family(LinkFamily::Pflog) && chance(25)) return pf_field();
        // ARCnet addresses: $dd only, the one libpcap 1.10.3 reads as sniff does (README).
        if (family(LinkFamily::Arcnet) && chance(10))
            return std::array{"ether host $dd", "ether src $dd", "ether dst $dd", "link src or dst $dd", "broadcast",
                              "multicast", "ether proto \\atalk", "atalk"}[pick(8)];
        if (family(LinkFamily::Atm) && chance(30)) return atm();
        if (family(LinkFamily::Ss7)) {
            const int r = pick(100);
            if (r < 60) return ss7();
            if (r < 85) return relation();
            if (r < 95) return fmt::format("{} {}", chance(50) ? "less" : "greater", between(3, 40));
        }
        if (chance(o_.protochain_percent))
            return fmt::format("{}protochain {}", std::array{"", "ip ", "ip6 "}[pick(3)], chance(80) ? std::to_string(one(kIpProtos)) : one(kProtoNames));
        const int r = pick(1000);
        if (r < 170) return host();
        if (r < 250) return net();
        if (r < 400) return port_primitive();
        if (r < 470) return proto_primitive();
        if (r < 600) return one(kProtoAbbrevs);
        if (r < 630) return fmt::format("{} {}", chance(50) ? "less" : "greater", std::array{60, 64, 100, 200, 576, 1500}[pick(6)]);
        if (r < 780) return relation();
        if (r < 820) {
            static constexpr std::array<const char*, 7> c = {"ether broadcast", "ether multicast", "broadcast", "multicast",
                                                             "ip multicast",    "ip6 multicast",   "ip6 multicast"};
            return one(c);
        }
        if (r < 870) return carry_over();
        if (r < 930) {
            // Not `geneve` on SunATM: where no Geneve matched, libpcap 1.10's program there reads a
            // scratch slot it never wrote (`geneve or ip` at the `ip` test) — nothing to compare with.
            if (family(LinkFamily::Atm)) return atm();
            if (family(LinkFamily::Ethernet) || chance(20)) return encapsulation();
            return fmt::format("geneve{}", chance(50) ? "" : " 5");
        }
        if (r < 970) {
            if (family(LinkFamily::Wireless) || chance(10)) return wireless();
            if (has_mac() || chance(20)) {
                const char* keyword = one(kLlcKeywords);
                const int k = extra_pick(10);
                if (k < 6) return keyword;
                if (k < 8) return fmt::format("llc {}", extra_one(kLlcKinds));
                return extra_one(kOsiForms);
            }
            return one(kProtoAbbrevs);
        }
        if (family(LinkFamily::Cooked) || chance(10)) return std::array{"inbound", "outbound", "ifindex 3", "ifindex 1"}[pick(4)];
        return one(kProtoAbbrevs);
    }

    // Bare values after a qualified primitive take its qualifiers (pcap-filter(7): "host 1.2.3.4
    // or 5.6.7.8"), through `not` too.
    std::string carry_over() {
        const int n = between(2, std::max(2, o_.max_terms));
        const int r = pick(4);
        std::string out;
        for (int i = 0; i < n; ++i) {
            const char* op = i == 0 ? "" : chance(60) ? " or " : chance(50) ? " and " : " and not ";
            std::string value = r == 0 ? ipv4() : r == 1 ? port() : r == 2 ? ipv6() : ipv4_net();
            if (i == 0) {
                const std::string d = dir();
                value = r == 0 ? d + "host " + value
                        : r == 1 ? std::string(chance(50) ? "tcp " : "") + d + "port " + value
                        : r == 2 ? d + "host " + value
                                 : d + "net " + value;
            }
            out += op + value;
        }
        return out;
    }

    // Lists that the optimizer turns into one set test (issue 11, "Set compilation").
    std::string list() {
        const int n = between(2, std::max(3, o_.max_terms * 2));
        const int r = pick(9);
        auto join = [&](const char* sep, auto&& member) {
            std::string out;
            for (int i = 0; i < n; ++i) out += (i ? sep : "") + member();
            return out;
        };
        switch (r) {
            case 0: {
                const std::string q = chance(30) ? std::string(std::array{"ip ", "src ", "dst ", "ip src "}[pick(4)]) : "";
                return join(" or ", [&] { return q + "host " + ipv4(); });
            }
            case 1: return fmt::format("not ({})", join(" or ", [&] { return "port " + port(); }));
            case 2: return join(" and ", [&] { return "not host " + (chance(85) ? ipv4() : ipv6()); });
            case 3: return join(" or ", [&] { return "net " + ipv4_net(); });
            case 4: return join(" or ", [&] { return std::string(one(kProtoAbbrevs)); });
            case 5: {
                const char* p = std::array{"tcp", "udp", "tcp", "icmp", "ip6"}[pick(5)];
                return join(" or ", [&] { return std::string(chance(80) ? p : one(kProtoAbbrevs)); });
            }
            case 6: {
                const char* proto = std::array{"", "tcp ", "udp "}[pick(3)];
                return join(" or ", [&] { return fmt::format("{}port {}", proto, port()); });
            }
            case 7: return join(" and ", [&] { return fmt::format("not (host {} and port {})", ipv4(), port()); });
            default: return join(" or ", [&] { return fmt::format("ip proto {}", one(kIpProtos)); });
        }
    }
};

}  // namespace

std::string generate_filter(std::mt19937_64& rng, const GeneratorOptions& options) {
    Generator g(rng, options);
    return g.expr(0);
}

}  // namespace testing_support
