// `sniff --xdp-drop` / `--xdp-pass` on a veth pair in a private network namespace: frames sent
// from the peer must be dropped or passed exactly as the reference VM judges them (an AF_PACKET
// socket behind XDP sees only what passed), the printed counters must equal those counts, -c must
// stop after exactly N matches, and after any exit (SIGINT, -c, SIGKILL) nothing may stay attached.
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <thread>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "ebpf/dump.hpp"
#include "ebpf/loader.hpp"
#include "ebpf/verdict_counters.hpp"
#include "ebpf/xdp_attach.hpp"
#include "netns.hpp"

namespace {

using namespace std::chrono_literals;
using testing_support::Frame;
using testing_support::Mac;
using namespace testing_support;

constexpr auto kStartLimit = 20s;
constexpr auto kExitLimit = 10s;
constexpr Mac kA = {0x02, 0, 0, 0, 0, 0x01};
constexpr Mac kB = {0x02, 0, 0, 0, 0, 0x02};
constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

std::string sniff_binary() {
    const char* b = std::getenv("SNIFF_BINARY");
    return b ? b : "";
}

Frame udp4(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, std::uint16_t sport, std::uint16_t dport,
           std::size_t payload) {
    return ethernet(kB, kA, 0x0800, ipv4(17, src, dst, udp(sport, dport, payload)));
}
Frame tcp4(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, std::uint16_t sport, std::uint16_t dport,
           std::size_t payload) {
    return ethernet(kB, kA, 0x0800, ipv4(6, src, dst, tcp(sport, dport, payload)));
}

// Hosts spread over 10.0.0.0/8 (none is 10.9.0.x); past the map threshold the set is a hash map.
std::array<std::uint8_t, 4> list_host(int i) {
    const std::uint32_t a = static_cast<std::uint32_t>((i + 1) * 2654435761u) & 0xffffff;
    return {10, static_cast<std::uint8_t>(a >> 16), static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)};
}
std::string host_list(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        auto h = list_host(i);
        out += fmt::format("{}host {}.{}.{}.{}", out.empty() ? "" : " or ", h[0], h[1], h[2], h[3]);
    }
    return out;
}

// A mix every filter below splits: each frame different (ports and lengths), so each received
// frame names the one sent.
std::vector<Frame> mixed_frames() {
    std::vector<Frame> f;
    for (int i = 0; i < 40; ++i) {
        const auto port = static_cast<std::uint16_t>(i % 4 == 0 ? 53 : i % 4 == 1 ? 443 : i % 4 == 2 ? 54 : 80);
        const auto sport = static_cast<std::uint16_t>(3000 + i);
        if (i % 2) f.push_back(udp4({10, 9, 0, 1}, {10, 9, 0, 2}, sport, port, 10 + i));
        else f.push_back(tcp4({10, 9, 0, 1}, {10, 9, 0, 2}, sport, port, 10 + i));
    }
    for (int i = 0; i < 30; ++i) {  // from list hosts (every third) and others, some long
        const auto src = i % 3 == 0 ? list_host(i * 5) : std::array<std::uint8_t, 4>{10, 9, 1, static_cast<std::uint8_t>(i)};
        f.push_back(udp4(src, {10, 9, 0, 2}, static_cast<std::uint16_t>(4000 + i), 9, i == 7 ? 1400 : 20 + i));
    }
    f.push_back(ethernet(kBroadcast, kA, 0x0806, arp_request({10, 9, 0, 1}, {10, 9, 0, 2})));
    Frame icmp = {8, 0, 0, 0, 0, 1, 0, 1};
    f.push_back(ethernet(kB, kA, 0x0800, ipv4(1, {10, 9, 0, 1}, {10, 9, 0, 2}, icmp)));
    f.push_back(ethernet(kB, kA, 0x86dd, ipv6(17, udp(5000, 53, 12))));
    f.push_back(ethernet(kB, kA, 0x88b5, Frame(46, 0xab)));
    return f;
}

