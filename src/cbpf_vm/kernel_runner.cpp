// The helper process: unshare(CLONE_NEWNET), a veth pair made with iproute2, one unfiltered and
// one filtered ETH_P_ALL socket on the sending end, and a request/reply loop over a socketpair.
#include "cbpf_vm/kernel_runner.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace cbpf {
namespace {

constexpr const char* kSendIf = "sniffk0";
constexpr const char* kPeerIf = "sniffk1";
constexpr std::size_t kMaxFrame = 65536;

std::string errno_text(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

bool write_file(const char* path, const char* text) {
    FILE* f = std::fopen(path, "w");
    if (!f) return false;
    bool ok = std::fputs(text, f) >= 0;
    return std::fclose(f) == 0 && ok;
}

int packet_socket(int ifindex, std::string& error) {
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (s < 0) {
        error = errno == EPERM ? "a packet socket needs CAP_NET_RAW" : errno_text("socket(AF_PACKET)");
        return -1;
    }
    int size = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = ifindex;
    if (bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        error = errno_text("bind(AF_PACKET)");
        close(s);
        return -1;
    }
    return s;
}

void drain(int s) {
    std::vector<std::uint8_t> buf(kMaxFrame);
    while (recv(s, buf.data(), buf.size(), MSG_DONTWAIT) >= 0) {}
}

// Reads frames from `s` until one equals the first bytes of `frame`; returns its full length
// (MSG_TRUNC), or -1 if none arrives within `timeout_ms`.
long receive_matching(int s, std::span<const std::uint8_t> frame, int timeout_ms) {
    std::vector<std::uint8_t> buf(kMaxFrame);
    for (;;) {
        pollfd p{s, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return -1;
        ssize_t n = recv(s, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) continue;
        std::size_t got = std::min<std::size_t>(static_cast<std::size_t>(n), buf.size());
        if (got <= frame.size() && std::memcmp(buf.data(), frame.data(), got) == 0) return n;
    }
}

// Runs in the child: sets everything up, then answers one request per frame.
[[noreturn]] void serve(int fd, const Program& prog) {
    auto fail = [&](const std::string& why) {
        std::string msg = "E" + why;
        send(fd, msg.data(), msg.size(), 0);
        _exit(1);
    };
    if (unshare(CLONE_NEWNET) != 0)
        fail(errno == EPERM ? "a private network namespace needs CAP_SYS_ADMIN" : errno_text("unshare(CLONE_NEWNET)"));
    // No IPv6 autoconfiguration chatter on the new links.
    write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    std::string cmd = fmt::format("ip link add {0} mtu 65500 type veth peer name {1} mtu 65500 && ip link set {0} up && "
                                  "ip link set {1} up", kSendIf, kPeerIf);
    if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) fail("cannot create a veth pair with iproute2's `ip` command");
    int ifindex = static_cast<int>(if_nametoindex(kSendIf));
    std::string error;
    int sender = packet_socket(ifindex, error);
    int watcher = sender < 0 ? -1 : packet_socket(ifindex, error);
    int filtered = watcher < 0 ? -1 : packet_socket(ifindex, error);
    if (filtered < 0) fail(error);
    std::vector<sock_filter> insns;
    for (const auto& in : prog) insns.push_back({in.code, in.jt, in.jf, in.k});
    sock_fprog fprog{static_cast<unsigned short>(insns.size()), insns.data()};
    if (setsockopt(filtered, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0)
        fail(errno_text("the kernel refused the program (SO_ATTACH_FILTER)"));
    drain(filtered);
    drain(watcher);
    send(fd, "R", 1, 0);

    std::vector<std::uint8_t> frame(kMaxFrame);
    for (;;) {
        ssize_t n = recv(fd, frame.data(), frame.size(), 0);
        if (n <= 0) _exit(0);
        std::span<const std::uint8_t> f(frame.data(), static_cast<std::size_t>(n));
        std::int64_t verdict = -1;
        drain(watcher);
        drain(filtered);
        if (send(sender, f.data(), f.size(), 0) == n && receive_matching(watcher, f, 1000) >= 0) {
            // Taps are fed in the sender's context, so the filtered socket has the frame by now
            // if its filter kept it.
            long got = receive_matching(filtered, f, 0);
            verdict = got < 0 ? 0 : got;
        }
        send(fd, &verdict, sizeof verdict, 0);
    }
}

}  // namespace

std::expected<KernelRunner, std::string> KernelRunner::start(const Program& prog) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return std::unexpected(errno_text("socketpair"));
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) return std::unexpected(errno_text("fork"));
    if (pid == 0) {
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        serve(sv[1], prog);
    }
    close(sv[1]);
    char reply[512];
    ssize_t n = recv(sv[0], reply, sizeof reply, 0);
    if (n == 1 && reply[0] == 'R') return KernelRunner(sv[0], pid);
    close(sv[0]);
    waitpid(pid, nullptr, 0);
    if (n > 1 && reply[0] == 'E') return std::unexpected(std::string(reply + 1, static_cast<std::size_t>(n - 1)));
    return std::unexpected(std::string("the kernel helper process ended without a reply"));
}

KernelRunner::KernelRunner(KernelRunner&& other) noexcept : fd_(other.fd_), pid_(other.pid_) {
    other.fd_ = -1;
    other.pid_ = -1;
}

KernelRunner::~KernelRunner() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

std::optional<std::uint32_t> KernelRunner::run(std::span<const std::uint8_t> frame) {
    if (frame.size() < ETH_HLEN || frame.size() > 65500 + ETH_HLEN) return std::nullopt;
    if (send(fd_, frame.data(), frame.size(), 0) != static_cast<ssize_t>(frame.size())) return std::nullopt;
    std::int64_t verdict = -1;
    if (recv(fd_, &verdict, sizeof verdict, 0) != sizeof verdict || verdict < 0) return std::nullopt;
    return static_cast<std::uint32_t>(verdict);
}

}  // namespace cbpf
