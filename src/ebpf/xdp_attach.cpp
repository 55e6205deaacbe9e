// XDP through BPF links (never rtnetlink's IFLA_XDP, which outlives the process), the query of
// what is attached, and the counter maps read back: libbpf 1.1's low-level API, errors as values.
#include "ebpf/xdp_attach.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fmt/format.h>
#include <linux/if_link.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace ebpf {

std::string_view attach_mode_name(XdpAttachMode m) {
    switch (m) {
        case XdpAttachMode::Auto: return "auto";
        case XdpAttachMode::Native: return "native";
        case XdpAttachMode::Generic: return "generic";
    }
    return "?";
}

XdpLink::XdpLink(XdpLink&& o) noexcept : fd_(std::exchange(o.fd_, -1)), mode_(o.mode_) {}

XdpLink& XdpLink::operator=(XdpLink&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        mode_ = o.mode_;
    }
    return *this;
}

XdpLink::~XdpLink() {
    if (fd_ >= 0) close(fd_);
}

bool XdpLink::detach() {
    if (fd_ < 0) return true;
    // BPF_LINK_DETACH takes the program off the interface even if another descriptor of the link
    // exists (a child that inherited it); closing alone would wait for the last one.
    const int rc = bpf_link_detach(fd_);
    const int err = errno;
    close(std::exchange(fd_, -1));
    errno = err;
    return rc == 0;
}

namespace {

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// Processes holding link `id`: a bpf-link descriptor's fdinfo has a `link_id:` line
// (bpf_link_show_fdinfo, kernel/bpf/syscall.c).
std::vector<LinkHolder> link_holders(std::uint32_t id) {
    std::vector<LinkHolder> out;
    DIR* proc = opendir("/proc");
    if (!proc) return out;
    const std::string wanted = fmt::format("link_id:\t{}", id);
    while (dirent* d = readdir(proc)) {
        char* end = nullptr;
        const long pid = std::strtol(d->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        const std::string dir = fmt::format("/proc/{}/fdinfo", pid);
        DIR* fds = opendir(dir.c_str());
        if (!fds) continue;
        bool holds = false;
        while (dirent* f = readdir(fds)) {
            if (f->d_name[0] == '.') continue;
            std::ifstream info(dir + "/" + f->d_name);
            std::string line;
            while (std::getline(info, line)) {
                if (line == wanted) holds = true;
            }
            if (holds) break;
        }
        closedir(fds);
        if (holds) out.push_back({static_cast<pid_t>(pid), read_line(fmt::format("/proc/{}/comm", pid))});
    }
    closedir(proc);
    return out;
}

// The XDP link on `ifindex` holding program `prog_id`, if there is one. Link info carries the
// ifindex alone, not the network namespace: the program id makes a mix-up with a link on the same
// ifindex in another namespace need the same program attached there too.
std::optional<std::uint32_t> find_xdp_link(int ifindex, std::uint32_t prog_id) {
    std::uint32_t id = 0;
    while (bpf_link_get_next_id(id, &id) == 0) {
        const int fd = bpf_link_get_fd_by_id(id);
        if (fd < 0) continue;  // gone meanwhile
        bpf_link_info info{};
        std::uint32_t len = sizeof info;
        const bool match = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_LINK_TYPE_XDP &&
                           static_cast<int>(info.xdp.ifindex) == ifindex && info.prog_id == prog_id;
        close(fd);
        if (match) return id;
    }
    return std::nullopt;
}

std::string program_name(std::uint32_t prog_id) {
    const int fd = bpf_prog_get_fd_by_id(prog_id);
    if (fd < 0) return {};
    bpf_prog_info info{};
    std::uint32_t len = sizeof info;
    std::string name;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) name = info.name;
    close(fd);
    return name;
}

std::string mode_text(std::uint8_t attach_mode) {
    switch (attach_mode) {
        case XDP_ATTACHED_DRV: return "native";
        case XDP_ATTACHED_SKB: return "generic";
        case XDP_ATTACHED_HW: return "offloaded";
        case XDP_ATTACHED_MULTI: return "several modes";
        default: return "an unknown mode";
    }
}

std::string permission_text(const std::string& what) {
    return fmt::format("{}: operation not permitted: XDP needs CAP_NET_ADMIN (to attach to the interface) and CAP_BPF (to load "
                       "the program), or CAP_SYS_ADMIN; run sniff as root or give it those capabilities",
                       what);
}

XdpError already_attached(int ifindex, const std::string& ifname, int err) {
    std::string who = "another program";
    auto q = query_xdp(ifindex);
    std::string advice = fmt::format("detach it first, or stop what attached it");
    if (q && *q) {
        who = describe_attached(**q);
        if (!(*q)->link_id)
            advice = fmt::format("it was attached over netlink: remove it with `ip link set dev {} xdp off` "
                                 "(xdpgeneric off for generic mode) if it is not needed",
                                 ifname);
        else if (!(*q)->holders.empty())
            advice = "stop that process first";
        else
            advice = "its link is pinned or held elsewhere: unpin it (bpftool link) or stop its owner first";
    }
    return XdpError{XdpErrorKind::AlreadyAttached,
                    fmt::format("{}: an XDP program is already attached: {}; {}", ifname, who, advice), err};
}

}  // namespace