bool vm_matches(const std::string& expr, const Frame& frame) {
    auto prog = sniff::compile(expr, {.dlt = 1});
    EXPECT_TRUE(prog) << expr;
    return prog && cbpf::run(*prog, frame, static_cast<std::uint32_t>(frame.size())) != 0;
}

// A packet socket on the XDP side: it sees a received frame only when XDP passed it.
class Receiver {
public:
    explicit Receiver(const std::string& ifname) {
        fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (fd_ < 0) return;
        int size = 8 << 20;
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
        sockaddr_ll addr{};
        addr.sll_family = AF_PACKET;
        addr.sll_protocol = htons(ETH_P_ALL);
        addr.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
        if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close(fd_);
            fd_ = -1;
        }
    }
    ~Receiver() {
        if (fd_ >= 0) close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    // Received frames (not the interface's own outgoing ones) until none came for `quiet`.
    std::vector<Frame> drain(std::chrono::milliseconds quiet = 500ms) {
        std::vector<Frame> got;
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(quiet.count())) <= 0) break;
            sockaddr_ll from{};
            socklen_t len = sizeof from;
            const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 0) break;
            if (from.sll_pkttype == PACKET_OUTGOING) continue;
            got.emplace_back(buf.begin(), buf.begin() + n);
        }
        return got;
    }

private:
    int fd_ = -1;
};

struct Counts {
    std::uint64_t dropped = 0, dropped_bytes = 0, passed = 0, passed_bytes = 0;
    friend bool operator==(const Counts&, const Counts&) = default;
};
std::ostream& operator<<(std::ostream& os, const Counts& c) {
    return os << c.dropped << " (" << c.dropped_bytes << " B) dropped, " << c.passed << " (" << c.passed_bytes << " B) passed";
}
std::optional<Counts> parse_counts(const std::string& err) {
    std::smatch m;
    if (!std::regex_search(err, m, std::regex(R"((\d+) packets? \((\d+) bytes\) dropped, (\d+) packets? \((\d+) bytes\) passed)")))
        return std::nullopt;
    return Counts{std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3]), std::stoull(m[4])};
}

