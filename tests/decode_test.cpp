// The packet decoder: golden lines on the generated captures, lines tcpdump prints for the same
// packets, every prefix of every packet (truncation without out-of-bounds reads, checked under
// ASan in test.sh), the shared tcpdump corpus, timestamps/dumps, and --json checked by a strict
// JSON parser.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "decode/decode.hpp"
#include "decode/hexdump.hpp"
#include "decode/json.hpp"
#include "decode/text.hpp"
#include "decode/timestamp.hpp"
#include "packet_corpus.hpp"

namespace {

namespace fs = std::filesystem;

std::string capture(const char* name) { return (fs::path(testing_support::source_root()) / "captures" / name).string(); }

struct Output {
    int status;
    std::string out;
};

// Runs a shell command and returns its standard output.
Output shell(const std::string& command) {
    fs::path out = fs::temp_directory_path() / fmt::format("sniff_decode_{}", ::getpid());
    int rc = std::system(fmt::format("{} >{} 2>/dev/null", command, out.string()).c_str());
    std::ifstream in(out, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    fs::remove(out);
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, ss.str()};
}

Output sniff(const std::string& args) {
    const char* bin = std::getenv("SNIFF_BINARY");
    EXPECT_NE(bin, nullptr) << "SNIFF_BINARY is set by meson";
    return shell(fmt::format("{} {}", bin ? bin : "sniff", args));
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string line; std::getline(ss, line);) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out.push_back(line);
    }
    return out;
}

struct Record {
    std::vector<std::uint8_t> bytes;
    std::uint32_t wire;
    std::int64_t sec;
    std::uint32_t usec;
};

// Every record of a capture (libpcap reads it), with its link type; damaged tails end the list.
std::vector<Record> read_all(const std::string& path, int& dlt) {
    char err[PCAP_ERRBUF_SIZE];
    std::vector<Record> out;
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    dlt = -1;
    if (!p) return out;
    dlt = pcap_datalink(p);
    pcap_pkthdr* h;
    const u_char* data;
    while (pcap_next_ex(p, &h, &data) == 1)
        out.push_back({std::vector<std::uint8_t>(data, data + h->caplen), h->len, h->ts.tv_sec, static_cast<std::uint32_t>(h->ts.tv_usec)});
    pcap_close(p);
    return out;
}