std::string describe_attached(const AttachedXdp& a) {
    std::string text = fmt::format("program '{}' (id {}) in {} mode", a.prog_name.empty() ? "?" : a.prog_name, a.prog_id, a.mode);
    if (!a.link_id) return text + ", attached over netlink (not a BPF link)";
    text += fmt::format(", through BPF link {}", *a.link_id);
    for (std::size_t i = 0; i < a.holders.size(); ++i)
        text += fmt::format("{} process {} ({})", i == 0 ? " held by" : ",", a.holders[i].pid, a.holders[i].command);
    return text;
}

std::expected<std::optional<AttachedXdp>, XdpError> query_xdp(int ifindex) {
    bpf_xdp_query_opts opts{};
    opts.sz = sizeof opts;
    if (bpf_xdp_query(ifindex, 0, &opts) != 0) {
        const int err = errno;
        return std::unexpected(XdpError{err == EPERM ? XdpErrorKind::Permission : XdpErrorKind::Other,
                                        fmt::format("querying XDP on interface {} failed: {}", ifindex, std::strerror(err)), err});
    }
    if (opts.attach_mode == XDP_ATTACHED_NONE) return std::optional<AttachedXdp>{};
    AttachedXdp a;
    a.prog_id = opts.prog_id ? opts.prog_id : opts.drv_prog_id ? opts.drv_prog_id : opts.skb_prog_id ? opts.skb_prog_id : opts.hw_prog_id;
    a.mode = mode_text(opts.attach_mode);
    a.prog_name = program_name(a.prog_id);
    a.link_id = find_xdp_link(ifindex, a.prog_id);
    if (a.link_id) a.holders = link_holders(*a.link_id);
    return a;
}

std::expected<XdpLink, XdpError> attach_xdp(const LoadedProgram& program, int ifindex, const std::string& ifname, XdpAttachMode mode) {
    // Something there already: say what, before the kernel's bare EBUSY.
    if (auto q = query_xdp(ifindex); q && *q) return std::unexpected(already_attached(ifindex, ifname, EBUSY));
    auto try_mode = [&](XdpAttachMode m) {
        bpf_link_create_opts opts{};
        opts.sz = sizeof opts;
        opts.flags = m == XdpAttachMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
        return bpf_link_create(program.fd(), ifindex, BPF_XDP, &opts);
    };
    XdpAttachMode got = mode == XdpAttachMode::Generic ? XdpAttachMode::Generic : XdpAttachMode::Native;
    int fd = try_mode(got);
    int err = fd < 0 ? errno : 0;
    if (fd < 0 && err == EOPNOTSUPP && mode == XdpAttachMode::Auto) {
        got = XdpAttachMode::Generic;
        fd = try_mode(got);
        err = fd < 0 ? errno : 0;
    }
    if (fd >= 0) return XdpLink(fd, got);
    if (err == EPERM || err == EACCES)
        return std::unexpected(XdpError{XdpErrorKind::Permission, permission_text(fmt::format("{}: attaching XDP", ifname)), err});
    if (err == EBUSY || err == EEXIST) return std::unexpected(already_attached(ifindex, ifname, err));
    if (err == EOPNOTSUPP)
        return std::unexpected(XdpError{XdpErrorKind::NotSupported,
                                        fmt::format("{}: the driver has no {} XDP (EOPNOTSUPP){}", ifname, attach_mode_name(got),
                                                    got == XdpAttachMode::Native ? "; use --xdp-mode generic (or auto)" : ""),
                                        err});
    if (err == EINVAL)
        return std::unexpected(XdpError{XdpErrorKind::NotSupported,
                                        fmt::format("{}: the kernel refused to attach XDP in {} mode through a BPF link (EINVAL): BPF links "
                                                    "for XDP need Linux 5.9, and some drivers refuse XDP for their MTU or settings",
                                                    ifname, attach_mode_name(got)),
                                        err});
    return std::unexpected(XdpError{XdpErrorKind::Other,
                                    fmt::format("{}: bpf(BPF_LINK_CREATE) for XDP in {} mode failed: {}", ifname, attach_mode_name(got),
                                                std::strerror(err)),
                                    err});
}

std::expected<std::array<VerdictCount, 2>, XdpError> read_verdict_counts(int map_fd) {
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return std::unexpected(XdpError{XdpErrorKind::Other, "cannot tell the number of possible CPUs", -cpus});
    std::array<VerdictCount, 2> sum{};
    // A per-CPU value comes back as one value per possible CPU, each rounded up to 8 bytes
    // (bpf_percpu_array_copy, kernel/bpf/arraymap.c); VerdictCount is 16 bytes already.
    std::vector<VerdictCount> per_cpu(static_cast<std::size_t>(cpus));
    for (std::uint32_t key : {kDroppedKey, kPassedKey}) {
        if (bpf_map_lookup_elem(map_fd, &key, per_cpu.data()) != 0) {
            const int err = errno;
            return std::unexpected(XdpError{XdpErrorKind::Other, fmt::format("reading the verdict counters failed: {}", std::strerror(err)), err});
        }
        for (const VerdictCount& c : per_cpu) {
            sum[key].packets += c.packets;
            sum[key].bytes += c.bytes;
        }
    }
    return sum;
}

std::expected<std::uint64_t, XdpError> read_u64(int map_fd) {
    std::uint32_t key = 0;
    std::uint64_t value = 0;
    if (bpf_map_lookup_elem(map_fd, &key, &value) != 0) {
        const int err = errno;
        return std::unexpected(XdpError{XdpErrorKind::Other, fmt::format("reading the match counter failed: {}", std::strerror(err)), err});
    }
    return value;
}

}  // namespace ebpf