class XdpDrop : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = live_tests_unavailable()) GTEST_SKIP() << *why;
        if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
        ASSERT_FALSE(sniff_binary().empty()) << "SNIFF_BINARY is set by meson";
        auto lab = VethLab::create();
        ASSERT_TRUE(lab) << lab.error();
        lab_.emplace(std::move(*lab));
        inside_ = std::make_unique<InNamespace>(*lab_);
        ASSERT_TRUE(inside_->ok()) << "setns into " << lab_->name();
    }
    void TearDown() override {
        inside_.reset();
        lab_.reset();
    }
    Child start(std::vector<std::string> args, std::optional<uid_t> as = std::nullopt) {
        args.insert(args.begin(), sniff_binary());
        auto c = Child::spawn(*lab_, args, as);
        EXPECT_TRUE(c) << c.error();
        return std::move(*c);
    }
    void send(const std::vector<Frame>& frames) {
        auto ok = send_frames(lab_->a(), frames);
        ASSERT_TRUE(ok) << ok.error();
    }
    // What bpf_xdp_query says is attached to sx1 (0: nothing), waiting up to a second for a
    // killed process's link to go.
    std::uint32_t attached_id() {
        const int ifindex = static_cast<int>(if_nametoindex(lab_->b().c_str()));
        EXPECT_GT(ifindex, 0);
        std::uint32_t id = 0;
        for (int i = 0; i < 20; ++i) {
            bpf_xdp_query_opts opts{};
            opts.sz = sizeof opts;
            EXPECT_EQ(bpf_xdp_query(ifindex, 0, &opts), 0) << std::strerror(errno);
            id = opts.prog_id | opts.drv_prog_id | opts.skb_prog_id;
            if (id == 0) break;
            std::this_thread::sleep_for(50ms);
        }
        return id;
    }
    void expect_nothing_attached() {
        EXPECT_EQ(attached_id(), 0u);
        std::string out;
        EXPECT_TRUE(lab_->ip("link show dev " + lab_->b(), &out)) << out;
        EXPECT_EQ(out.find("xdp"), std::string::npos) << out;
        EXPECT_EQ(out.find("prog/"), std::string::npos) << out;
    }

    // Runs sniff FLAG -i sx1 EXPR, sends `frames`, stops it with SIGINT and checks every frame's
    // fate and the counters against the reference VM.
    void check_verdicts(const std::string& flag, const std::string& expr, const std::vector<Frame>& frames,
                        const std::vector<std::string>& extra = {}) {
        Receiver rx(lab_->b());
        ASSERT_TRUE(rx.ok()) << std::strerror(errno);
        std::vector<std::string> args = {flag, "-i", lab_->b()};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(expr);
        auto sniff = start(args);
        ASSERT_TRUE(sniff.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << sniff.err();
        EXPECT_NE(attached_id(), 0u);
        // veth has native XDP, so auto takes it; --xdp-mode generic must be honoured.
        const bool generic = std::find(extra.begin(), extra.end(), "generic") != extra.end();
        EXPECT_NE(sniff.err().find(generic ? "(generic XDP" : "(native XDP"), std::string::npos) << sniff.err();
        // The banner quotes the filter, a long one cut with its length.
        EXPECT_NE(sniff.err().find(expr.size() <= 100 ? "'" + expr + "'" : fmt::format("…' ({} characters)", expr.size())), std::string::npos)
            << sniff.err().substr(0, 400);
        send(frames);
        std::vector<Frame> got = rx.drain();
        sniff.signal(SIGINT);
        ASSERT_EQ(sniff.wait(kExitLimit), 0) << sniff.err();

        std::vector<Frame> expected;
        Counts want;
        std::size_t matched = 0;
        for (const Frame& f : frames) {
            const bool match = vm_matches(expr, f);
            matched += match;
            const bool pass = flag == "--xdp-drop" ? !match : match;
            if (pass) expected.push_back(f), ++want.passed, want.passed_bytes += f.size();
            else ++want.dropped, want.dropped_bytes += f.size();
        }
        // The filter must split the frames, or the test shows nothing.
        EXPECT_GT(matched, 0u) << expr;
        EXPECT_LT(matched, frames.size()) << expr;
        ASSERT_EQ(got.size(), expected.size()) << expr;
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << expr << ": frame " << i;
        auto counts = parse_counts(sniff.err());
        ASSERT_TRUE(counts) << sniff.err();
        EXPECT_EQ(*counts, want) << expr << "\n" << sniff.err();
        expect_nothing_attached();
    }

    std::optional<VethLab> lab_;
    std::unique_ptr<InNamespace> inside_;
};

TEST_F(XdpDrop, DropsExactlyWhatMatches) {
    check_verdicts("--xdp-drop", "udp port 53 or tcp port 443", mixed_frames());
}

TEST_F(XdpDrop, PassDropsExactlyWhatDoesNotMatch) {
    check_verdicts("--xdp-pass", "arp or icmp or udp and not port 54", mixed_frames());
}

TEST_F(XdpDrop, GenericModeGivesTheSameVerdicts) {
    check_verdicts("--xdp-drop", "tcp or ip6", mixed_frames(), {"--xdp-mode", "generic"});
}

// A list past the map threshold: the set is a hash map, created and filled by the loader, read at XDP.
TEST_F(XdpDrop, LargeHostSetGoesThroughAMap) {
    const std::string expr = host_list(static_cast<int>(sniff::SetMapOptions::kDefaultFromRanges) + 50);
    auto f = sniff::compile_ebpf(expr, {.dlt = 1}, ebpf::Hook::Xdp);
    ASSERT_TRUE(f);
    ASSERT_FALSE(f->maps.empty()) << "a list past the map threshold should compile to a map lookup";
    check_verdicts("--xdp-drop", expr, mixed_frames());
    check_verdicts("--xdp-pass", expr, mixed_frames());
}