// --- a strict JSON parser (RFC 8259): objects, arrays, strings with escapes, numbers, literals.
class JsonChecker {
public:
    explicit JsonChecker(std::string_view s) : s_(s) {}
    // Empty when `s` is exactly one JSON value; otherwise what was wrong and where.
    std::string check() {
        ws();
        if (!value(0)) return error_.empty() ? fmt::format("bad value at {}", i_) : error_;
        ws();
        return i_ == s_.size() ? "" : fmt::format("trailing text at {}", i_);
    }

private:
    bool fail(std::string m) {
        if (error_.empty()) error_ = fmt::format("{} at {}", m, i_);
        return false;
    }
    void ws() { while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_; }
    bool eat(char c) {
        if (i_ < s_.size() && s_[i_] == c) { ++i_; return true; }
        return false;
    }
    bool value(int depth) {
        if (depth > 64) return fail("nesting too deep");
        if (i_ >= s_.size()) return fail("unexpected end");
        char c = s_[i_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        for (std::string_view lit : {"true", "false", "null"})
            if (s_.substr(i_, lit.size()) == lit) { i_ += lit.size(); return true; }
        return fail("unexpected character");
    }
    bool object(int depth) {
        ++i_;
        ws();
        if (eat('}')) return true;
        std::vector<std::string_view> keys;
        for (;;) {
            ws();
            std::size_t start = i_;
            if (!string()) return fail("expected a key");
            std::string_view key = s_.substr(start, i_ - start);
            for (auto k : keys)
                if (k == key) return fail(fmt::format("duplicate key {}", key));
            keys.push_back(key);
            ws();
            if (!eat(':')) return fail("expected ':'");
            ws();
            if (!value(depth + 1)) return false;
            ws();
            if (eat('}')) return true;
            if (!eat(',')) return fail("expected ',' or '}'");
        }
    }
    bool array(int depth) {
        ++i_;
        ws();
        if (eat(']')) return true;
        for (;;) {
            ws();
            if (!value(depth + 1)) return false;
            ws();
            if (eat(']')) return true;
            if (!eat(',')) return fail("expected ',' or ']'");
        }
    }
    bool string() {
        if (!eat('"')) return fail("expected '\"'");
        while (i_ < s_.size()) {
            unsigned char c = static_cast<unsigned char>(s_[i_++]);
            if (c == '"') return true;
            if (c < 0x20) return fail("control character in string");
            if (c >= 0x80) return fail("non-ASCII byte (sniff escapes them)");
            if (c != '\\') continue;
            if (i_ >= s_.size()) break;
            char e = s_[i_++];
            if (e == 'u') {
                for (int k = 0; k < 4; ++k, ++i_)
                    if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return fail("bad \\u escape");
            } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
                return fail("bad escape");
            }
        }
        return fail("unterminated string");
    }
    bool number() {
        eat('-');
        if (eat('0')) {
        } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        } else {
            return fail("bad number");
        }
        if (eat('.')) {
            if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return fail("bad fraction");
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
        if (eat('e') || eat('E')) {
            if (!eat('+')) eat('-');
            if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return fail("bad exponent");
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
        return true;
    }
    std::string_view s_;
    std::size_t i_ = 0;
    std::string error_;
};

std::string json_error(std::string_view s) { return JsonChecker(s).check(); }

TEST(JsonChecker, AcceptsJsonAndRejectsNearMisses) {
    for (const char* good : {R"({"a":1,"b":[true,false,null],"c":"x\"\u00e9","d":-0.5e3})", "[]", R"({"a":{}})"})
        EXPECT_EQ(json_error(good), "") << good;
    for (const char* bad : {R"({"a":1,})", R"({"a" 1})", R"({"a":01})", R"({"a":"\x"})", "{\"a\":\"\x01\"}", R"({"a":1}x)",
                            R"({"a":1,"a":2})", R"([1 2])", R"({"a":tru})", "\"\xc3\xa9\""})
        EXPECT_NE(json_error(bad), "") << bad;
}

// --- golden files: what a person reads. SNIFF_UPDATE_GOLDEN=1 rewrites them.
struct Golden {
    const char* capture;
    const char* args;
    const char* file;
};
const Golden kGolden[] = {
    {"protocols.pcap", "", "protocols.txt"},
    {"protocols.pcap", "-e -v", "protocols-e-v.txt"},
    {"protocols.pcap", "-q -# -ttttt", "protocols-q.txt"},
    {"protocols-null.pcap", "-e", "protocols-null.txt"},
    {"protocols-raw.pcap", "-X", "protocols-raw.txt"},
    {"protocols-radiotap.pcap", "-e", "protocols-radiotap.txt"},
    {"truncated.pcap", "", "truncated.txt"},
    {"cooked.pcap", "-e -c 20", "cooked-e.txt"},
    {"cooked2.pcap", "-c 20", "cooked2.txt"},
};

TEST(DecodeGolden, OutputMatchesTheGoldenFiles) {
    fs::path dir = fs::path(testing_support::source_root()) / "tests" / "golden" / "decode";
    bool update = std::getenv("SNIFF_UPDATE_GOLDEN") != nullptr;
    for (const auto& g : kGolden) {
        Output r = sniff(fmt::format("-r {} {}", capture(g.capture), g.args));
        EXPECT_EQ(r.status, 0) << g.file;
        fs::path path = dir / g.file;
        if (update) {
            fs::create_directories(dir);
            std::ofstream(path, std::ios::binary) << r.out;
            continue;
        }
        std::ifstream in(path, std::ios::binary);
        ASSERT_TRUE(in) << "missing golden file " << path << " (run with SNIFF_UPDATE_GOLDEN=1)";
        std::stringstream want;
        want << in.rdbuf();
        auto got_lines = split_lines(r.out), want_lines = split_lines(want.str());
        ASSERT_EQ(got_lines.size(), want_lines.size()) << g.file;
        for (std::size_t i = 0; i < got_lines.size(); ++i) EXPECT_EQ(got_lines[i], want_lines[i]) << g.file << " line " << i + 1;
    }
}

// --- lines tcpdump 4.99 prints for these packets (tcpdump -n -r), one row per protocol.
struct TcpdumpLine {
    const char* capture;
    std::size_t packet;  // 1-based
    const char* args;
    const char* line;
};
const TcpdumpLine kTcpdumpLines[] = {
    {"protocols.pcap", 1, "", "22:13:20.000000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000000, win 64240, options [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7], length 0"},
    {"protocols.pcap", 3, "", "22:13:20.008383 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 502, length 0"},
    {"protocols.pcap", 4, "", "22:13:20.011617 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:28, ack 1, win 502, length 27: HTTP: GET / HTTP/1.1"},
    {"protocols.pcap", 5, "", "22:13:20.015384 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [P.], seq 1:25, ack 28, win 509, length 24: HTTP: HTTP/1.1 200 OK"},
    {"protocols.pcap", 7, "", "22:13:20.022071 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R], seq 2000025, win 0, length 0"},
    {"protocols.pcap", 8, "", "22:13:20.022967 IP 10.0.0.1.40001 > 10.0.0.2.443: Flags [SEW], seq 77, win 1024, options [nop,nop,sackOK], length 0"},
    {"protocols.pcap", 9, "-e", "22:13:20.026639 00:1b:21:0a:00:01 > 52:54:00:12:34:56, ethertype 802.1Q (0x8100), length 60: vlan 100, p 1, ethertype IPv4 (0x0800), 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4"},
    {"protocols.pcap", 10, "-e", "22:13:20.029688 00:1b:21:0a:00:01 > 52:54:00:12:34:56, ethertype 802.1Q-QinQ (0x88a8), length 74: vlan 10, p 0, ethertype 802.1Q (0x8100), vlan 20, p 0, ethertype IPv6 (0x86dd), 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 1, length 12"},
    {"protocols.pcap", 11, "", "22:13:20.031832 MPLS (label 100, tc 0, ttl 64) (label 200, tc 5, [S], ttl 63) IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 66, seq 1, length 12"},
    {"protocols.pcap", 12, "", "22:13:20.036045 PPPoE  [ses 0x42] IP 10.0.0.1.1234 > 10.0.0.2.53: 257+ A? pppoe.test. (28)"},
    {"protocols.pcap", 13, "", "22:13:20.041339 PPPoE PADI [Service-Name]"},
    // tcpdump -n prints "(138)" here but "(106)" with -v; 106 is the DNS message's length.
    {"protocols.pcap", 15, "", "22:13:20.045516 IP 10.0.0.2.53 > 10.0.0.1.33333: 48879 3/0/0 CNAME web.example.com., A 93.184.216.34, AAAA 2606:2800:220:1::1 (106)"},
    {"protocols.pcap", 16, "", "22:13:20.049242 IP 10.0.0.2.53 > 10.0.0.1.33334: 51966 NXDomain 0/0/0 (30)"},
    {"protocols.pcap", 17, "", "22:13:20.053913 IP 10.0.0.1.33335 > 10.0.0.2.53: 2989+ A? <BAD PTR> [|domain]"},
    {"protocols.pcap", 18, "", "22:13:20.057164 IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 02:42:ac:11:00:02, length 244"},
    {"protocols.pcap", 23, "", "22:13:20.071132 IP 10.0.0.2.123 > 10.0.0.1.123: NTPv4, Server, length 48"},
    {"protocols.pcap", 25, "", "22:13:20.080169 IP 10.0.0.1 > 10.0.0.2: ICMP 10.0.0.1 udp port 33434 unreachable, length 36"},
    {"protocols.pcap", 26, "", "22:13:20.083649 IP 192.0.2.1 > 10.0.0.2: ICMP time exceeded in-transit, length 36"},
    {"protocols.pcap", 27, "", "22:13:20.084573 IP 10.0.0.1 > 224.0.0.22: igmp v3 report, 1 group record(s)"},
    {"protocols.pcap", 28, "", "22:13:20.086249 IP 10.0.0.1 > 224.0.0.2: igmp leave 239.1.1.1"},
    {"protocols.pcap", 31, "", "22:13:20.090378 IP6 fe80::1 > ff02::1: ICMP6, router advertisement, length 48"},
    {"protocols.pcap", 32, "", "22:13:20.091335 IP6 2001:db8::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2, length 32"},
    {"protocols.pcap", 34, "", "22:13:20.097087 IP6 2001:db8::2 > 2001:db8::1: ICMP6, destination unreachable, unreachable port, 2001:db8::2 udp port 7777, length 57"},
    {"protocols.pcap", 35, "", "22:13:20.101164 IP6 2001:db8::1 > 2001:db8::2: HBH frag (0|13) 1000 > 2000: UDP, length 5"},
    {"protocols.pcap", 36, "", "22:13:20.104027 IP 10.0.0.1 > 10.0.0.2: GREv0, key=0x2a, length 39: IP 192.168.0.1 > 192.168.0.2: ICMP echo request, id 9, seq 9, length 11"},
    {"protocols.pcap", 38, "", "22:13:20.111298 IP 10.0.0.1.54322 > 10.0.0.2.6081: Geneve, Flags [none], vni 0x4d: IP 192.168.0.1 > 192.168.0.2: ICMP echo reply, id 9, seq 10, length 10"},
    {"protocols.pcap", 41, "", "22:13:20.116559 IP 10.0.0.1 > 10.0.0.2: ip-proto-17"},
    {"protocols.pcap", 42, "", "22:13:20.118690 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 46"},
    {"protocols.pcap", 43, "-e", "22:13:20.120983 52:54:00:12:34:56 > 00:1b:21:0a:00:01, ethertype ARP (0x0806), length 60: Reply 10.0.0.2 is-at 52:54:00:12:34:56, length 46"},
    {"protocols.pcap", 45, "", "22:13:20.124693 IP 10.0.0.1 > 10.0.0.2:  ip-proto-200 6"},
    {"protocols.pcap", 46, "", "22:13:20.128914 IP bad-hlen 12"},
    {"protocols.pcap", 47, "", "22:13:20.133349 IP 10.0.0.1.1 > 10.0.0.2.2:  tcp 12 [bad hdr length 8 - too short, < 20]"},
    {"protocols.pcap", 49, "", "22:13:20.139596 IP  [|ip]"},
    {"protocols.pcap", 50, "", "22:13:20.144501 IP 10.0.0.1.40000 > 10.0.0.2.80:  [|tcp]"},
    {"protocols.pcap", 51, "", "22:13:20.145344 IP 10.0.0.1.1 > 10.0.0.2.2:  [|udp]"},
    {"protocols.pcap", 52, "", "22:13:20.146753 IP 10.0.0.2.53 > 10.0.0.1.33333: 53261 [|domain]"},
    {"protocols.pcap", 1, "-e", "22:13:20.000000 00:1b:21:0a:00:01 > 52:54:00:12:34:56, ethertype IPv4 (0x0800), length 74: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000000, win 64240, options [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7], length 0"},
    {"protocols.pcap", 1, "-v", "22:13:20.000000 IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)"},
    {"protocols.pcap", 2, "-tt", "1700000000.003138 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 2000000, ack 1000001, win 65160, options [mss 1460,sackOK,TS val 200 ecr 0,nop,wscale 7], length 0"},
    {"protocols.pcap", 2, "-ttt", " 00:00:00.003138 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 2000000, ack 1000001, win 65160, options [mss 1460,sackOK,TS val 200 ecr 0,nop,wscale 7], length 0"},
    {"protocols.pcap", 1, "-tttt", "2023-11-14 22:13:20.000000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000000, win 64240, options [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7], length 0"},
    {"protocols.pcap", 4, "-q -#", "    4  22:13:20.011617 IP 10.0.0.1.40000 > 10.0.0.2.80: tcp 27"},
    {"protocols.pcap", 1, "-t -x", "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000000, win 64240, options [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7], length 0"},
    {"protocols-radiotap.pcap", 1, "", "22:13:20.000000 1.0 Mb/s 2412 MHz 11b -40dBm signal IP 127.0.0.1.1111 > 127.0.0.2.2222: UDP, length 4"},
    {"protocols-null.pcap", 2, "", "22:13:20.005180 IP6 ::1 > ::1: ICMP6, echo request, id 1, seq 2, length 11"},
    {"mixed.pcap", 1, "", "22:13:20.000000 IP 10.0.0.1.35973 > 172.16.5.4.22: Flags [P.], seq 19193846:19193869, ack 564977153, win 29200, length 23: SSH: SSH-2.0-OpenSSH_9.2p1"},
    {"truncated.pcap", 25, "", "22:13:20.068091 IP  [|ip]"},
    {"truncated.pcap", 18, "", "22:13:20.048999  [|ip]"},
};

TEST(DecodeTcpdump, LinesMatchWhatTcpdumpPrints) {
    for (const auto& row : kTcpdumpLines) {
        Output r = sniff(fmt::format("-r {} {}", capture(row.capture), row.args));
        auto lines = split_lines(r.out);
        // Multi-line output (-v, -x) puts continuation lines after each packet's first line, and
        // VXLAN's inner frame follows on a line of its own.
        std::vector<std::string> firsts;
        for (std::size_t k = 0; k < lines.size(); ++k)
            if (const auto& l = lines[k]; k > 0 && lines[k - 1].find("VXLAN") != std::string::npos) continue;
            else if (!l.empty() && l[0] != '\t' && l.rfind("    ", 0) != 0) firsts.push_back(l);
            else if (l.rfind("    ", 0) == 0 && std::string_view(row.args).find("-#") != std::string_view::npos) firsts.push_back(l);
        ASSERT_GE(firsts.size(), row.packet) << row.capture << " " << row.args;
        EXPECT_EQ(firsts[row.packet - 1], row.line) << row.capture << " packet " << row.packet << " " << row.args;
    }
}

// Where the formats are meant to match in full, compare with the installed tcpdump line by
// line (trailing spaces aside). Skipped when tcpdump is missing.
TEST(DecodeTcpdump, WholeCapturesMatchTheInstalledTcpdump) {
    if (shell("command -v tcpdump").status != 0) GTEST_SKIP() << "tcpdump is not installed";
    for (const char* name : {"mixed.pcap", "nsec.pcap", "cut-short.pcap", "corrupt-tail.pcap", "protocols.pcap",
                             "protocols-null.pcap", "protocols-raw.pcap", "protocols-radiotap.pcap"}) {
        auto theirs = split_lines(shell(fmt::format("tcpdump -n -r {}", capture(name))).out);
        auto ours = split_lines(sniff(fmt::format("-r {}", capture(name))).out);
        ASSERT_EQ(ours.size(), theirs.size()) << name;
        std::size_t differ = 0;
        for (std::size_t i = 0; i < ours.size(); ++i) {
            if (ours[i] == theirs[i]) continue;
            // See kTcpdumpLines: tcpdump's non-verbose DNS length for this multi-answer reply.
            if (std::string_view(name) == "protocols.pcap" && i + 1 == 15) continue;
            ++differ;
            ADD_FAILURE() << name << " packet " << i + 1 << "\n  sniff:   " << ours[i] << "\n  tcpdump: " << theirs[i];
        }
        EXPECT_EQ(differ, 0u) << name;
    }
}

TEST(DecodeDumps, HexAndAsciiLayoutsAreTcpdumps) {
    Output x = sniff(fmt::format("-r {} -c 1 -t -x", capture("protocols.pcap")));
    ASSERT_GE(split_lines(x.out).size(), 5u) << x.out;
    EXPECT_EQ(split_lines(x.out)[1], "\t0x0000:  4500 003c 1234 4000 4006 1486 0a00 0001");
    EXPECT_EQ(split_lines(x.out)[4], "\t0x0030:  0000 0064 0000 0000 0103 0307");
    Output xx = sniff(fmt::format("-r {} -c 1 -t -XX", capture("protocols.pcap")));
    auto l = split_lines(xx.out);
    ASSERT_EQ(l.size(), 6u);
    EXPECT_EQ(l[1], "\t0x0000:  5254 0012 3456 001b 210a 0001 0800 4500  RT..4V..!.....E.");
    EXPECT_EQ(l[5], "\t0x0040:  0064 0000 0000 0103 0307                 .d........");
    std::string a;
    const std::uint8_t bytes[] = {'G', 'E', 'T', '\r', '\n', 0x01, 'x', '\n'};
    decode::append_ascii_dump(a, bytes);
    EXPECT_EQ(a, "\nGET\n.x\n");
}

TEST(DecodeTimestamps, EachTFormat) {
    using decode::TimeFormat;
    struct Row {
        TimeFormat f;
        const char* first;
        const char* second;
    } rows[] = {
        {TimeFormat::none, "", ""},
        {TimeFormat::epoch, "1700000000.000000 ", "1700003661.250000 "},
        {TimeFormat::delta_previous, " 00:00:00.000000 ", " 01:01:01.250000 "},
        {TimeFormat::date_clock, "2023-11-14 22:13:20.000000 ", "2023-11-14 23:14:21.250000 "},
        {TimeFormat::delta_first, " 00:00:00.000000 ", " 01:01:01.250000 "},
        {TimeFormat::clock, "22:13:20.000000 ", "23:14:21.250000 "},
    };
    for (const auto& r : rows) {
        decode::TimestampFormatter t(r.f);
        std::string a, b;
        t.append(a, 1700000000, 0);
        t.append(b, 1700003661, 250000);
        EXPECT_EQ(a, r.first);
        EXPECT_EQ(b, r.second);
    }
}

// Relative sequence numbers follow tcpdump: absolute on the SYN and SYN-ACK, relative after.
TEST(DecodeTcp, SequenceNumbersBecomeRelativePerConnection) {
    Output r = sniff(fmt::format("-r {} -c 6 -t", capture("protocols.pcap")));
    auto l = split_lines(r.out);
    ASSERT_EQ(l.size(), 6u);
    EXPECT_NE(l[1].find("seq 2000000, ack 1000001"), std::string::npos) << l[1];
    EXPECT_NE(l[5].find("Flags [F.], seq 28, ack 25"), std::string::npos) << l[5];
}

// Every prefix of every packet decodes, renders and stays inside its bytes (each prefix is a
// separate, exactly sized allocation, so ASan reports a read one past it); a packet cut inside
// a header it needs says so with a marker.
TEST(DecodeTruncation, EveryPrefixOfEveryPacketDecodes) {
    std::size_t prefixes = 0, marked = 0;
    for (const char* name : {"protocols.pcap", "protocols-null.pcap", "protocols-raw.pcap", "protocols-radiotap.pcap",
                             "mixed.pcap", "cooked.pcap", "cooked2.pcap"}) {
        int dlt = 0;
        auto records = read_all(capture(name), dlt);
        ASSERT_FALSE(records.empty()) << name;
        std::size_t limit = std::string_view(name) == "mixed.pcap" ? 120 : records.size();
        decode::Decoded d;
        for (std::size_t i = 0; i < records.size() && i < limit; ++i) {
            const auto& rec = records[i];
            for (std::size_t n = 0; n <= rec.bytes.size(); ++n) {
                auto copy = std::make_unique<std::uint8_t[]>(n == 0 ? 1 : n);
                std::copy_n(rec.bytes.begin(), n, copy.get());
                decode::decode_packet({copy.get(), n}, rec.wire, dlt, nullptr, d);
                std::string text, json;
                decode::append_text(text, d, {});
                decode::append_text(text, d, {2, true, false});
                decode::append_json(json, d, {1, rec.sec, rec.usec});
                ASSERT_EQ(json_error(json), "") << name << "#" << i << " cut at " << n << ": " << json;
                ++prefixes;
                // ICMPv6's quoted datagram is decoded but never printed (as in tcpdump), so a cut
                // there shows no marker.
                bool quoted6 = false;
                for (const auto& l : d.layers) quoted6 |= l.protocol == "quoted" && l.text("by") == "icmp6";
                if (!d.truncated.empty() && !quoted6) {
                    ++marked;
                    // The marker names the protocol being printed where the bytes ran out (a
                    // quoted datagram's cut shows only at -v, as in tcpdump).
                    EXPECT_NE(text.find("[|"), std::string::npos) << text;
                }
            }
        }
    }
    EXPECT_GT(prefixes, 10000u);
    EXPECT_GT(marked, prefixes / 2) << "most cuts land inside a header";
}

TEST(DecodeJson, EveryLineOfEveryCaptureParses) {
    std::size_t checked = 0;
    for (const auto& e : fs::directory_iterator(fs::path(testing_support::source_root()) / "captures")) {
        if (e.path().extension() != ".pcap") continue;
        Output r = sniff(fmt::format("-r {} --json", e.path().string()));
        for (const auto& line : split_lines(r.out)) {
            ASSERT_EQ(json_error(line), "") << e.path().filename() << ": " << line;
            ++checked;
        }
    }
    EXPECT_GT(checked, 1900u);
    Output one = sniff(fmt::format("-r {} -c 1 --json", capture("protocols.pcap")));
    EXPECT_EQ(one.out.rfind(R"({"number":1,"time":"1700000000.000000",)", 0), 0u) << one.out;
    EXPECT_NE(one.out.find(R"("src":"10.0.0.1","dst":"10.0.0.2","sport":40000,"dport":80,"protocol":"tcp")"), std::string::npos) << one.out;
    EXPECT_NE(one.out.find(R"("flags_text":"S")"), std::string::npos) << one.out;
}

TEST(DecodeJson, StringsAreEscaped) {
    std::string s;
    decode::append_json_string(s, std::string("a\"b\\c\n\x01\xff", 8));
    EXPECT_EQ(s, R"("a\"b\\c\n\u0001\u00ff")");
}

// The shared tcpdump corpus: every packet of every file decodes and renders (text, -e -vv,
// JSON) without a crash; under ASan/UBSan without an out-of-bounds read.
// The shared corpus, or without it the project's own captures/.
TEST(DecodeCorpus, SharedCorpusDecodesWithoutACrash) {
    std::string dir = testing_support::shared_corpus_dir();
    if (dir.empty()) {
        std::printf("note: no shared corpus beside the checkout; decoding captures/ instead\n");
        dir = (fs::path(testing_support::source_root()) / "captures").string();
    }
    std::size_t files = 0, packets = 0;
    decode::Decoded d;
    decode::TcpFlows flows;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto ext = e.path().extension();
        if (ext != ".pcap" && ext != ".pcapng") continue;
        int dlt = 0;
        auto records = read_all(e.path().string(), dlt);
        if (dlt < 0) continue;
        ++files;
        flows.clear();
        for (const auto& rec : records) {
            auto copy = std::make_unique<std::uint8_t[]>(rec.bytes.empty() ? 1 : rec.bytes.size());
            std::copy(rec.bytes.begin(), rec.bytes.end(), copy.get());
            decode::decode_packet({copy.get(), rec.bytes.size()}, rec.wire, dlt, &flows, d);
            std::string text, json;
            decode::append_text(text, d, {});
            decode::append_text(text, d, {2, true, false});
            decode::append_hex_dump(text, rec.bytes, true);
            decode::append_json(json, d, {packets + 1, rec.sec, rec.usec});
            ASSERT_EQ(json_error(json), "") << e.path().filename() << ": " << json;
            ++packets;
        }
    }
    EXPECT_GT(files, 0u);
    std::printf("decoded %zu packets from %zu corpus files\n", packets, files);
}

}  // namespace

