// Interface discovery through getifaddrs (netlink, so it sees the caller's network namespace,
// unlike /sys/class/net which shows the namespace /sys was mounted in) and ethtool's link state.
#include "capture/interfaces.hpp"

#include <fmt/format.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace capture {
namespace {

// ETHTOOL_GLINK reports carrier for drivers that implement get_link; others leave it unknown.
// This is how libpcap decides "Connected"/"Disconnected" for tcpdump -D, and the test of a
// veth whose peer is down (operstate "lowerlayerdown") shows it the same way.
LinkStatus link_status(int sock, const std::string& name, unsigned flags) {
    if (flags & IFF_LOOPBACK) return LinkStatus::NotApplicable;
    if (sock < 0 || name.size() >= IFNAMSIZ) return LinkStatus::Unknown;
    ethtool_value value{};
    value.cmd = ETHTOOL_GLINK;
    ifreq req{};
    std::memcpy(req.ifr_name, name.c_str(), name.size() + 1);
    req.ifr_data = reinterpret_cast<char*>(&value);
    if (ioctl(sock, SIOCETHTOOL, &req) != 0) return LinkStatus::Unknown;
    return value.data ? LinkStatus::Connected : LinkStatus::Disconnected;
}

// tcpdump -D lists the likeliest capture interfaces first. The order below reproduces what
// libpcap's pcap_findalldevs gives on Linux: up and running first, then "any", then up but not
// running, loopback after those, disconnected later, down last; ties by index.
int rank(const InterfaceInfo& i) {
    if (i.index == 0) return 1;
    int r = 0;
    if (!i.running()) r += 2;
    if (i.loopback()) r += 4;
    if (i.link == LinkStatus::Disconnected) r += 8;
    if (!i.up()) r += 16;
    return r;
}

std::string names_of(const std::vector<InterfaceInfo>& list) {
    std::string s;
    for (const auto& i : list) s += (s.empty() ? "" : ", ") + i.name;
    return s.empty() ? std::string("none") : s;
}

}  // namespace

bool InterfaceInfo::up() const { return flags & IFF_UP; }
bool InterfaceInfo::running() const { return flags & IFF_RUNNING; }
bool InterfaceInfo::loopback() const { return flags & IFF_LOOPBACK; }

std::expected<std::vector<InterfaceInfo>, Error> list_interfaces() {
    ifaddrs* head = nullptr;
    if (getifaddrs(&head) != 0) return std::unexpected(system_error("interface list", "getifaddrs", errno));
    // Every link has exactly one AF_PACKET entry (its hardware address); IP addresses add more
    // entries per name, which are not needed here.
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    std::map<int, InterfaceInfo> by_index;
    for (ifaddrs* a = head; a; a = a->ifa_next) {
        InterfaceInfo info;
        info.name = a->ifa_name;
        info.flags = a->ifa_flags;
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_PACKET) {
            const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
            info.index = ll->sll_ifindex;
            info.arphrd = ll->sll_hatype;
        } else if (!a->ifa_addr) {
            // A link without a hardware address (tun, WireGuard: ARPHRD_NONE) has an entry
            // without one, where glibc puts the AF_PACKET address of the others.
            info.index = static_cast<int>(if_nametoindex(a->ifa_name));
            ifreq req{};
            if (info.index == 0 || sock < 0 || info.name.size() >= IFNAMSIZ) continue;
            std::memcpy(req.ifr_name, info.name.c_str(), info.name.size() + 1);
            if (ioctl(sock, SIOCGIFHWADDR, &req) != 0) continue;
            info.arphrd = req.ifr_hwaddr.sa_family;
        } else {
            continue;  // an IP address of a link listed by its own entry
        }
        by_index.try_emplace(info.index, std::move(info));
    }
    freeifaddrs(head);
    std::vector<InterfaceInfo> out;
    for (auto& [index, info] : by_index) {
        info.link = link_status(sock, info.name, info.flags);
        out.push_back(std::move(info));
    }
    if (sock >= 0) ::close(sock);
    return out;
}