// -c N: exactly the first N matches are dropped and counted; the program then passes everything
// (uncounted) and sniff detaches by itself.
TEST_F(XdpDrop, CountStopsAfterExactlyNMatches) {
    Receiver rx(lab_->b());
    ASSERT_TRUE(rx.ok());
    const std::string expr = "udp port 53";
    auto sniff = start({"--xdp-drop", "-c", "5", "-i", lab_->b(), expr});
    ASSERT_TRUE(sniff.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << sniff.err();
    std::vector<Frame> frames;
    for (int i = 0; i < 40; ++i)
        frames.push_back(udp4({10, 9, 0, 1}, {10, 9, 0, 2}, static_cast<std::uint16_t>(6000 + i), i % 3 == 0 ? 53 : 54, 16));
    send(frames);
    ASSERT_EQ(sniff.wait(kExitLimit), 0) << sniff.err();
    std::vector<Frame> got = rx.drain();
    // One CPU sends, and veth keeps the order: the first five port-53 frames are dropped.
    std::vector<Frame> expected;
    Counts want;
    std::size_t matches = 0;
    bool limit = false;
    for (const Frame& f : frames) {
        const bool match = vm_matches(expr, f);
        if (!limit && match) {
            ++want.dropped, want.dropped_bytes += f.size();
            limit = ++matches == 5;
            continue;
        }
        if (!limit) ++want.passed, want.passed_bytes += f.size();
        expected.push_back(f);
    }
    EXPECT_EQ(got, expected);
    auto counts = parse_counts(sniff.err());
    ASSERT_TRUE(counts) << sniff.err();
    EXPECT_EQ(*counts, want) << sniff.err();
    EXPECT_NE(sniff.err().find("5 matching packets handled (-c 5)"), std::string::npos) << sniff.err();
    expect_nothing_attached();
}

// A BPF link goes with its process, however it ends.
TEST_F(XdpDrop, SigkillDetaches) {
    auto sniff = start({"--xdp-drop", "-i", lab_->b(), "udp"});
    ASSERT_TRUE(sniff.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << sniff.err();
    EXPECT_NE(attached_id(), 0u);
    sniff.signal(SIGKILL);
    EXPECT_EQ(sniff.wait(kExitLimit), 128 + SIGKILL);
    expect_nothing_attached();
    // And the interface takes a new program at once.
    auto again = start({"--xdp-pass", "-i", lab_->b(), "udp"});
    ASSERT_TRUE(again.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << again.err();
    again.signal(SIGTERM);
    EXPECT_EQ(again.wait(kExitLimit), 0) << again.err();
    expect_nothing_attached();
}

TEST_F(XdpDrop, AlreadyAttachedNamesTheOtherProgram) {
    auto first = start({"--xdp-pass", "-i", lab_->b(), "udp"});
    ASSERT_TRUE(first.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << first.err();
    auto second = start({"--xdp-drop", "-i", lab_->b(), "tcp"});
    EXPECT_EQ(second.wait(kExitLimit), 1) << second.err();
    const std::string err = second.err();
    EXPECT_NE(err.find("already attached"), std::string::npos) << err;
    EXPECT_NE(err.find("'sniff_xdp_pass'"), std::string::npos) << err;
    EXPECT_NE(err.find(fmt::format("BPF link")), std::string::npos) << err;
    EXPECT_NE(err.find(fmt::format("process {} (sniff)", first.pid())), std::string::npos) << err;
    // The first one is untouched and still detaches cleanly.
    EXPECT_NE(attached_id(), 0u);
    first.signal(SIGINT);
    EXPECT_EQ(first.wait(kExitLimit), 0) << first.err();
    expect_nothing_attached();
}

// A program attached over netlink (as `ip link set dev IF xdpgeneric obj …` does) has no link
// and no holder: the message names it and says how to remove it.
TEST_F(XdpDrop, AlreadyAttachedOverNetlinkSaysHowToRemoveIt) {
    using namespace ebpf;
    auto other = load(Program{mov32_imm(R0, 2), exit_insn()}, Hook::Xdp, "netlink_prog");
    ASSERT_TRUE(other) << other.error().message;
    const int ifindex = static_cast<int>(if_nametoindex(lab_->b().c_str()));
    ASSERT_EQ(bpf_xdp_attach(ifindex, other->fd(), XDP_FLAGS_SKB_MODE, nullptr), 0) << std::strerror(errno);
    auto sniff = start({"--xdp-drop", "-i", lab_->b(), "udp"});
    EXPECT_EQ(sniff.wait(kExitLimit), 1) << sniff.err();
    const std::string err = sniff.err();
    EXPECT_NE(err.find("'netlink_prog'"), std::string::npos) << err;
    EXPECT_NE(err.find("in generic mode, attached over netlink"), std::string::npos) << err;
    EXPECT_NE(err.find("ip link set dev " + lab_->b() + " xdp off"), std::string::npos) << err;
    EXPECT_EQ(bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, nullptr), 0) << std::strerror(errno);
    expect_nothing_attached();
}

// The interface goes away under sniff: the kernel ends the link with it; sniff says so and fails.
TEST_F(XdpDrop, InterfaceGoneEndsTheRun) {
    auto sniff = start({"--xdp-drop", "-i", lab_->b(), "udp"});
    ASSERT_TRUE(sniff.wait_for_stderr("attached to " + lab_->b(), kStartLimit)) << sniff.err();
    ASSERT_TRUE(lab_->ip("link del dev " + lab_->a()));
    EXPECT_EQ(sniff.wait(kExitLimit), 1) << sniff.err();
    EXPECT_NE(sniff.err().find("the interface went away"), std::string::npos) << sniff.err();
    EXPECT_TRUE(parse_counts(sniff.err())) << sniff.err();
}

TEST_F(XdpDrop, InterfaceErrorsSayWhatToDo) {
    ASSERT_TRUE(lab_->ip("link set dev " + lab_->b() + " down"));
    auto down = start({"--xdp-drop", "-i", lab_->b(), "udp"});
    EXPECT_EQ(down.wait(kExitLimit), 1);
    EXPECT_NE(down.err().find("ip link set dev " + lab_->b() + " up"), std::string::npos) << down.err();
    auto missing = start({"--xdp-drop", "-i", "nosuch0", "udp"});
    EXPECT_EQ(missing.wait(kExitLimit), 1);
    EXPECT_NE(missing.err().find("nosuch0: no such interface"), std::string::npos) << missing.err();
    auto bad = start({"--xdp-drop", "-i", lab_->b(), "-y", "LINUX_SLL", "udp"});
    EXPECT_EQ(bad.wait(kExitLimit), 1);
    EXPECT_NE(bad.err().find("Ethernet"), std::string::npos) << bad.err();
    // Without privilege (nobody): the capabilities are named.
    auto unprivileged = start({"--xdp-drop", "-i", lab_->a(), "udp"}, 65534);
    EXPECT_EQ(unprivileged.wait(kExitLimit), 1);
    EXPECT_NE(unprivileged.err().find("CAP_BPF"), std::string::npos) << unprivileged.err();
    EXPECT_NE(unprivileged.err().find("CAP_NET_ADMIN"), std::string::npos) << unprivileged.err();
    auto syntax = start({"--xdp-drop", "-i", lab_->a(), "udp port"});
    EXPECT_EQ(syntax.wait(kExitLimit), 1);
    EXPECT_NE(syntax.err().find("filter error"), std::string::npos) << syntax.err();
    expect_nothing_attached();
}

// ---- The post-pass alone, through BPF_PROG_TEST_RUN ----

struct TestRunCounts {
    std::vector<std::uint32_t> returns;
    std::array<ebpf::VerdictCount, 2> counts{};
    std::uint64_t matches = 0;
};

// Loads `filter` at XDP and test-runs each frame once, in order.
TestRunCounts run_frames(const ebpf::Filter& filter, const ebpf::VerdictMaps& maps, const std::vector<Frame>& frames) {
    TestRunCounts out;
    auto loaded = ebpf::load(filter, ebpf::Hook::Xdp, "sniff_test");
    EXPECT_TRUE(loaded) << loaded.error().message << "\n" << loaded.error().verifier_log;
    if (!loaded) return out;
    for (const Frame& f : frames) {
        auto r = ebpf::test_run(*loaded, f);
        EXPECT_TRUE(r) << r.error().message;
        out.returns.push_back(r ? r->retval : 0);
    }
    auto c = ebpf::read_verdict_counts(loaded->map_fd(maps.counters));
    EXPECT_TRUE(c) << c.error().message;
    if (c) out.counts = *c;
    if (maps.matches) {
        auto m = ebpf::read_u64(loaded->map_fd(*maps.matches));
        EXPECT_TRUE(m);
        if (m) out.matches = *m;
    }
    return out;
}

class XdpVerdictCounters : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = ebpf::bpf_unavailable()) GTEST_SKIP() << "bpf() cannot load programs here: " << *why;
    }
};