namespace {

// A one-packet pcap of link type `dlt` in a temporary file.
// A pcap file of link type `dlt` holding `packets`, one second apart, in the temporary directory.
std::string packets_pcap(int dlt, const std::vector<std::vector<std::uint8_t>>& packets) {
    std::string path = (fs::temp_directory_path() / fmt::format("sniff-decode-dlt{}-{}.pcap", dlt, ::getpid())).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    const std::uint32_t header[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, static_cast<std::uint32_t>(dlt)};
    std::fwrite(header, sizeof header, 1, f);
    std::uint32_t second = 1700000000;
    for (const auto& packet : packets) {
        const std::uint32_t record[4] = {second++, 0, static_cast<std::uint32_t>(packet.size()), static_cast<std::uint32_t>(packet.size())};
        std::fwrite(record, sizeof record, 1, f);
        std::fwrite(packet.data(), 1, packet.size(), f);
    }
    std::fclose(f);
    return path;
}

std::string one_packet_pcap(int dlt, const std::vector<std::uint8_t>& packet) { return packets_pcap(dlt, {packet}); }

std::vector<std::uint8_t> bytes(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// The link types whose filters sniff compiles but which have no sample capture (the shared
// corpus has Linux ARCnet; DecodeCorpus reads it): the same UDP
// datagram in each link layer prints as the installed tcpdump prints it.
TEST(DecodeTcpdump, LanAndWirelessLinkTypesMatchTheInstalledTcpdump) {
    if (shell("command -v tcpdump").status != 0) GTEST_SKIP() << "tcpdump is not installed";
    const std::vector<std::uint8_t> ip = {0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                                          0x04, 0x57, 0x08, 0xae, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
    const std::vector<std::uint8_t> snap_ip = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
    const std::vector<std::uint8_t> macs = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    // 802.11 data frame, From DS: DA, BSSID, SA, sequence.
    const std::vector<std::uint8_t> wifi = {0x08, 0x02, 0, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 1, 0, 0};
    std::vector<std::uint8_t> prism(144, 0);
    prism[0] = 0x44;
    std::vector<std::uint8_t> avs(64, 0);
    avs[0] = 0x80, avs[1] = 0x21, avs[2] = 0x10, avs[3] = 0x01, avs[7] = 64;
    // struct pfloghdr: length 61, AF_INET, pass, match, on em0, rule 3, inbound; padded to 64.
    std::vector<std::uint8_t> pflog(64, 0);
    pflog[0] = 61, pflog[1] = 2, pflog[4] = 'e', pflog[5] = 'm', pflog[6] = '0', pflog[39] = 3, pflog[60] = 1;
    const std::pair<int, std::vector<std::uint8_t>> rows[] = {
        {10, bytes({{0x50}, macs, snap_ip, ip})},                     // FDDI
        {6, bytes({{0x10, 0x40}, macs, snap_ip, ip})},                // Token Ring
        {105, bytes({wifi, snap_ip, ip})},                            // 802.11
        {192, bytes({{0, 0, 8, 0, 105, 0, 0, 0}, wifi, snap_ip, ip})},  // PPI
        {119, bytes({prism, wifi, snap_ip, ip})},                     // Prism
        {51, bytes({{0x11, 0, 0x12, 0x34, 0, 34, 0, 0x21}, ip})},      // PPPoE session
        {163, bytes({avs, wifi, snap_ip, ip})},                       // AVS
        {117, bytes({pflog, ip})},                                    // pf log
        {7, bytes({{0x1f, 0x50, 0xd4, 0, 0, 1}, ip})},                // ARCnet (RFC 1201)
        {129, bytes({{0x1f, 0x50, 0, 0, 0xd4, 0, 0, 1}, ip})},        // Linux ARCnet
    };
    for (const auto& [dlt, packet] : rows) {
        std::string file = one_packet_pcap(dlt, packet);
        auto theirs = split_lines(shell(fmt::format("tcpdump -n -r {}", file)).out);
        auto ours = split_lines(sniff(fmt::format("-r {} udp", file)).out);
        ASSERT_EQ(ours.size(), 1u) << "link type " << dlt;
        ASSERT_EQ(theirs.size(), 1u) << "link type " << dlt;
        EXPECT_EQ(ours[0], theirs[0]) << "link type " << dlt;
        fs::remove(file);
    }
}

}  // namespace

namespace {

// The shared corpus's Linux ARCnet captures (RFC 1051 and RFC 1201 headers, ARP with one-byte
// hardware addresses, ICMP, HTTP) print as the installed tcpdump prints them, line for line.
// Without the corpus, frames of the same kinds built here: RFC 1051 and RFC 1201 headers
// carrying IP and ARP (hardware type 7, one-byte addresses).
TEST(DecodeTcpdump, ArcnetCorpusCapturesMatchTheInstalledTcpdump) {
    ASSERT_EQ(shell("command -v tcpdump").status, 0) << "tcpdump is installed by scripts/setup.sh --tests";
    const std::string dir = testing_support::shared_corpus_dir();
    std::vector<std::string> paths;
    for (const char* name : {"arcnet-rfc1051-arp-icmp-http.pcap", "arcnet-rfc1201-arp-icmp-http.pcap"})
        if (!dir.empty() && fs::exists(fs::path(dir) / name)) paths.push_back((fs::path(dir) / name).string());
    std::string built;
    if (paths.empty()) {
        const std::vector<std::uint8_t> ip = {0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                                              0x04, 0x57, 0x08, 0xae, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
        auto arp = [](std::uint8_t op, std::uint8_t target_hw) {
            return std::vector<std::uint8_t>{0, 7, 0x08, 0x00, 1, 4, 0, op, 0x1f, 10, 0, 0, 1, target_hw, 10, 0, 0, 2};
        };
        built = packets_pcap(129, {bytes({{0x1f, 0x50, 0, 0, 0xf0}, ip}),                // RFC 1051 IP
                                   bytes({{0x1f, 0x50, 0, 0, 0xf1}, arp(1, 0)}),         // RFC 1051 ARP request
                                   bytes({{0x50, 0x1f, 0, 0, 0xd5, 0, 0, 2}, arp(2, 0x50)}),  // RFC 1201 ARP reply
                                   bytes({{0x1f, 0x50, 0, 0, 0xd4, 0, 0, 3}, ip})});     // RFC 1201 IP
        paths.push_back(built);
    }
    std::size_t compared = 0;
    for (const std::string& path : paths) {
        const std::string name = fs::path(path).filename().string();
        auto theirs = split_lines(shell(fmt::format("tcpdump -n -r {}", path)).out);
        auto ours = split_lines(sniff(fmt::format("-r {}", path)).out);
        ASSERT_EQ(ours.size(), theirs.size()) << name;
        for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], theirs[i]) << name << " packet " << i + 1;
        compared += ours.size();
    }
    if (!built.empty()) fs::remove(built);
    EXPECT_GE(compared, 4u);
}

}  // namespace
