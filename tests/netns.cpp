// Namespace, veth and process helpers for the live tests, through `ip` (iproute2) and setns(2).
#include "netns.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace testing_support {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "sniff-test-";

// Runs a shell command, returning its exit status and its combined output.
int run(const std::string& command, std::string* output = nullptr) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::string text;
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
    int rc = pclose(p);
    if (output) *output = text;
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A test run that crashed cannot clean up after itself; the next run removes namespaces whose
// owning process is gone.
void remove_stale_namespaces() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
        std::string name = entry.path().filename().string();
        if (name.rfind(kPrefix, 0) != 0) continue;
        pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + std::strlen(kPrefix)));
        if (owner > 0 && owner != getpid() && kill(owner, 0) != 0 && errno == ESRCH) run("ip netns del " + name);
    }
}

std::uint16_t checksum(const std::uint8_t* p, std::size_t n) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (n % 2) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

void put16(Frame& f, std::size_t at, std::uint16_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace

std::optional<std::string> live_tests_unavailable() {
    // CapEff bits: CAP_NET_ADMIN 12 (veth, namespaces' links), CAP_NET_RAW 13 (packet sockets),
    // CAP_SYS_ADMIN 21 (`ip netns add` mounts the namespace on /run/netns).
    std::ifstream status("/proc/self/status");
    std::string line;
    std::uint64_t eff = 0;
    while (std::getline(status, line))
        if (line.rfind("CapEff:", 0) == 0) eff = std::stoull(line.substr(7), nullptr, 16);
    std::string missing;
    for (auto [bit, name] : {std::pair{12, "CAP_NET_ADMIN"}, {13, "CAP_NET_RAW"}, {21, "CAP_SYS_ADMIN"}})
        if (!(eff >> bit & 1)) missing += std::string(missing.empty() ? "" : ", ") + name;
    if (!missing.empty()) return "live capture tests need " + missing + " (run as root) to create namespaces and packet sockets";
    if (run("ip -V") != 0) return "live capture tests need iproute2's `ip` command";
    return std::nullopt;
}

std::expected<VethLab, std::string> VethLab::create() {
    static std::atomic<int> counter{0};
    remove_stale_namespaces();
    VethLab lab;
    lab.name_ = fmt::format("{}{}-{}", kPrefix, getpid(), counter++);
    std::string out;
    if (run("ip netns add " + lab.name_, &out) != 0) {
        lab.name_.clear();  // nothing to delete
        return std::unexpected("ip netns add: " + out);
    }
    // Before the links exist, so they never get an IPv6 link-local address to announce.
    run(fmt::format("ip netns exec {} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1", lab.name_));
    for (const char* args : {"link add name sx0 address 02:00:00:00:00:01 type veth peer name sx1 address 02:00:00:00:00:02",
                             "link set sx0 up", "link set sx1 up"})
        if (!lab.ip(args, &out)) return std::unexpected(fmt::format("ip -n {} {}: {}", lab.name_, args, out));
    lab.fd_ = ::open(("/run/netns/" + lab.name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (lab.fd_ < 0) return std::unexpected(fmt::format("/run/netns/{}: {}", lab.name_, std::strerror(errno)));
    return lab;
}

VethLab::VethLab(VethLab&& other) noexcept : name_(std::move(other.name_)), fd_(other.fd_) {
    other.name_.clear();
    other.fd_ = -1;
}

VethLab::~VethLab() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) run("ip netns del " + name_);
}

bool VethLab::ip(const std::string& args, std::string* out) const { return run(fmt::format("ip -n {} {}", name_, args), out) == 0; }

InNamespace::InNamespace(const VethLab& lab) {
    original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ok_ = original_ >= 0 && setns(lab.fd(), CLONE_NEWNET) == 0;
}

InNamespace::~InNamespace() {
    if (original_ < 0) return;
    if (ok_) setns(original_, CLONE_NEWNET);
    ::close(original_);
}

std::expected<void, std::string> send_frames(const std::string& ifname, const std::vector<Frame>& frames) {
    unsigned index = if_nametoindex(ifname.c_str());
    if (index == 0) return std::unexpected(fmt::format("{}: {}", ifname, std::strerror(errno)));
    // Protocol 0: a send-only socket that never queues received packets.
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::unexpected(fmt::format("socket(AF_PACKET): {}", std::strerror(errno)));
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(index);
    to.sll_halen = 6;
    for (const auto& f : frames) {
        while (true) {
            ssize_t n = sendto(fd, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            if (n == static_cast<ssize_t>(f.size())) break;
            if (n < 0 && errno == ENOBUFS) {  // the device queue is full: wait for it, never skip a frame
                std::this_thread::sleep_for(std::chrono::microseconds(100));
                continue;
            }
            int err = errno;
            ::close(fd);
            return std::unexpected(fmt::format("sendto {}: {}", ifname, n < 0 ? std::strerror(err) : "short write"));
        }
    }
    ::close(fd);
    return {};
}

std::expected<Child, std::string> Child::spawn(const VethLab& lab, const std::vector<std::string>& argv, std::optional<uid_t> as_uid) {
    Child c;
    static std::atomic<int> counter{0};
    std::string base = (fs::temp_directory_path() / fmt::format("sniff_live_{}_{}", getpid(), counter++)).string();
    c.out_path_ = base + ".out";
    c.err_path_ = base + ".err";
    int out = ::open(c.out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = ::open(c.err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || err < 0) return std::unexpected(fmt::format("{}: {}", base, std::strerror(errno)));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) return std::unexpected(fmt::format("fork: {}", std::strerror(errno)));
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        if (setns(lab.fd(), CLONE_NEWNET) != 0) _exit(126);
        if (as_uid) {
            gid_t gid = static_cast<gid_t>(*as_uid);
            if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(*as_uid) != 0) _exit(126);
        }
        int in = ::open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(args[0], args.data());
        _exit(127);
    }
    ::close(out);
    ::close(err);
    c.pid_ = pid;
    return c;
}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_), out_path_(std::move(other.out_path_)), err_path_(std::move(other.err_path_)), reaped_(other.reaped_) {
    other.pid_ = -1;
    other.out_path_.clear();
    other.err_path_.clear();
}