// Both modes on the same frames: the action inverts or keeps the filter's verdict, and each
// action's counter gets the packets and their bytes.
TEST_F(XdpVerdictCounters, ActionsAndCountsFollowTheMode) {
    const std::string expr = "udp port 53 or tcp port 443";
    const std::vector<Frame> frames = mixed_frames();
    for (auto mode : {ebpf::XdpMode::DropMatching, ebpf::XdpMode::PassMatching}) {
        auto f = sniff::compile_ebpf(expr, {.dlt = 1}, ebpf::Hook::Xdp);
        ASSERT_TRUE(f);
        const auto maps = ebpf::add_verdict_counters(*f, mode);
        EXPECT_FALSE(maps.matches);
        auto got = run_frames(*f, maps, frames);
        ASSERT_EQ(got.returns.size(), frames.size());
        std::array<ebpf::VerdictCount, 2> want{};
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const bool match = vm_matches(expr, frames[i]);
            const bool pass = mode == ebpf::XdpMode::DropMatching ? !match : match;
            EXPECT_EQ(got.returns[i], pass ? 2u : 1u) << "frame " << i;
            auto& c = want[pass ? ebpf::kPassedKey : ebpf::kDroppedKey];
            ++c.packets, c.bytes += frames[i].size();
        }
        for (auto key : {ebpf::kDroppedKey, ebpf::kPassedKey}) {
            EXPECT_EQ(got.counts[key].packets, want[key].packets) << key;
            EXPECT_EQ(got.counts[key].bytes, want[key].bytes) << key;
        }
    }
}

