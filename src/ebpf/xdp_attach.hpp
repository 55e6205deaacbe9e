// Attaching an XDP program to an interface through a BPF link, finding out what is already
// attached there and by whom, and reading the verdict counters back: with loader.cpp, the only
// code of sniff that calls bpf() (through libbpf 1.1).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/loader.hpp"
#include "ebpf/verdict_counters.hpp"

namespace ebpf {

// Where XDP runs (include/uapi/linux/if_link.h, XDP_FLAGS_*): in the driver before any skb exists
// (native, XDP_FLAGS_DRV_MODE), or in the core after the skb is built (generic,
// XDP_FLAGS_SKB_MODE), which works on every interface but saves less work.
enum class XdpAttachMode { Auto, Native, Generic };
std::string_view attach_mode_name(XdpAttachMode m);

// A program held on an interface by a BPF link (BPF_LINK_CREATE with attach type BPF_XDP, Linux
// 5.9). The kernel detaches it when the last descriptor of the link closes, and so when the
// process ends in any way, SIGKILL included (bpf_link_release, kernel/bpf/syscall.c); destroying
// this object closes it. Move-only.
class XdpLink {
public:
    XdpLink() = default;
    XdpLink(int fd, XdpAttachMode mode) : fd_(fd), mode_(mode) {}
    XdpLink(XdpLink&& o) noexcept;
    XdpLink& operator=(XdpLink&& o) noexcept;
    XdpLink(const XdpLink&) = delete;
    XdpLink& operator=(const XdpLink&) = delete;
    ~XdpLink();
    int fd() const { return fd_; }
    // Native or Generic: the mode the link was made in.
    XdpAttachMode mode() const { return mode_; }
    // Detaches now (BPF_LINK_DETACH, then close); false with errno set when the kernel refused.
    bool detach();

private:
    int fd_ = -1;
    XdpAttachMode mode_ = XdpAttachMode::Auto;
};

// Why an attach failed. `kind` lets the caller word the advice.
enum class XdpErrorKind { Other, Permission, AlreadyAttached, NotSupported };
struct XdpError {
    XdpErrorKind kind = XdpErrorKind::Other;
    std::string message;  // complete, naming the interface and what to do
    int error_number = 0;
};

// Attaches `program` (an XDP program) to interface `ifindex` (named `ifname` in messages).
// Auto tries native mode first and, when the driver has none (EOPNOTSUPP from dev_xdp_attach,
// net/core/dev.c), generic mode; the link says which it got. Errors: EPERM (CAP_NET_ADMIN and
// CAP_BPF are needed), a program already attached (EBUSY, or EEXIST for one in the other mode;
// the message names it, see describe_attached), no XDP in that mode (EOPNOTSUPP), or a kernel
// without BPF links for XDP (EINVAL before 5.9).
std::expected<XdpLink, XdpError> attach_xdp(const LoadedProgram& program, int ifindex, const std::string& ifname, XdpAttachMode mode);

// A process holding a descriptor of a BPF link (found in /proc/PID/fdinfo, `link_id:`).
struct LinkHolder {
    pid_t pid = 0;
    std::string command;  // /proc/PID/comm
};

// What is attached at XDP on an interface (bpf_xdp_query, which asks over rtnetlink; then
// BPF_PROG_GET_FD_BY_ID and BPF_OBJ_GET_INFO_BY_FD for the name).
struct AttachedXdp {
    std::uint32_t prog_id = 0;
    std::string prog_name;  // as loaded, at most 15 characters; empty when it could not be read
    std::string mode;       // "native", "generic", "offloaded" or "several modes"
    // The BPF link holding it (BPF_LINK_GET_NEXT_ID over every link, one of type XDP on this
    // ifindex with this program), or none when it was attached over netlink (ip link set xdp).
    std::optional<std::uint32_t> link_id;
    std::vector<LinkHolder> holders;  // processes holding the link (empty when pinned or unknown)
};
// nullopt when nothing is attached.
std::expected<std::optional<AttachedXdp>, XdpError> query_xdp(int ifindex);
// "program 'sniff_xdp' (id 42) in native mode, through BPF link 7 held by process 1234 (sniff)".
std::string describe_attached(const AttachedXdp& a);

// The counters of a verdict map (add_verdict_counters), summed over the possible CPUs:
// [kDroppedKey] and [kPassedKey].
std::expected<std::array<VerdictCount, 2>, XdpError> read_verdict_counts(int map_fd);
// Entry 0 of a one-entry u64 array (the match counter).
std::expected<std::uint64_t, XdpError> read_u64(int map_fd);

}  // namespace ebpf
