// Throw-away network namespaces with a veth pair, for the live capture tests: every frame a test
// sends stays inside its own namespace, and the namespace goes away when the test ends.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace testing_support {

using Frame = std::vector<std::uint8_t>;

// Why live tests cannot run here (not root, no CAP_NET_ADMIN/CAP_NET_RAW, no `ip`), or nullopt.
std::optional<std::string> live_tests_unavailable();

// A namespace "sniff-test-<pid>-<n>" holding the veth pair a() <-> b(), both up, with IPv6 off
// so the kernel sends nothing of its own (no router solicitations, no MLD reports) and the only
// frames on the pair are the test's.
class VethLab {
public:
    static std::expected<VethLab, std::string> create();
    VethLab(VethLab&& other) noexcept;
    VethLab& operator=(VethLab&&) = delete;
    VethLab(const VethLab&) = delete;
    ~VethLab();  // deletes the namespace, and the links in it with it

    const std::string& name() const { return name_; }
    std::string a() const { return "sx0"; }
    std::string b() const { return "sx1"; }
    int fd() const { return fd_; }

    // Runs `ip -n <ns> ARGS`; false (and the output in `out`) on failure.
    bool ip(const std::string& args, std::string* out = nullptr) const;

private:
    VethLab() = default;
    std::string name_;
    int fd_ = -1;  // /run/netns/<name>, for setns
};

// Puts the calling thread into a namespace until destroyed. Sockets keep the namespace they
// were created in, so a capture opened inside keeps working after leaving.
class InNamespace {
public:
    explicit InNamespace(const VethLab& lab);
    ~InNamespace();
    InNamespace(const InNamespace&) = delete;
    InNamespace& operator=(const InNamespace&) = delete;
    bool ok() const { return ok_; }

private:
    int original_ = -1;
    bool ok_ = false;
};

// Sends each frame out of `ifname` (in the calling thread's namespace) with an AF_PACKET socket.
std::expected<void, std::string> send_frames(const std::string& ifname, const std::vector<Frame>& frames);

// A program started inside a namespace, its stdout and stderr going to files.
class Child {
public:
    // `as_uid`: switch to that user (and its group) before exec, to test what an unprivileged
    // user sees.
    static std::expected<Child, std::string> spawn(const VethLab& lab, const std::vector<std::string>& argv,
                                                   std::optional<uid_t> as_uid = std::nullopt);
    Child(Child&& other) noexcept;
    Child& operator=(Child&&) = delete;
    ~Child();  // kills and reaps the process if still running, removes the files

    pid_t pid() const { return pid_; }
    std::string out() const;
    std::string err() const;
    // Waits until stderr contains `text`, or the process exits, or the time is up.
    bool wait_for_stderr(const std::string& text, std::chrono::milliseconds limit) const;
    void signal(int sig) const;
    // Exit status (or 128 + signal), or nullopt when it did not end in time (it is then killed).
    std::optional<int> wait(std::chrono::milliseconds limit);

private:
    Child() = default;
    pid_t pid_ = -1;
    std::string out_path_, err_path_;
    bool reaped_ = false;
};

// Frame builders: Ethernet II with the given EtherType and payload; IPv4 and IPv6 with UDP or
// TCP; ARP; an 802.1Q tag in front of an Ethernet frame's EtherType.
using Mac = std::array<std::uint8_t, 6>;
Frame ethernet(const Mac& dst, const Mac& src, std::uint16_t type, const Frame& payload);
Frame ipv4(std::uint8_t proto, std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, const Frame& payload);
Frame ipv6(std::uint8_t next, const Frame& payload);
Frame udp(std::uint16_t sport, std::uint16_t dport, std::size_t payload_bytes);
Frame tcp(std::uint16_t sport, std::uint16_t dport, std::size_t payload_bytes);
Frame arp_request(std::array<std::uint8_t, 4> sender, std::array<std::uint8_t, 4> target);
Frame vlan_tagged(const Frame& ethernet_frame, std::uint16_t vid);

}  // namespace testing_support