// -c 2: two matches are acted on; the third match and everything after pass uncounted, while the
// match counter goes on counting.
TEST_F(XdpVerdictCounters, LimitStopsActingAfterNMatches) {
    auto f = sniff::compile_ebpf("udp port 53", {.dlt = 1}, ebpf::Hook::Xdp);
    ASSERT_TRUE(f);
    const auto maps = ebpf::add_verdict_counters(*f, ebpf::XdpMode::DropMatching, 2);
    ASSERT_TRUE(maps.matches);
    const Frame hit = udp4({10, 9, 0, 1}, {10, 9, 0, 2}, 1, 53, 10), miss = udp4({10, 9, 0, 1}, {10, 9, 0, 2}, 1, 54, 10);
    // The dumper prints the atomic add as the verifier does.
    const std::string atomic = "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)";
    EXPECT_NE(ebpf::dump(f->insns).find(atomic), std::string::npos) << ebpf::dump(f->insns);
    auto log = ebpf::verifier_log(*f, ebpf::Hook::Xdp, 2);
    ASSERT_TRUE(log) << log.error().message << "\n" << log.error().verifier_log;
    EXPECT_NE(log->find(atomic), std::string::npos) << *log;
    auto got = run_frames(*f, maps, {miss, hit, miss, hit, miss, hit, hit});
    EXPECT_EQ(got.returns, (std::vector<std::uint32_t>{2, 1, 2, 1, 2, 2, 2}));
    EXPECT_EQ(got.counts[ebpf::kDroppedKey].packets, 2u);
    EXPECT_EQ(got.counts[ebpf::kDroppedKey].bytes, 2 * hit.size());
    EXPECT_EQ(got.counts[ebpf::kPassedKey].packets, 2u);  // the two misses before the limit
    EXPECT_EQ(got.matches, 4u);
}

