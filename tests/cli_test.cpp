// The sniff binary as a user runs it: dumps, offline filtering, writing, and every bad input's
// message and exit status.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <sstream>

#include "capture/pcap_file_sink.hpp"
#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/program.hpp"
#include "compiler/compile.hpp"
#include "ebpf/dump.hpp"
#include "ebpf/loader.hpp"
#include "packet_corpus.hpp"
#include "../tools/pcapng_write.hpp"

namespace {

namespace fs = std::filesystem;

struct Outcome {
    int status;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string capture_path(const char* name) { return (fs::path(testing_support::source_root()) / "captures" / name).string(); }

fs::path temp_file(const char* name) { return fs::temp_directory_path() / fmt::format("sniff_cli_{}_{}", ::getpid(), name); }

// Runs `sniff ARGS` through the shell (ARGS is shell text, so quote filters).
Outcome sniff(const std::string& args, const std::string& stdin_file = "/dev/null") {
    const char* bin = std::getenv("SNIFF_BINARY");
    EXPECT_NE(bin, nullptr) << "SNIFF_BINARY is set by meson";
    fs::path out = temp_file("stdout"), err = temp_file("stderr");
    int rc = std::system(fmt::format("{} {} <{} >{} 2>{}", bin ? bin : "sniff", args, stdin_file, out.string(), err.string()).c_str());
    Outcome o{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
    fs::remove(out);
    fs::remove(err);
    return o;
}

// Runs a shell command in which SNIFF stands for the binary (pipelines, redirections of its own).
Outcome shell(std::string command) {
    const char* bin = std::getenv("SNIFF_BINARY");
    for (std::size_t at; (at = command.find("SNIFF")) != std::string::npos;) command.replace(at, 5, bin ? bin : "sniff");
    fs::path out = temp_file("stdout"), err = temp_file("stderr");
    int rc = std::system(fmt::format("{{ {}; }} </dev/null >{} 2>{}", command, out.string(), err.string()).c_str());
    Outcome o{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
    fs::remove(out);
    fs::remove(err);
    return o;
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// Packets printed: lines that start with a timestamp (hex dumps of undecoded payloads and
// VXLAN's inner frame continue a packet on lines of their own).
std::size_t packet_lines(const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = 0; at < s.size(); at = s.find('\n', at) + 1) {
        if (s.size() - at >= 3 && std::isdigit(static_cast<unsigned char>(s[at])) && s[at + 2] == ':') ++n;
        if (s.find('\n', at) == std::string::npos) break;
    }
    return n;
}

// libpcap's own count of packets matching `expr` in a file: the oracle for -r (netmask 0, as
// tcpdump -r passes it).
std::size_t libpcap_matches(const std::string& path, const char* expr) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    EXPECT_NE(p, nullptr) << err;
    bpf_program prog{};
    EXPECT_EQ(pcap_compile(p, &prog, expr, 1, 0), 0);
    pcap_pkthdr* h;
    const u_char* d;
    std::size_t n = 0;
    while (pcap_next_ex(p, &h, &d) == 1) n += pcap_offline_filter(&prog, h, d) != 0;
    pcap_freecode(&prog);
    pcap_close(p);
    return n;
}

TEST(Cli, DumpLevelsMatchTheCompiledProgram) {
    auto prog = sniff::compile("tcp port 443");
    ASSERT_TRUE(prog);
    for (int level = 1; level <= 3; ++level) {
        Outcome o = sniff(fmt::format("-{} 'tcp port 443'", std::string(level, 'd')));
        EXPECT_EQ(o.status, 0) << o.err;
        EXPECT_EQ(o.out, cbpf::dump(*prog, level)) << "level " << level;
    }
}

// -d/-dd/-ddd --ebpf print the program compile_ebpf makes for --hook (the socket filter by
// default), for -y's link type.
TEST(Cli, EbpfDumpsMatchTheCompiledProgram) {
    for (const auto& [flags, hook, dlt] : {std::tuple{"", ebpf::Hook::Socket, 1}, std::tuple{"--hook xdp", ebpf::Hook::Xdp, 1},
                                           std::tuple{"--hook tc", ebpf::Hook::Tc, 1}, std::tuple{"--hook socket -y LINUX_SLL", ebpf::Hook::Socket, 113}}) {
        SCOPED_TRACE(flags);
        auto prog = sniff::compile_ebpf("tcp port 443", {.dlt = dlt, .kernel_vlan = hook == ebpf::Hook::Tc}, hook);
        ASSERT_TRUE(prog) << prog.error().message;
        Outcome d = sniff(fmt::format("-d --ebpf {} 'tcp port 443'", flags));
        EXPECT_EQ(d.status, 0) << d.err;
        EXPECT_EQ(d.out, ebpf::dump(prog->insns));
        Outcome dd = sniff(fmt::format("-dd {} --ebpf 'tcp port 443'", flags));
        EXPECT_EQ(dd.out, ebpf::dump_c_array(prog->insns));
        Outcome ddd = sniff(fmt::format("-ddd {} --ebpf 'tcp port 443'", flags));
        EXPECT_EQ(ddd.out.substr(0, ddd.out.find('\n')), std::to_string(prog->insns.size()));
        EXPECT_EQ(lines(ddd.out), prog->insns.size() + 1);
    }
    // --hook alone means --ebpf.
    EXPECT_EQ(sniff("-d --hook xdp 'tcp port 443'").out, sniff("-d --ebpf --hook xdp 'tcp port 443'").out);
}

// A list past the map threshold: -d prints the map references and one line per map after the
// program, -dd the maps as comments after the array; --verify runs the map program at each hook.
TEST(Cli, EbpfDumpsShowTheMaps) {
    std::string ports = "port 1";
    for (int i = 0; i < 300; ++i) ports += fmt::format(" or port {}", 1000 + 2 * i);
    auto prog = sniff::compile_ebpf(ports, {.dlt = 1}, ebpf::Hook::Socket);
    ASSERT_TRUE(prog) << prog.error().message;
    ASSERT_EQ(prog->maps.size(), 1u);
    Outcome d = sniff(fmt::format("-d --ebpf '{}'", ports));
    EXPECT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(d.out, ebpf::dump(prog->insns) + "map[0]: array sniff_bits0, key 4 bytes, value 8192 bytes, 1 entries, read-only\n");
    EXPECT_NE(d.out.find("r1 = map[0][0]+0"), std::string::npos);
    Outcome dd = sniff(fmt::format("-dd --ebpf '{}'", ports));
    EXPECT_EQ(dd.out, ebpf::dump_c_array(prog->insns) + "/* map[0]: array sniff_bits0, key 4 bytes, value 8192 bytes, 1 entries, read-only */\n");
    if (ebpf::bpf_unavailable()) return;
    Outcome v = sniff(fmt::format("--verify -r {} '{} or port 53'", capture_path("mixed.pcap"), ports));
    EXPECT_EQ(v.status, 0) << v.err;
    EXPECT_NE(v.err.find(" 0 disagreements"), std::string::npos) << v.err;
    EXPECT_NE(v.err.find("eBPF XDP checked"), std::string::npos) << v.err;
}

TEST(Cli, EbpfOptionsThatCannotApplyAreRefused) {
    for (const auto& [args, says] : {
             std::pair{"--ebpf --bpf /dev/null -d", "classic BPF program"},
             std::pair{"--ebpf -r /dev/null tcp", "--verify -r FILE"},
             std::pair{"--hook xdp -i lo tcp", "--hook xdp is for -d"},
             std::pair{"--ebpf --backend pcap -i lo tcp", "--backend pcap"},
             std::pair{"-d --hook nowhere tcp", "nowhere"},
             std::pair{"-d --ebpf 'tcp port'", "tcp port"},
         }) {
        SCOPED_TRACE(args);
        Outcome o = sniff(args);
        EXPECT_NE(o.status, 0);
        EXPECT_NE(o.err.find(says), std::string::npos) << o.err;
    }
}

TEST(Cli, LinkTypeAndSnaplenApplyToDumps) {
    Outcome sll = sniff("-y LINUX_SLL -d ip");
    EXPECT_EQ(sll.status, 0);
    EXPECT_EQ(sll.out.substr(0, sll.out.find('\n')), "(000) ldh      [14]");
    EXPECT_EQ(sniff("-y 113 -d ip").out, sll.out);
    Outcome snap = sniff("-s 100 -d ip");
    EXPECT_NE(snap.out.find("ret      #100\n"), std::string::npos) << snap.out;
    Outcome words = sniff("-d tcp port 443");  // several words, joined as tcpdump joins them
    EXPECT_EQ(words.out, sniff("-d 'tcp port 443'").out);
}

struct BadInput {
    const char* args;
    const char* stderr_part;
};

const BadInput kBadInputs[] = {
    {"-d 'tcp port'", "filter error at column 9: expected a port number or name after 'port'\n  tcp port\n          ^"},
    {"-d 'net 10.0.0.1/8'", "column 5: non-network bits set in '10.0.0.1/8'"},
    {"-d 'port 80 443'", "unexpected '443'"},
    {"-d '(tcp'", "expected ')'"},
    {"-d 'host no-such-host.invalid'", "unknown host 'no-such-host.invalid'"},
    {"-y BOGUS -d ip", "unknown or unsupported link type 'BOGUS'"},
    {"-r /nonexistent/x.pcap", "/nonexistent/x.pcap"},
    {"-r CAPTURES/mixed.pcap 'tcp port'", "expected a port number or name after 'port'"},
    {"-r CAPTURES/mixed.pcap -w /nonexistent/dir/out.pcap", "/nonexistent/dir/out.pcap"},
    {"-F /nonexistent/filter.txt -d", "-F /nonexistent/filter.txt: No such file or directory"},
    // A filter or program file is a regular file, a pipe or a character device, read with a size bound.
    {"-F / -d", "-F /: is a directory; give a regular file or a pipe"},
    {"-F /dev/zero -d", "-F /dev/zero: more than the 16777216 bytes sniff reads"},
    {"--bpf / -r CAPTURES/mixed.pcap", "--bpf /: is a directory"},
    {"--bpf CAPTURES/mixed.pcap -r CAPTURES/mixed.pcap 'tcp port 80'", "the expression 'tcp port 80' would be ignored"},
    {"-F CAPTURES/mixed.pcap -d udp", "the expression 'udp' would be ignored"},
    {"--bpf /dev/null -F /dev/null -d", "--bpf and -F both give the filter"},
    {"-s 262145 -d ip", "invalid snaplen 262145 (must be >= 0 and <= 262144)"},
    {"-s 4294967295 -d ip", "invalid snaplen 4294967295"},
    {"-s -1 -d ip", "invalid snaplen -1 (must be >= 0 and <= 262144)"},
    {"-s 5x -d ip", "invalid snaplen 5x"},
    {"-s '' -d ip", "invalid snaplen  (must be"},
    // libpcap refuses what needs packet metadata when it reads a file (tcpdump -r says the same).
    {"-r CAPTURES/mixed.pcap inbound", "column 1: inbound/outbound not supported on Ethernet when reading savefiles"},
    {"-r CAPTURES/mixed.pcap 'ifindex 2'", "ifindex not supported on Ethernet when reading savefiles"},
    {"-i sniff-no-such-if0 tcp", "sniff-no-such-if0: no such interface; the interfaces here are: lo"},
    {"", "nothing to do"},
    {"-c 0 -r CAPTURES/mixed.pcap", "-c"},
    {"--no-such-flag", "no-such-flag"},
};

TEST(Cli, BadInputsGetAMessageAndNonZeroExit) {
    const std::string caps = (fs::path(testing_support::source_root()) / "captures").string();
    for (const auto& c : kBadInputs) {
        std::string args = c.args;
        if (auto at = args.find("CAPTURES"); at != std::string::npos) args.replace(at, 8, caps);
        Outcome o = sniff(args);
        EXPECT_NE(o.status, 0) << args;
        EXPECT_NE(o.err.find(c.stderr_part), std::string::npos) << args << "\nstderr: " << o.err;
    }
}

TEST(Cli, ReadPrintsOneLinePerPacketLibpcapMatches) {
    for (const char* expr : {"tcp port 443", "udp", "host 10.0.0.1", "not ip", "port 53 or arp", "ip broadcast"}) {
        Outcome o = sniff(fmt::format("-r {} '{}'", capture_path("mixed.pcap"), expr));
        EXPECT_EQ(o.status, 0) << o.err;
        EXPECT_EQ(packet_lines(o.out), libpcap_matches(capture_path("mixed.pcap"), expr)) << expr;
    }
    // 802.11 with radiotap: header lengths computed per packet; libpcap counts the same.
    for (const char* expr : {"type data", "udp", "wlan src 00:1b:21:0a:00:01 and not type mgt", "wlan dst ff:ff:ff:ff:ff:ff and ip6", "not subtype beacon", "ip[9] = 17"}) {
        Outcome o = sniff(fmt::format("-r {} '{}'", capture_path("protocols-radiotap.pcap"), expr));
        EXPECT_EQ(o.status, 0) << o.err;
        EXPECT_EQ(packet_lines(o.out), libpcap_matches(capture_path("protocols-radiotap.pcap"), expr)) << expr;
        EXPECT_GT(packet_lines(o.out), 0u) << expr;
    }
    Outcome all = sniff(fmt::format("-r {}", capture_path("mixed.pcap")));
    EXPECT_EQ(packet_lines(all.out), 1000u);
    // TZ=UTC (meson sets it): the first packet is at 1700000000.000000.
    EXPECT_EQ(all.out.substr(0, all.out.find('\n')), "22:13:20.000000 IP 10.0.0.1.35973 > 172.16.5.4.22: Flags [P.], seq 19193846:19193869, ack 564977153, win 29200, length 23: SSH: SSH-2.0-OpenSSH_9.2p1");
}

TEST(Cli, CountStopsEarlyAndStdinWorks) {
    Outcome o = sniff("-r - -c 7 udp", capture_path("mixed.pcap"));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(packet_lines(o.out), 7u);
}

TEST(Cli, FilterFromFileWithComments) {
    fs::path f = temp_file("filter.txt");
    std::ofstream(f) << "# web traffic\ntcp port 443   # https\n";
    Outcome o = sniff(fmt::format("-F {} -d", f.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(o.out, sniff("-d 'tcp port 443'").out);
    fs::remove(f);
    // /dev/null is an empty filter, as in tcpdump: every packet.
    Outcome empty = sniff("-F /dev/null -d");
    EXPECT_EQ(empty.status, 0) << empty.err;
    EXPECT_EQ(empty.out, "(000) ret      #262144\n");
}

std::size_t count_and_check(const fs::path& file, const char* expr) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(file.c_str(), err);
    EXPECT_NE(p, nullptr) << err;
    if (!p) return 0;
    bpf_program prog{};
    EXPECT_EQ(pcap_compile(p, &prog, expr, 1, 0), 0);
    pcap_pkthdr* h;
    const u_char* d;
    std::size_t n = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        ++n;
        EXPECT_NE(pcap_offline_filter(&prog, h, d), 0) << "packet " << n << " of the output does not match " << expr;
    }
    pcap_freecode(&prog);
    pcap_close(p);
    return n;
}

TEST(Cli, WriteProducesAPcapLibpcapReadsBack) {
    fs::path out = temp_file("out.pcap");
    Outcome o = sniff(fmt::format("-r {} -w {} -c 10 udp", capture_path("mixed.pcap"), out.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(count_and_check(out, "udp"), 10u);
    // -w - writes the pcap to stdout.
    Outcome piped = sniff(fmt::format("-r {} -w - 'tcp port 443'", capture_path("mixed.pcap")));
    EXPECT_EQ(piped.status, 0) << piped.err;
    std::ofstream(out, std::ios::binary) << piped.out;
    EXPECT_EQ(count_and_check(out, "tcp port 443"), libpcap_matches(capture_path("mixed.pcap"), "tcp port 443"));
    fs::remove(out);
}

TEST(Cli, DamagedFileKeepsEveryGoodPacketThenFails) {
    Outcome printed = sniff(fmt::format("-r {}", capture_path("corrupt-tail.pcap")));
    EXPECT_EQ(printed.status, 1);
    EXPECT_EQ(packet_lines(printed.out), 30u);
    EXPECT_NE(printed.err.find("damaged record at file offset 3416"), std::string::npos) << printed.err;

    fs::path out = temp_file("cut.pcap");
    Outcome written = sniff(fmt::format("-r {} -w {}", capture_path("cut-short.pcap"), out.string()));
    EXPECT_EQ(written.status, 1);
    EXPECT_NE(written.err.find("truncated dump file"), std::string::npos) << written.err;
    EXPECT_EQ(count_and_check(out, ""), 30u);
    fs::remove(out);
}

}  // namespace

namespace {

fs::path write_text(const char* name, const std::string& text) {
    fs::path f = temp_file(name);
    std::ofstream(f) << text;
    return f;
}

TEST(CliVm, VerifyReportsAgreementOfAllExecutors) {
    Outcome o = sniff(fmt::format("--verify -r {} 'tcp port 443 or host 10.0.0.1'", capture_path("truncated.pcap")));
    EXPECT_EQ(o.status, 0) << o.err << o.out;
    EXPECT_NE(o.err.find("verified 200 packets: 0 disagreements; kernel checked 200"), std::string::npos) << o.err;
    // The eBPF legs: the socket filter, XDP and TC through BPF_PROG_TEST_RUN.
    EXPECT_NE(o.err.find("; eBPF socket filter checked 200; eBPF XDP checked "), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("; eBPF TC checked "), std::string::npos) << o.err;
}

TEST(CliVm, VerifyFindsWhereTheKernelParts) {
    // `ldh [proto]; ret a`: an ancillary load, so the kernel returns skb->protocol (non-zero) and
    // keeps bytes, while libpcap and sniff's VM treat the offset as past the packet and return 0.
    fs::path prog = write_text("anc.txt", "2\n40 0 0 4294963200\n22 0 0 0\n");
    Outcome o = sniff(fmt::format("--verify -c 3 -r {} --bpf {}", capture_path("mixed.pcap"), prog.string()));
    EXPECT_EQ(o.status, 1) << o.err;
    EXPECT_NE(o.out.find("packet 1 (captured"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("sniff VM 0, fast path 0, libpcap 0, kernel kept"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("(000) ldh      [proto]"), std::string::npos) << o.out;
    EXPECT_NE(o.err.find("3 disagreements"), std::string::npos) << o.err;
    fs::remove(prog);
}

TEST(CliVm, TraceExplainsEachVerdict) {
    Outcome o = sniff(fmt::format("--trace -c 2 -r {} 'udp port 53'", capture_path("mixed.pcap")));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_NE(o.out.find("packet 1 (captured 77 of 77 bytes): rejected"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("packet 2 (captured"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("(000) ldh      [12]"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("A = 0x800 (bytes [12:2])"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("-> reject"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("packet 3"), std::string::npos) << "-c 2 stops after two packets";
    Outcome cut = sniff(fmt::format("--trace -r {} 'tcp port 443'", capture_path("truncated.pcap")));
    EXPECT_NE(cut.out.find("were not captured"), std::string::npos) << "a truncated packet names the missing bytes";
}

TEST(CliVm, BpfProgramTextRunsAfterValidation) {
    auto ip = sniff::compile("ip");
    ASSERT_TRUE(ip);
    fs::path prog = write_text("ip.txt", cbpf::dump(*ip, 3));
    Outcome o = sniff(fmt::format("-r {} --bpf {}", capture_path("mixed.pcap"), prog.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(packet_lines(o.out), libpcap_matches(capture_path("mixed.pcap"), "ip"));
    fs::remove(prog);
}

struct BadProgram {
    const char* text;
    const char* message_part;
};

const BadProgram kBadPrograms[] = {
    {"2\n6 0 0 1\n7 0 0 0\n", "invalid program at instruction 1: the last instruction is not a return (no-final-return)"},
    {"2\n21 5 0 1\n6 0 0 0\n", "invalid program at instruction 0: jump (jt 5, jf 0) leaves the program (jump-out-of-range)"},
    {"3\n96 0 0 2\n22 0 0 0\n6 0 0 0\n", "instruction 0: M[2] is read before it is written"},
    {"2\n52 0 0 0\n6 0 0 0\n", "instruction 0: division or modulo by constant zero"},
    {"3\n6 0 0 0\n", "the count says 3 instructions but 1 follow"},
    {"1\n6 0 0\n", "instruction 0: expected four numbers"},
    {"2\n65535 0 0 0\n6 0 0 0\n", "instruction 0: opcode 0xffff is not a classic BPF instruction"},
};

TEST(CliVm, InvalidProgramsAreRefusedWithRuleAndIndex) {
    for (const auto& c : kBadPrograms) {
        fs::path prog = write_text("bad.txt", c.text);
        Outcome o = sniff(fmt::format("-r {} --bpf {}", capture_path("mixed.pcap"), prog.string()));
        EXPECT_EQ(o.status, 1) << c.text;
        EXPECT_NE(o.err.find(c.message_part), std::string::npos) << c.text << "\nstderr: " << o.err;
        EXPECT_EQ(o.out, "") << "nothing runs before the program is accepted";
        fs::remove(prog);
    }
}

TEST(CliVm, VerifyNeedsAFile) {
    Outcome o = sniff("--verify tcp");
    EXPECT_EQ(o.status, 1);
    EXPECT_NE(o.err.find("--verify needs -r FILE"), std::string::npos) << o.err;
}

}  // namespace

namespace {

// mixed.pcap's records repeated `copies` times, each round 10 s later (a ~100 kB-per-copy file).
fs::path repeated_capture(const char* name, int copies) {
    fs::path out = temp_file(name);
    auto in = capture::PcapFileSource::open(capture_path("mixed.pcap"));
    EXPECT_TRUE(in);
    std::vector<std::pair<capture::Packet, std::vector<std::uint8_t>>> records;
    capture::Packet p;
    while (in->next(p) == capture::PcapFileSource::Status::Packet) records.push_back({p, {p.data.begin(), p.data.end()}});
    auto sink = capture::PcapFileSink::open(out.string(), 1, 262144);
    EXPECT_TRUE(sink);
    for (int round = 0; round < copies; ++round)
        for (auto& [pkt, bytes] : records) sink->write({pkt.ts_sec + 10 * round, pkt.ts_usec, pkt.wire_length, bytes});
    EXPECT_TRUE(sink->close());
    return out;
}

std::vector<fs::path> files_starting_with(const fs::path& base) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(base.parent_path()))
        if (e.path().filename().string().rfind(base.filename().string(), 0) == 0) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void remove_all_starting_with(const fs::path& base) {
    for (const auto& f : files_starting_with(base)) fs::remove(f);
}

TEST(CliSavefiles, SizeRotationSplitsWithoutLosingPackets) {
    fs::path input = repeated_capture("rot_in.pcap", 30);  // ~3.2 MB, 30000 packets
    fs::path base = temp_file("rot_out");
    remove_all_starting_with(base);
    Outcome o = sniff(fmt::format("-r {} -w {} -C 1", input.string(), base.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    auto files = files_starting_with(base);
    ASSERT_EQ(files.size(), 4u);  // NAME, NAME1, NAME2, NAME3
    EXPECT_EQ(files[0].filename(), base.filename());
    EXPECT_EQ(files[1].filename().string(), base.filename().string() + "1");
    std::size_t total = 0;
    for (const auto& f : files) {
        total += count_and_check(f, "");
        if (f != files.back()) {
            EXPECT_GE(fs::file_size(f), 1000000u) << f;
        }
    }
    EXPECT_EQ(total, 30000u);
    remove_all_starting_with(base);

    // -W 2: a ring of two files, NAME0 and NAME1, the oldest overwritten.
    o = sniff(fmt::format("-r {} -w {} -C 1 -W 2", input.string(), base.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    files = files_starting_with(base);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].filename().string(), base.filename().string() + "0");
    EXPECT_EQ(files[1].filename().string(), base.filename().string() + "1");
    remove_all_starting_with(base);
    fs::remove(input);
}

TEST(CliSavefiles, TimeRotationNamesFilesByStrftimeAndStopsAfterW) {
    fs::path input = repeated_capture("g_input.pcap", 4);  // four rounds, 10 s apart
    fs::path base = temp_file("rot_g_");
    remove_all_starting_with(base);
    // TZ=UTC: 1700000000 is 22:13:20.
    Outcome o = sniff(fmt::format("-r {} -w '{}%H%M%S.pcap' -G 10", input.string(), base.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    auto files = files_starting_with(base);
    ASSERT_EQ(files.size(), 4u);
    EXPECT_EQ(files[0].filename().string(), base.filename().string() + "221320.pcap");
    std::size_t total = 0;
    for (const auto& f : files) total += count_and_check(f, "");
    EXPECT_EQ(total, 4000u);
    remove_all_starting_with(base);

    o = sniff(fmt::format("-r {} -w '{}%H%M%S.pcap' -G 10 -W 2", input.string(), base.string()));
    EXPECT_EQ(o.status, 0) << "tcpdump ends with status 0 when -G -W reaches its limit: " << o.err;
    files = files_starting_with(base);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(count_and_check(files[0], "") + count_and_check(files[1], ""), 2000u);
    remove_all_starting_with(base);
    fs::remove(input);
}

}  // namespace

namespace {

struct FailedWrite {
    const char* command;  // shell text: SNIFF is the binary, CAPTURES is captures/
    const char* stderr_part;
};

// Every failed write is an error with exit status 1, whatever sniff was writing: decoded lines,
// JSON, a pcap to standard output, a program dump, the interface list (tcpdump exits 0 for the
// last two; sniff does better on purpose).
const FailedWrite kFailedWrites[] = {
    {"SNIFF -r CAPTURES/mixed.pcap >/dev/full", "writing to standard output failed: No space left on device"},
    {"SNIFF -r CAPTURES/mixed.pcap --json >/dev/full", "writing to standard output failed: No space left on device"},
    {"SNIFF -r CAPTURES/mixed.pcap -c 3 >/dev/full", "writing to standard output failed: No space left on device"},
    {"SNIFF -r CAPTURES/mixed.pcap -w - >/dev/full", "standard output: write failed: No space left on device"},
    {"SNIFF -d \"tcp port 443\" >/dev/full", "writing to standard output failed: No space left on device"},
    {"SNIFF -ddd \"host 10.0.0.1 or host 10.0.0.2\" >/dev/full", "writing to standard output failed"},
    {"SNIFF -D >/dev/full", "writing to standard output failed: No space left on device"},
    {"SNIFF --trace -r CAPTURES/mixed.pcap udp >/dev/full", "writing to standard output failed"},
};

TEST(CliExitStatus, EveryFailedWriteFails) {
    const std::string caps = (fs::path(testing_support::source_root()) / "captures").string();
    for (const auto& row : kFailedWrites) {
        std::string cmd = row.command;
        for (std::size_t at; (at = cmd.find("CAPTURES")) != std::string::npos;) cmd.replace(at, 8, caps);
        Outcome o = shell(cmd);
        EXPECT_EQ(o.status, 1) << cmd << "\nstderr: " << o.err;
        EXPECT_NE(o.err.find(row.stderr_part), std::string::npos) << cmd << "\nstderr: " << o.err;
        EXPECT_EQ(o.err.find(row.stderr_part), o.err.rfind(row.stderr_part)) << cmd << ": reported once\nstderr: " << o.err;
    }
}

// A pipe whose reader has gone: with SIGPIPE ignored by the caller or not, sniff reports the
// failed write and exits 1, every time (before, a race between the last flush and the exit made
// it 0 most of the time). The read end is closed before sniff starts, so every write fails
// (with `| head` the reader might still be there for the first writes).
TEST(CliExitStatus, ClosedPipeIsAnErrorNotASignal) {
    const char* bin = std::getenv("SNIFF_BINARY");
    ASSERT_NE(bin, nullptr);
    const std::string input = capture_path("mixed.pcap");
    for (bool ignore_sigpipe : {true, false}) {
        for (const char* extra : {"", "--json", "-w -"}) {
            SCOPED_TRACE(fmt::format("SIGPIPE {}, sniff -r mixed.pcap {}", ignore_sigpipe ? "ignored" : "default", extra));
            int fds[2];
            ASSERT_EQ(::pipe(fds), 0);
            ::close(fds[0]);
            pid_t pid = ::fork();
            ASSERT_GE(pid, 0);
            if (pid == 0) {
                ::signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
                ::dup2(fds[1], STDOUT_FILENO);
                int devnull = ::open("/dev/null", O_WRONLY);
                ::dup2(devnull, STDERR_FILENO);
                std::vector<std::string> words = {bin, "-r", input};
                if (*extra) {
                    std::istringstream ws(extra);
                    for (std::string w; ws >> w;) words.push_back(w);
                }
                std::vector<char*> argv;
                for (auto& w : words) argv.push_back(w.data());
                argv.push_back(nullptr);
                ::execv(bin, argv.data());
                ::_exit(127);
            }
            ::close(fds[1]);
            int status = 0;
            ASSERT_EQ(::waitpid(pid, &status, 0), pid);
            EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            if (WIFEXITED(status)) EXPECT_EQ(WEXITSTATUS(status), 1);
        }
    }
}

// -G that cannot open its next file (here a directory is in the way): the error is printed,
// the packets of the files before it are all there, and the exit status is 1.
TEST(CliExitStatus, RotationThatCannotOpenItsNextFileFails) {
    fs::path input = repeated_capture("g_fail_in.pcap", 2);  // two rounds, 10 s apart
    fs::path base = temp_file("rot_fail_");
    remove_all_starting_with(base);
    fs::create_directory(base.string() + "221330.pcap");
    Outcome o = sniff(fmt::format("-r {} -w '{}%H%M%S.pcap' -G 10", input.string(), base.string()));
    EXPECT_EQ(o.status, 1) << o.err;
    EXPECT_NE(o.err.find(base.string() + "221330.pcap: Is a directory"), std::string::npos) << o.err;
    EXPECT_EQ(count_and_check(base.string() + "221320.pcap", ""), 1000u);
    fs::remove(base.string() + "221330.pcap");
    remove_all_starting_with(base);
    fs::remove(input);
}

}  // namespace

namespace {

// Filters past the kernel's 4096 instructions run on files (-r, --bpf, --verify, -d), and live
// capture says why it cannot take them; filters nested 100,000 deep compile, and one too deep for
// the stack is an error with a short message, never a crash.
TEST(CliLongFilters, RunOnFilesAndAreExplainedLive) {
    // Two of every three addresses of 10.0.0.0/21: a set of 1,366 ranges, over 4,096 instructions.
    std::string hosts = "host 10.0.0.0";
    for (int i = 1; i < 2048; ++i)
        if (i % 3 != 2) hosts += fmt::format(" or host 10.0.{}.{}", i >> 8, i & 255);
    fs::path filter = write_text("hosts.txt", hosts);
    const std::string mixed = capture_path("mixed.pcap");
    // The unoptimized program (no sets, no threading) is the reference; libpcap takes minutes.
    Outcome plain = sniff(fmt::format("-O -r {} -F {}", mixed, filter.string()));
    ASSERT_EQ(plain.status, 0) << plain.err;
    const std::size_t expected = packet_lines(plain.out);
    ASSERT_GT(expected, 0u);

    Outcome r = sniff(fmt::format("-r {} -F {}", mixed, filter.string()));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(packet_lines(r.out), expected);

    Outcome d = sniff(fmt::format("-ddd -F {}", filter.string()));
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_GT(std::stoul(d.out), cbpf::kMaxInsns);
    fs::path program = write_text("hosts.ddd", d.out);
    Outcome bpf = sniff(fmt::format("-r {} --bpf {}", mixed, program.string()));
    EXPECT_EQ(bpf.status, 0) << bpf.err;
    EXPECT_EQ(packet_lines(bpf.out), expected);

    Outcome verify = sniff(fmt::format("--verify -r {} -F {}", mixed, filter.string()));
    EXPECT_EQ(verify.status, 0) << verify.err;
    EXPECT_NE(verify.err.find("kernel leg skipped: the program has"), std::string::npos) << verify.err;

    // Live, such a filter goes into the kernel as eBPF, or runs in user space (the live suite
    // captures with both).
    EXPECT_NE(verify.err.find("; eBPF socket filter checked 1000; eBPF XDP checked"), std::string::npos) << verify.err;
    fs::remove(filter);
    fs::remove(program);
}

TEST(CliLongFilters, DeepNestingCompilesOrFailsWithAShortMessage) {
    fs::path deep = write_text("deep.txt", std::string(100000, '(') + "tcp" + std::string(100000, ')'));
    Outcome ok = sniff(fmt::format("-d -F {}", deep.string()));
    EXPECT_EQ(ok.status, 0) << ok.err.substr(0, 500);
    EXPECT_EQ(ok.out, sniff("-d tcp").out);
    fs::path deeper = write_text("deeper.txt", std::string(1000000, '(') + "tcp" + std::string(1000000, ')'));
    Outcome too_deep = sniff(fmt::format("-d -F {}", deeper.string()));
    EXPECT_EQ(too_deep.status, 1);
    EXPECT_NE(too_deep.err.find("nested too deeply"), std::string::npos) << too_deep.err.substr(0, 500);
    EXPECT_LT(too_deep.err.size(), 1000u) << "a window around the caret, not 2 MB of text";
    fs::remove(deep);
    fs::remove(deeper);
}

}  // namespace

namespace {

// --- Writing to the file being read is refused before anything is truncated, however the
// output names it (same st_dev and st_ino), for -w and for every file -C/-W/-G would open.

struct SameFileCase {
    const char* what;
    const char* args;       // IN: the input; SYM: a symlink to it; HARD: a hard link; DIR: their directory
    const char* links_to_input[2];  // names in DIR made hard links to IN before the run
    const char* stdin_file;  // "IN" to feed the input on stdin, or nullptr
};

const SameFileCase kSameFile[] = {
    {"same name", "-r IN -w IN", {}, nullptr},
    {"another spelling", "-r IN -w DIR/./same_in.pcap", {}, nullptr},
    {"a symlink", "-r IN -w SYM", {}, nullptr},
    {"read through a symlink", "-r SYM -w IN", {}, nullptr},
    {"a hard link", "-r IN -w HARD", {}, nullptr},
    {"standard input", "-r - -w IN", {}, "IN"},
    {"the second -C file", "-r IN -w DIR/rot -C 1", {"rot1"}, nullptr},
    {"a -W ring file", "-r IN -w DIR/ring -C 1 -W 3", {"ring1"}, nullptr},
    {"a -G file", "-r IN -w 'DIR/g_%H%M%S.pcap' -G 10", {"g_221330.pcap"}, nullptr},
    {"standard output appended to the input", "SNIFF -r IN -w - >> IN", {}, nullptr},
};

TEST(CliSameFile, WritingTheFileBeingReadIsRefusedAndTheInputIsIntact) {
    fs::path dir = temp_file("same");
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::path in = dir / "same_in.pcap", sym = dir / "sym.pcap", hard = dir / "hard.pcap";
    {
        fs::path made = repeated_capture("same_src.pcap", 30);  // ~3.2 MB: -C 1 rotates
        fs::rename(made, in);
    }
    const std::string original = slurp(in);
    for (const auto& c : kSameFile) {
        if (slurp(in) != original) std::ofstream(in, std::ios::binary) << original;  // a failed row damages it
        fs::remove(sym);
        fs::remove(hard);
        fs::create_symlink(in, sym);
        fs::create_hard_link(in, hard);
        for (const char* name : c.links_to_input)
            if (name) fs::create_hard_link(in, dir / name);
        std::string args = c.args;
        for (auto [key, value] : {std::pair<std::string, std::string>{"DIR", dir.string()}, {"SYM", sym.string()}, {"HARD", hard.string()}, {"IN", in.string()}})
            for (std::size_t at; (at = args.find(key)) != std::string::npos;) args.replace(at, key.size(), value);
        Outcome o = args.starts_with("SNIFF") ? shell(args) : sniff(args, c.stdin_file ? in.string() : "/dev/null");
        EXPECT_EQ(o.status, 1) << c.what << " (a signal gives -1): " << args << "\n" << o.err;
        EXPECT_NE(o.err.find("is the capture file being read"), std::string::npos) << c.what << ": " << o.err;
        EXPECT_TRUE(slurp(in) == original) << c.what << ": the input was changed (" << fs::file_size(in) << " bytes)";
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path() != in && e.path() != sym && e.path() != hard && !fs::equivalent(e.path(), in)) fs::remove(e.path());
        for (const char* name : c.links_to_input)
            if (name) fs::remove(dir / name);
    }
    fs::remove_all(dir);
}

// --- Pipes and pcapng: damage is reported with the offset of the bad record or block whatever
// the input is, and every good packet before it is printed.

std::string pcapng_with_bad_tail(std::size_t packets, std::size_t& bad_block_offset) {
    std::vector<std::uint8_t> b;
    pcapng_write::append_header(b, 1, 262144);
    auto in = capture::PcapFileSource::open(capture_path("mixed.pcap"));
    EXPECT_TRUE(in);
    capture::Packet p;
    for (std::size_t i = 0; i < packets && in->next(p) == capture::PcapFileSource::Status::Packet; ++i)
        pcapng_write::append_packet(b, static_cast<std::uint64_t>(p.ts_sec) * 1000000 + p.ts_usec, p.wire_length, p.data);
    bad_block_offset = b.size();
    // An Enhanced Packet Block whose total length (7) is not a multiple of 4 and below the minimum.
    pcapng_write::put32(b, 6);
    pcapng_write::put32(b, 7);
    b.insert(b.end(), 40, 0);
    return std::string(b.begin(), b.end());
}

struct PipeCase {
    const char* what;
    const char* file;        // in captures/, or "PCAPNG" for the crafted pcapng file
    bool through_pipe;
    std::size_t lines;
    const char* damage_part;  // with the offset
};

const PipeCase kPipes[] = {
    {"damaged pcap from a file", "corrupt-tail.pcap", false, 30, "damaged record at file offset 3416"},
    {"damaged pcap through a pipe", "corrupt-tail.pcap", true, 30, "damaged record at file offset 3416"},
    {"cut-short pcap through a pipe", "cut-short.pcap", true, 30, "truncated dump file"},
    {"good pcap through a pipe", "mixed.pcap", true, 1000, nullptr},
    {"damaged pcapng from a file", "PCAPNG", false, 50, "damaged record at file offset BAD"},
    {"damaged pcapng through a pipe", "PCAPNG", true, 50, "damaged record at file offset BAD"},
};

TEST(CliPipes, DamageIsReportedWithItsOffsetFromFilesAndPipes) {
    std::size_t bad = 0;
    fs::path ng = temp_file("bad.pcapng");
    { std::ofstream(ng, std::ios::binary) << pcapng_with_bad_tail(50, bad); }
    for (const auto& c : kPipes) {
        std::string file = std::string(c.file) == "PCAPNG" ? ng.string() : capture_path(c.file);
        Outcome o = shell(c.through_pipe ? fmt::format("cat {} | SNIFF -r -", file) : fmt::format("SNIFF -r {}", file));
        EXPECT_EQ(packet_lines(o.out), c.lines) << c.what << ": " << o.err;
        EXPECT_EQ(o.status, c.damage_part ? 1 : 0) << c.what << ": " << o.err;
        if (c.damage_part) {
            std::string part = c.damage_part;
            if (auto at = part.find("BAD"); at != std::string::npos) part.replace(at, 3, std::to_string(bad));
            EXPECT_NE(o.err.find(part), std::string::npos) << c.what << ": " << o.err;
        }
    }
    fs::remove(ng);
}

}  // namespace

namespace {

// Standard error that cannot be written (a full disk, a closed pipe) is no reason to die by
// SIGABRT: the run fails with status 1 (before, an exception escaped from the message print).
TEST(CliExitStatus, UnwritableStandardErrorIsStatusOne) {
    const std::string caps = (fs::path(testing_support::source_root()) / "captures").string();
    for (const char* args : {"-d hots", "-r /nonexistent/x.pcap", "-r CAPTURES/corrupt-tail.pcap >/dev/null",
                             "-s 5x -d ip", "-F / -d"}) {
        std::string cmd = fmt::format("SNIFF {} 2>/dev/full", args);
        for (std::size_t at; (at = cmd.find("CAPTURES")) != std::string::npos;) cmd.replace(at, 8, caps);
        EXPECT_EQ(shell(cmd).status, 1) << cmd;
    }
}

// A named pipe given to -F is read once its writer comes (as tcpdump does), not taken as an
// empty filter that matches everything because nobody had opened it yet.
TEST(CliFilterFile, NamedPipeWaitsForItsWriter) {
    fs::path fifo = temp_file("filter.fifo");
    fs::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Outcome o = shell(fmt::format("(sleep 0.3; echo udp > {0}) & SNIFF -F {0} -d; wait", fifo.string()));
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(o.out, sniff("-d udp").out);
    fs::remove(fifo);
}

// -r FILE -d without a filter shows the accept-all program with the file's snapshot length, as
// tcpdump -r FILE -d does; a huge token's error stays short.
TEST(CliFilterFile, DumpWithoutFilterAndHugeTokens) {
    for (const char* file : {"nsec.pcap", "mixed.pcap", "cooked.pcap"}) {
        Outcome ours = sniff(fmt::format("-r {} -d", capture_path(file)));
        Outcome theirs = shell(fmt::format("tcpdump -r {} -d 2>/dev/null", capture_path(file)));
        EXPECT_EQ(ours.status, 0) << ours.err;
        EXPECT_EQ(ours.out, theirs.out) << file;
    }
    fs::path word = temp_file("word.txt");
    std::ofstream(word) << std::string(100000, 'a');
    Outcome o = sniff(fmt::format("-F {} -d", word.string()));
    EXPECT_EQ(o.status, 1);
    EXPECT_LT(o.err.size(), 2000u) << o.err.substr(0, 300);
    fs::remove(word);
}

}  // namespace
