// --xdp-drop / --xdp-pass -i IF: the filter compiled for XDP, with verdict counters and the -c
// limit added (ebpf/verdict_counters.hpp), attached through a BPF link until SIGINT/SIGTERM or
// -c, then detached, with the counters printed as tcpdump prints its end-of-capture figures.
#include <fmt/format.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "capture/interfaces.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"
#include "ebpf/loader.hpp"
#include "ebpf/verdict_counters.hpp"
#include "ebpf/xdp_attach.hpp"

namespace cli {
namespace {

using namespace std::chrono_literals;

// How often user space looks at the match counter (-c) and whether the interface still exists.
// Packets arriving between the Nth match and the detach pass untouched (the program stops
// acting by itself), so this only bounds how long sniff lingers.
constexpr auto kPoll = 10ms;
// Without -c only a signal or a vanished interface ends the run.
constexpr auto kIdlePoll = 100ms;

const char* plural(std::uint64_t n) { return n == 1 ? "" : "s"; }

ebpf::XdpAttachMode attach_mode_of(const std::string& m) {
    if (m == "native") return ebpf::XdpAttachMode::Native;
    if (m == "generic") return ebpf::XdpAttachMode::Generic;
    return ebpf::XdpAttachMode::Auto;
}

// The filter for the banner: quoted, without the line ends of a -F file, and cut after 100
// characters with its length (a 100,000-host list would be a 2 MB line).
std::string quoted_filter(const Options& o) {
    constexpr std::size_t kShown = 100;
    auto expr = filter_text(o);
    std::string text = expr ? *expr : "";
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    while (!text.empty() && text.back() == ' ') text.pop_back();
    if (text.size() <= kShown) return "'" + text + "'";
    return fmt::format("'{}…' ({} characters)", text.substr(0, kShown), text.size());
}

// The interface, or nullopt after saying what to do. XDP can be attached to a down interface,
// but nothing reaches it there, so that is refused as tcpdump refuses to capture on one.
std::optional<capture::InterfaceInfo> find_interface(const std::string& name) {
    auto list = capture::list_interfaces();
    if (!list) {
        fmt::print(stderr, "sniff: {}\n", list.error().message);
        return std::nullopt;
    }
    for (const auto& i : *list) {
        if (i.name != name) continue;
        if (!i.up()) {
            fmt::print(stderr, "sniff: {}: the interface is down, so no packet would reach XDP; bring it up first: ip link set dev {} up\n",
                       name, name);
            return std::nullopt;
        }
        return i;
    }
    std::string names;
    for (const auto& i : *list) names += (names.empty() ? "" : ", ") + i.name;
    fmt::print(stderr, "sniff: {}: no such interface; the interfaces here are: {} (sniff -D lists them)\n", name, names);
    return std::nullopt;
}

void print_counts(const std::array<ebpf::VerdictCount, 2>& c) {
    const auto& d = c[ebpf::kDroppedKey];
    const auto& p = c[ebpf::kPassedKey];
    fmt::print(stderr, "{} packet{} ({} bytes) dropped, {} packet{} ({} bytes) passed\n", d.packets, plural(d.packets), d.bytes,
               p.packets, plural(p.packets), p.bytes);
}

}  // namespace

int run_xdp_drop(const Options& o) {
    const std::string& ifname = *o.interface;
    const ebpf::XdpMode mode = o.xdp_drop ? ebpf::XdpMode::DropMatching : ebpf::XdpMode::PassMatching;
    const char* flag = o.xdp_drop ? "--xdp-drop" : "--xdp-pass";

    // XDP programs are compiled for Ethernet frames (the XDP hook sees the frame as the driver got
    // it); -y may only say so.
    if (o.link_type) {
        const auto* lt = sniff::find_link_type(std::string_view(*o.link_type));
        if (!lt || lt->dlt != sniff::kDefaultDlt) {
            fmt::print(stderr, "sniff: {} compiles the filter for Ethernet (EN10MB), the frames XDP sees; -y {} does not apply\n",
                       flag, *o.link_type);
            return 1;
        }
    }
    auto iface = find_interface(ifname);
    if (!iface) return 1;
    // Linux's loopback device carries Ethernet headers (zero addresses), as libpcap maps it.
    if (iface->arphrd != ARPHRD_ETHER && iface->arphrd != ARPHRD_LOOPBACK) {
        fmt::print(stderr, "sniff: {}: {} filters Ethernet frames at XDP, but this interface has link type ARPHRD {} "
                           "(not Ethernet); filter it with a live capture instead (sniff -i {} EXPR)\n",
                   ifname, flag, iface->arphrd, ifname);
        return 1;
    }

    auto filter = load_ebpf_program(o, {.dlt = 1, .snaplen = o.snaplen, .kernel_vlan = false}, ebpf::Hook::Xdp);
    if (!filter) return 1;
    const ebpf::VerdictMaps maps = ebpf::add_verdict_counters(*filter, mode, o.count);
    if (o.dump_level > 0) {  // the program as it would be attached, epilogue included
        fmt::print("{}", dump_ebpf_text(*filter, o.dump_level));
        return 0;
    }

    auto loaded = ebpf::load(*filter, ebpf::Hook::Xdp, o.xdp_drop ? "sniff_xdp_drop" : "sniff_xdp_pass");
    if (!loaded) {
        const auto& e = loaded.error();
        if (e.error_number == EPERM)
            fmt::print(stderr, "sniff: {}: loading the XDP program is not permitted: it needs CAP_BPF (and CAP_NET_ADMIN to attach it), "
                               "or CAP_SYS_ADMIN; run sniff as root or give it those capabilities\n", ifname);
        else
            fmt::print(stderr, "sniff: {}: {}{}\n", ifname, e.message,
                       e.verifier_log.empty() ? "" : "\nthe verifier said:\n" + e.verifier_log);
        return 1;
    }

    // Before the attach: a signal from then on ends the loop below and detaches.
    install_stop_handlers();
    const ebpf::XdpAttachMode wanted = attach_mode_of(o.xdp_mode);
    auto link = ebpf::attach_xdp(*loaded, iface->index, ifname, wanted);
    if (!link) {
        fmt::print(stderr, "sniff: {}\n", link.error().message);
        return 1;
    }
    if (wanted == ebpf::XdpAttachMode::Auto && link->mode() == ebpf::XdpAttachMode::Generic)
        fmt::print(stderr, "sniff: {}: the driver has no native XDP; attached in generic mode, which runs after the kernel has "
                           "built each packet's skb (slower, same verdicts)\n", ifname);
    fmt::print(stderr, "sniff: {} attached to {} ({} XDP, {} instructions): {} the packets that match {}{}\n", flag, ifname,
               ebpf::attach_mode_name(link->mode()), filter->insns.size(), o.xdp_drop ? "dropping" : "passing only", quoted_filter(o),
               o.count ? fmt::format(", until {} match{}", *o.count, *o.count == 1 ? "" : "es") : "");

    int status = 0;
    bool limit_reached = false;
    auto last_check = std::chrono::steady_clock::now();
    while (!stop_requested()) {
        // poll() rather than sleep_for, which sleeps again after a signal: SIGINT must end the
        // wait at once (the handlers have no SA_RESTART, and poll is never restarted anyway).
        poll(nullptr, 0, static_cast<int>(std::chrono::milliseconds(o.count ? kPoll : kIdlePoll).count()));
        if (o.count) {
            auto matched = ebpf::read_u64(loaded->map_fd(*maps.matches));
            if (!matched) {
                fmt::print(stderr, "sniff: {}\n", matched.error().message);
                status = 1;
                break;
            }
            if (*matched >= *o.count) {
                limit_reached = true;
                break;
            }
        }
        if (std::chrono::steady_clock::now() - last_check >= kIdlePoll) {
            last_check = std::chrono::steady_clock::now();
            // The kernel ends the link when the interface goes away (dev_xdp_uninstall).
            char name[IF_NAMESIZE] = {};
            if (!if_indextoname(static_cast<unsigned>(iface->index), name)) {
                fmt::print(stderr, "sniff: {}: the interface went away; its XDP program went with it\n", ifname);
                status = 1;
                break;
            }
        }
    }
    if (!link->detach() && errno != ENOLINK)
        fmt::print(stderr, "sniff: {}: detaching the XDP program failed: {} (it goes when sniff exits)\n", ifname, std::strerror(errno));
    if (limit_reached)
        fmt::print(stderr, "sniff: {}: {} matching packet{} handled (-c {}); detached\n", ifname, *o.count, plural(*o.count), *o.count);
    auto counts = ebpf::read_verdict_counts(loaded->map_fd(maps.counters));
    if (!counts) {
        fmt::print(stderr, "sniff: {}\n", counts.error().message);
        return 1;
    }
    print_counts(*counts);
    return status;
}

}  // namespace cli