// An exit further from the end than a 16-bit jump can reach once the verifier has rewritten the
// program becomes `gotol`; a near one `ja`. The kernel takes both and they reach the epilogue.
TEST_F(XdpVerdictCounters, FarExitsBecomeGotol) {
    using namespace ebpf;
    constexpr int kFiller = 40000;
    Filter f;
    f.insns = {mov64_reg(R6, R1), load_mem(op::W, R0, R6, 16),  // rx_queue_index: 0 in a test run
               jmp32_imm(op::JNE, R0, 0, 2), mov32_imm(R0, 2), exit_insn(), mov32_imm(R0, 1)};
    for (int i = 0; i < kFiller; ++i) f.insns.push_back(mov32_imm(R1, i));
    f.insns.push_back(exit_insn());
    const std::size_t far_exit = 4, near_exit = f.insns.size() - 1;
    const auto maps = add_verdict_counters(f, XdpMode::DropMatching);
    EXPECT_EQ(f.insns[far_exit].code, op::JMP32 | op::JA);
    EXPECT_EQ(f.insns[far_exit].imm, static_cast<std::int32_t>(near_exit - far_exit));
    EXPECT_EQ(f.insns[near_exit], jump_always(0));
    const Frame frame = udp4({10, 9, 0, 1}, {10, 9, 0, 2}, 1, 53, 10);
    auto got = run_frames(f, maps, {frame});
    EXPECT_EQ(got.returns, std::vector<std::uint32_t>{1});  // a match, dropped
    EXPECT_EQ(got.counts[kDroppedKey].packets, 1u);
    EXPECT_EQ(got.counts[kDroppedKey].bytes, frame.size());
}

// The loopback device has no native XDP: auto falls back to generic mode and says so; native
// alone is refused with what to do.
TEST_F(XdpDrop, NoNativeXdpFallsBackOrSaysSo) {
    ASSERT_TRUE(lab_->ip("link set dev lo up"));
    auto native = start({"--xdp-drop", "--xdp-mode", "native", "-i", "lo", "icmp"});
    EXPECT_EQ(native.wait(kExitLimit), 1);
    EXPECT_NE(native.err().find("no native XDP"), std::string::npos) << native.err();
    EXPECT_NE(native.err().find("--xdp-mode generic"), std::string::npos) << native.err();
    auto fallback = start({"--xdp-drop", "-i", "lo", "icmp"});
    ASSERT_TRUE(fallback.wait_for_stderr("attached to lo (generic XDP", kStartLimit)) << fallback.err();
    EXPECT_NE(fallback.err().find("attached in generic mode"), std::string::npos) << fallback.err();
    fallback.signal(SIGINT);
    EXPECT_EQ(fallback.wait(kExitLimit), 0) << fallback.err();
}

// Usage errors need no privilege: the binary refuses before touching the kernel.
TEST(XdpDropUsage, RefusesWhatCannotWork) {
    ASSERT_FALSE(sniff_binary().empty());
    struct Row {
        std::string args, message;
    };
    const Row rows[] = {
        {"--xdp-drop udp", "needs -i IF"},
        {"--xdp-drop -i eth0", "needs a filter expression"},
        {"--xdp-pass -i eth0 -w /dev/null udp", "nothing for -w to write"},
        {"--xdp-drop -r x.pcap -i eth0 udp", "-r reads a file"},
        {"--xdp-drop --xdp-pass -i eth0 udp", "opposites"},
        {"--xdp-drop -i any udp", "-i any"},
        {"--xdp-mode native -i eth0 udp", "--xdp-mode applies to"},
        {"--xdp-drop -Q in -i eth0 udp", "-Q is for captures"},
        {"--xdp-drop -Z nobody -i eth0 udp", "-Z is for captures"},
    };
    for (const Row& r : rows) {
        const std::string cmd = fmt::format("{} {} 2>&1", sniff_binary(), r.args);
        FILE* p = popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        std::string out;
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        const int status = pclose(p);
        EXPECT_EQ(WEXITSTATUS(status), 1) << r.args << ": " << out;
        EXPECT_NE(out.find(r.message), std::string::npos) << r.args << ": " << out;
    }
}

}  // namespace