Child::~Child() {
    if (pid_ > 0 && !reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    if (!out_path_.empty()) fs::remove(out_path_, ec);
    if (!err_path_.empty()) fs::remove(err_path_, ec);
}

std::string Child::out() const { return slurp(out_path_); }
std::string Child::err() const { return slurp(err_path_); }

bool Child::wait_for_stderr(const std::string& text, std::chrono::milliseconds limit) const {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (err().find(text) != std::string::npos) return true;
        // Ended without printing it? WNOWAIT leaves the status for wait() to collect.
        siginfo_t info{};
        if (reaped_ || (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_))
            return err().find(text) != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

void Child::signal(int sig) const {
    if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

std::optional<int> Child::wait(std::chrono::milliseconds limit) {
    if (reaped_) return std::nullopt;
    auto end = std::chrono::steady_clock::now() + limit;
    while (true) {
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= end) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            reaped_ = true;
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Frame ethernet(const Mac& dst, const Mac& src, std::uint16_t type, const Frame& payload) {
    Frame f(dst.begin(), dst.end());
    f.insert(f.end(), src.begin(), src.end());
    f.push_back(static_cast<std::uint8_t>(type >> 8));
    f.push_back(static_cast<std::uint8_t>(type));
    f.insert(f.end(), payload.begin(), payload.end());
    if (f.size() < 60) f.resize(60, 0);  // the Ethernet minimum without FCS, as a NIC would pad
    return f;
}

Frame ipv4(std::uint8_t proto, std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, const Frame& payload) {
    Frame f(20, 0);
    f[0] = 0x45;
    put16(f, 2, static_cast<std::uint16_t>(20 + payload.size()));
    put16(f, 4, 0x1234);
    f[8] = 64;
    f[9] = proto;
    std::copy(src.begin(), src.end(), f.begin() + 12);
    std::copy(dst.begin(), dst.end(), f.begin() + 16);
    put16(f, 10, checksum(f.data(), 20));
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

Frame ipv6(std::uint8_t next, const Frame& payload) {
    Frame f(40, 0);
    f[0] = 0x60;
    put16(f, 4, static_cast<std::uint16_t>(payload.size()));
    f[6] = next;
    f[7] = 64;
    f[8] = 0x20, f[9] = 0x01, f[10] = 0x0d, f[11] = 0xb8, f[23] = 1;   // 2001:db8::1
    f[24] = 0x20, f[25] = 0x01, f[26] = 0x0d, f[27] = 0xb8, f[39] = 2;  // 2001:db8::2
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

Frame udp(std::uint16_t sport, std::uint16_t dport, std::size_t payload_bytes) {
    Frame f(8 + payload_bytes, 0);
    put16(f, 0, sport);
    put16(f, 2, dport);
    put16(f, 4, static_cast<std::uint16_t>(f.size()));
    for (std::size_t i = 8; i < f.size(); ++i) f[i] = static_cast<std::uint8_t>(i);
    return f;
}

Frame tcp(std::uint16_t sport, std::uint16_t dport, std::size_t payload_bytes) {
    Frame f(20 + payload_bytes, 0);
    put16(f, 0, sport);
    put16(f, 2, dport);
    f[12] = 5 << 4;
    f[13] = 0x18;  // PSH, ACK
    put16(f, 14, 65535);
    for (std::size_t i = 20; i < f.size(); ++i) f[i] = static_cast<std::uint8_t>(i);
    return f;
}

Frame arp_request(std::array<std::uint8_t, 4> sender, std::array<std::uint8_t, 4> target) {
    Frame f(28, 0);
    put16(f, 0, 1);       // Ethernet
    put16(f, 2, 0x0800);  // IPv4
    f[4] = 6;
    f[5] = 4;
    put16(f, 6, 1);  // request
    f[8] = 0x02, f[13] = 0x01;
    std::copy(sender.begin(), sender.end(), f.begin() + 14);
    std::copy(target.begin(), target.end(), f.begin() + 24);
    return f;
}

Frame vlan_tagged(const Frame& e, std::uint16_t vid) {
    Frame f(e.begin(), e.begin() + 12);
    f.push_back(0x81);
    f.push_back(0x00);
    f.push_back(static_cast<std::uint8_t>(vid >> 8 & 0x0f));
    f.push_back(static_cast<std::uint8_t>(vid));
    f.insert(f.end(), e.begin() + 12, e.end());
    return f;
}

}  // namespace testing_support