std::string format_interface_list(const std::vector<InterfaceInfo>& interfaces) {
    std::vector<InterfaceInfo> all = interfaces;
    InterfaceInfo any;
    any.name = kAnyInterface;
    any.flags = IFF_UP | IFF_RUNNING;
    any.link = LinkStatus::NotApplicable;
    all.push_back(any);
    std::stable_sort(all.begin(), all.end(), [](const InterfaceInfo& a, const InterfaceInfo& b) {
        return std::pair(rank(a), a.index) < std::pair(rank(b), b.index);
    });
    std::string text;
    int n = 0;
    for (const auto& i : all) {
        std::string attrs;
        auto add = [&](const char* s) { attrs += (attrs.empty() ? "" : ", ") + std::string(s); };
        if (i.up()) add("Up");
        if (i.running()) add("Running");
        if (i.loopback()) add("Loopback");
        if (attrs.empty()) attrs = "none";
        if (i.link == LinkStatus::Connected) attrs += ", Connected";
        if (i.link == LinkStatus::Disconnected) attrs += ", Disconnected";
        const char* description = i.index == 0 ? " (Pseudo-device that captures on all interfaces)" : "";
        text += fmt::format("{}.{}{} [{}]\n", ++n, i.name, description, attrs);
    }
    return text;
}

std::expected<InterfaceInfo, Error> find_capture_interface(const std::string& name) {
    if (name == kAnyInterface) {
        InterfaceInfo any;
        any.name = name;
        any.flags = IFF_UP | IFF_RUNNING;
        any.link = LinkStatus::NotApplicable;
        return any;
    }
    auto list = list_interfaces();
    if (!list) return std::unexpected(list.error());
    for (const auto& i : *list) {
        if (i.name != name) continue;
        // A packet socket binds to a down interface without complaint and then never sees a
        // packet; tcpdump refuses instead ("That device is not up"), and so do we.
        if (!i.up())
            return std::unexpected(Error{ErrorKind::InterfaceDown,
                                         fmt::format("{}: the interface is down; bring it up first (ip link set {} up)", name, name)});
        return i;
    }
    return std::unexpected(Error{ErrorKind::NoSuchInterface,
                                 fmt::format("{}: no such interface; the interfaces here are: {}, {} (sniff -D lists them)",
                                             name, names_of(*list), kAnyInterface)});
}

Error permission_error(const std::string& interface) {
    // packet_create() in net/packet/af_packet.c checks ns_capable(CAP_NET_RAW); see packet(7).
    return Error{ErrorKind::NoPermission,
                 fmt::format("{}: no permission to capture: opening a packet socket needs the CAP_NET_RAW capability, "
                             "which this process lacks (run as root, or grant it: setcap cap_net_raw,cap_net_admin=eip <sniff binary>)",
                             interface)};
}

Error system_error(const std::string& interface, const std::string& call, int err) {
    return Error{ErrorKind::System, fmt::format("{}: {} failed: {}", interface, call, std::strerror(err))};
}

std::expected<void, Error> check_buffer_request(const std::string& interface, std::uint64_t bytes) {
    struct sysinfo si {};
    if (sysinfo(&si) != 0) return {};
    std::uint64_t ram = static_cast<std::uint64_t>(si.totalram) * si.mem_unit;
    if (bytes > ram / 2)
        return std::unexpected(Error{ErrorKind::BufferRefused,
                                     fmt::format("{}: a {} capture buffer was asked (-B {}) but this machine has {} of memory; "
                                                 "give at most half of it",
                                                 interface, format_size(bytes), bytes / 1024, format_size(ram))});
    return {};
}

std::string format_size(std::uint64_t bytes) {
    if (bytes >= (std::uint64_t{1} << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1u << 30));
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
    if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1u << 20));
    return fmt::format("{} KiB", (bytes + 1023) / 1024);
}

}  // namespace capture
