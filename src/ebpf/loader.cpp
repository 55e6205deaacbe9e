// The one place sniff calls bpf(): loading programs, test runs and socket attachment through
// libbpf's low-level API (bpf_prog_load, bpf_prog_test_run_opts), errors as values.
#include "ebpf/loader.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstddef>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

namespace ebpf {

static_assert(sizeof(Insn) == sizeof(bpf_insn) && alignof(Insn) <= alignof(bpf_insn),
              "ebpf::Insn is passed to the kernel as struct bpf_insn");

namespace {

// The Ethernet header test runs of socket filters put in front of the frame (header comment of
// test_run): the kernel's eth_type_trans() pulls it, so skb->data starts at the frame.
constexpr std::size_t kEthHeader = 14;

// Largest test_run input, from bpf_test_init() (net/bpf/test_run.c): user data must fit one page
// less the headroom and the skb_shared_info tailroom; on this x86-64 kernel with 4 KiB pages,
// measured with test runs of growing sizes on 6.18 (tests/ebpf_test.cpp, TestRunnable*):
//  - skb programs (socket filter, tc): 4096 - NET_SKB_PAD (64) - 320 = 3712 bytes, the Ethernet
//    header included;
//  - xdp: 4096 - XDP_PACKET_HEADROOM (256) - 320 = 3520 bytes in the one buffer the program sees
//    between data and data_end. The kernel takes up to 3520 + MAX_SKB_FRAGS * 4096 = 73152 bytes,
//    the rest as fragments; a program loaded without BPF_F_XDP_HAS_FRAGS would judge a frame cut
//    at 3520 bytes, so sniff does not test-run longer ones.
constexpr std::size_t kSkbMaxInput = 3712;
constexpr std::size_t kXdpMaxInput = 3520;

// bpf_prog_test_run_skb() also refuses an skb whose protocol (the frame's EtherType, from
// eth_type_trans()) is IPv4 or IPv6 without a whole fixed header after the Ethernet header.
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800, kEtherTypeIpv6 = 0x86dd;
constexpr std::size_t kIpv4HeaderMin = 20, kIpv6Header = 40;

// The EtherType of the Ethernet header put in front of a socket filter's frame: not IPv4 or IPv6,
// whose header rule above would refuse short frames. 0x88b5 is IEEE 802's "local experimental"
// EtherType; the program reads its packet from after this header and never sees it.
constexpr std::uint16_t kSocketTestEtherType = 0x88b5;

// The verifier log of a refused program: buffers grow from 64 KiB to 16 MiB while the kernel
// says the log did not fit (ENOSPC, which then replaces the refusal's errno). Kernels before 6.4
// keep the log's head, so the reason at its end needs the room; since 6.4 a full buffer keeps the
// tail instead, and growing it only matters to verifier_log().
constexpr std::size_t kFirstLogSize = 64 * 1024;
constexpr std::size_t kMaxLogSize = 16 * 1024 * 1024;
constexpr std::size_t kKeptLogLines = 20;

int libbpf_silent(libbpf_print_level, const char*, va_list) { return 0; }

// libbpf prints warnings to stderr by default; sniff reports its errors itself.
void quiet_libbpf() {
    static const bool done = [] {
        libbpf_set_print(libbpf_silent);
        return true;
    }();
    (void)done;
}

bpf_prog_type prog_type(Hook hook) {
    switch (hook) {
        case Hook::Socket: return BPF_PROG_TYPE_SOCKET_FILTER;
        case Hook::Xdp: return BPF_PROG_TYPE_XDP;
        case Hook::Tc: return BPF_PROG_TYPE_SCHED_CLS;
    }
    return BPF_PROG_TYPE_UNSPEC;
}

// The kernel takes [A-Za-z0-9_.] in a program name, at most BPF_OBJ_NAME_LEN - 1 characters
// (bpf_obj_name_cpy, kernel/bpf/syscall.c); anything else would fail the load with EINVAL.
std::string kernel_name(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, BPF_OBJ_NAME_LEN - 1)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        out += ok ? c : '_';
    }
    return out;
}

std::string last_lines(std::string_view log, std::size_t keep) {
    while (!log.empty() && (log.back() == '\n' || log.back() == '\0')) log.remove_suffix(1);
    std::size_t begin = log.size();
    for (std::size_t n = 0; begin > 0; --begin) {
        if (log[begin - 1] == '\n' && ++n == keep) break;
    }
    return std::string(log.substr(begin));
}

// A refusal for want of privilege names what is missing, and the sysctl that decides whether an
// unprivileged user may load programs at all (kernel/bpf/syscall.c, bpf_capable()).
std::string privilege_hint(int err) {
    if (err != EPERM) return {};
    std::string setting = "?";
    if (std::FILE* f = std::fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "r")) {
        char buf[16] = {};
        if (std::fgets(buf, sizeof buf, f)) setting = std::string(buf, std::strcspn(buf, "\n"));
        std::fclose(f);
    }
    return fmt::format(" (loading eBPF needs CAP_BPF, and CAP_NET_ADMIN for XDP and TC, or CAP_SYS_ADMIN; "
                       "kernel.unprivileged_bpf_disabled is {} here)", setting);
}

LoadError errno_error(std::string message, int err) {
    return LoadError{fmt::format("{}: {}{}", message, std::strerror(err), privilege_hint(err)), err, {}};
}

struct RawLoad {
    int fd = -1;
    int error_number = 0;
    std::string log;  // whole log (when asked for one)
};

// One BPF_PROG_LOAD, with a log at `log_level` when it is not 0, the buffer growing while the
// kernel reports ENOSPC.
RawLoad raw_load(const Program& program, Hook hook, std::string_view name, std::uint32_t log_level) {
    quiet_libbpf();
    std::string kname = kernel_name(name);
    const auto* insns = reinterpret_cast<const bpf_insn*>(program.data());
    if (log_level == 0) {
        bpf_prog_load_opts opts{};
        opts.sz = sizeof opts;
        int fd = bpf_prog_load(prog_type(hook), kname.c_str(), "GPL", insns, program.size(), &opts);
        return fd >= 0 ? RawLoad{fd, 0, {}} : RawLoad{-1, errno, {}};
    }
    std::vector<char> buf;
    for (std::size_t size = kFirstLogSize;; size *= 2) {
        buf.assign(size, '\0');
        bpf_prog_load_opts opts{};
        opts.sz = sizeof opts;
        opts.log_level = log_level;
        opts.log_size = static_cast<__u32>(size);
        opts.log_buf = buf.data();
        int fd = bpf_prog_load(prog_type(hook), kname.c_str(), "GPL", insns, program.size(), &opts);
        int err = fd >= 0 ? 0 : errno;
        if (err != ENOSPC || size >= kMaxLogSize) {
            buf.back() = '\0';
            return RawLoad{fd, err, std::string(buf.data())};
        }
        if (fd >= 0) close(fd);
    }
}

std::string refused(Hook hook) { return fmt::format("bpf(BPF_PROG_LOAD) refused the {} program", hook_name(hook)); }

}  // namespace

LoadedProgram::LoadedProgram(LoadedProgram&& o) noexcept
    : fd_(o.fd_), hook_(o.hook_), insns_(o.insns_), map_fds_(std::move(o.map_fds_)) {
    o.fd_ = -1;
    o.map_fds_.clear();
}

LoadedProgram& LoadedProgram::operator=(LoadedProgram&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) close(fd_);
        for (int m : map_fds_) close(m);
        fd_ = std::exchange(o.fd_, -1);
        hook_ = o.hook_;
        insns_ = o.insns_;
        map_fds_ = std::exchange(o.map_fds_, {});
    }
    return *this;
}

LoadedProgram::~LoadedProgram() {
    if (fd_ >= 0) close(fd_);
    for (int m : map_fds_) close(m);
}

namespace {

// Map file descriptors owned until handed to a LoadedProgram.
struct MapFds {
    std::vector<int> fds;
    MapFds() = default;
    MapFds(const MapFds&) = delete;
    MapFds& operator=(const MapFds&) = delete;
    ~MapFds() {
        for (int fd : fds) close(fd);
    }
    std::vector<int> release() { return std::exchange(fds, {}); }
};

// Creates and fills the filter's maps (BPF_MAP_CREATE, BPF_MAP_UPDATE_BATCH where the map type
// has it, else one BPF_MAP_UPDATE_ELEM per entry; BPF_MAP_FREEZE for read-only ones).
std::expected<void, LoadError> create_maps(const std::vector<MapSpec>& specs, MapFds& out) {
    quiet_libbpf();
    for (const MapSpec& m : specs) {
        bpf_map_create_opts opts{};
        opts.sz = sizeof opts;
        opts.map_flags = m.flags;
        const std::string name = kernel_name(m.name);
        int fd = bpf_map_create(static_cast<bpf_map_type>(m.type), name.c_str(), m.key_size, m.value_size, m.max_entries, &opts);
        if (fd < 0)
            return std::unexpected(errno_error(fmt::format("bpf(BPF_MAP_CREATE) failed for map {} ({} entries of {}+{} bytes)", m.name,
                                                           m.max_entries, m.key_size, m.value_size),
                                               errno));
        out.fds.push_back(fd);
        const std::size_t n = m.entries();
        if (m.values.size() != n * m.value_size)
            return std::unexpected(LoadError{fmt::format("map {}: {} keys but {} bytes of values", m.name, n, m.values.size()), EINVAL, {}});
        bool batched = false;
        if (n > 1 && m.type == BPF_MAP_TYPE_HASH) {
            __u32 count = static_cast<__u32>(n);
            batched = bpf_map_update_batch(fd, m.keys.data(), m.values.data(), &count, nullptr) == 0 && count == n;
        }
        for (std::size_t i = 0; !batched && i < n; ++i) {
            if (bpf_map_update_elem(fd, m.keys.data() + i * m.key_size, m.values.data() + i * m.value_size, BPF_ANY) != 0)
                return std::unexpected(errno_error(fmt::format("bpf(BPF_MAP_UPDATE_ELEM) failed for entry {} of map {}", i, m.name), errno));
        }
        if (m.read_only && bpf_map_freeze(fd) != 0)
            return std::unexpected(errno_error(fmt::format("bpf(BPF_MAP_FREEZE) failed for map {}", m.name), errno));
    }
    return {};
}

// The program with each map reference's index replaced by that map's descriptor.
std::expected<Program, LoadError> with_map_fds(const Filter& filter, const std::vector<int>& fds) {
    Program out = filter.insns;
    for (Insn& in : out) {
        if (!is_map_reference(in)) continue;
        if (in.imm < 0 || static_cast<std::size_t>(in.imm) >= fds.size())
            return std::unexpected(LoadError{fmt::format("the program refers to map {}, but it has {} maps", in.imm, fds.size()), EINVAL, {}});
        in.imm = fds[static_cast<std::size_t>(in.imm)];
    }
    return out;
}

}  // namespace

std::expected<LoadedProgram, LoadError> load(const Program& program, Hook hook, std::string_view name) {
    // Without a log first: a log costs the verifier time, and most loads succeed.
    RawLoad first = raw_load(program, hook, name, 0);
    if (first.fd >= 0) return LoadedProgram(first.fd, hook, program.size());
    LoadError error = errno_error(refused(hook), first.error_number);
    // Again with a log, for the verifier's reason; the first errno stays the answer (a retry that
    // ran out of log space would say ENOSPC).
    RawLoad again = raw_load(program, hook, name, 1);
    if (again.fd >= 0) {
        // Refused, then accepted: a transient failure (EAGAIN after libbpf's retries, memory).
        return LoadedProgram(again.fd, hook, program.size());
    }
    error.verifier_log = last_lines(again.log, kKeptLogLines);
    return std::unexpected(std::move(error));
}

std::expected<LoadedProgram, LoadError> load(const Filter& filter, Hook hook, std::string_view name) {
    MapFds maps;
    if (auto made = create_maps(filter.maps, maps); !made) return std::unexpected(made.error());
    auto program = with_map_fds(filter, maps.fds);
    if (!program) return std::unexpected(program.error());
    auto loaded = load(*program, hook, name);
    if (!loaded) return loaded;
    loaded->adopt_maps(maps.release());
    return loaded;
}

std::expected<std::string, LoadError> verifier_log(const Filter& filter, Hook hook, std::uint32_t level) {
    MapFds maps;
    if (auto made = create_maps(filter.maps, maps); !made) return std::unexpected(made.error());
    auto program = with_map_fds(filter, maps.fds);
    if (!program) return std::unexpected(program.error());
    return verifier_log(*program, hook, level);
}

std::expected<std::string, LoadError> verifier_log(const Program& program, Hook hook, std::uint32_t level) {
    RawLoad raw = raw_load(program, hook, "sniff_log", std::max<std::uint32_t>(level, 1));
    if (raw.fd < 0) {
        LoadError error = errno_error(refused(hook), raw.error_number);
        error.verifier_log = last_lines(raw.log, kKeptLogLines);
        return std::unexpected(std::move(error));
    }
    close(raw.fd);
    return std::move(raw.log);
}

bool test_runnable(Hook hook, std::size_t size) {
    switch (hook) {
        case Hook::Socket: return size + kEthHeader <= kSkbMaxInput;
        case Hook::Xdp: return size >= kEthHeader && size <= kXdpMaxInput;
        case Hook::Tc: return size >= kEthHeader && size <= kSkbMaxInput;
    }
    return false;
}

bool test_runnable(Hook hook, std::span<const std::uint8_t> frame) {
    if (!test_runnable(hook, frame.size())) return false;
    if (hook != Hook::Tc) return true;
    std::uint16_t ether_type = static_cast<std::uint16_t>(frame[12] << 8 | frame[13]);
    std::size_t after = frame.size() - kEthHeader;
    if (ether_type == kEtherTypeIpv4) return after >= kIpv4HeaderMin;
    if (ether_type == kEtherTypeIpv6) return after >= kIpv6Header;
    return true;
}

std::expected<TestRun, LoadError> test_run(const LoadedProgram& program, std::span<const std::uint8_t> frame,
                                           std::uint32_t repeat) {
    quiet_libbpf();
    std::vector<std::uint8_t> input;
    if (program.hook() == Hook::Socket) {
        // Destination and source 00:00:00:00:00:00: eth_type_trans() on the loopback device
        // makes it PACKET_HOST.
        input.assign(kEthHeader, 0);
        input[12] = kSocketTestEtherType >> 8;
        input[13] = kSocketTestEtherType & 0xff;
        input.insert(input.end(), frame.begin(), frame.end());
    } else {
        input.assign(frame.begin(), frame.end());
    }
    if (program.hook() == Hook::Xdp && frame.size() > kXdpMaxInput)
        return std::unexpected(LoadError{
            fmt::format("a {}-byte frame is longer than the {} bytes an xdp program sees in one buffer; not test-run",
                        frame.size(), kXdpMaxInput),
            EINVAL, {}});
    bpf_test_run_opts opts{};
    opts.sz = sizeof opts;
    opts.data_in = input.data();
    opts.data_size_in = static_cast<__u32>(input.size());
    opts.repeat = static_cast<int>(std::clamp<std::uint32_t>(repeat, 1, std::numeric_limits<int>::max()));
    if (bpf_prog_test_run_opts(program.fd(), &opts) != 0) {
        int err = errno;
        LoadError error = errno_error(fmt::format("bpf(BPF_PROG_TEST_RUN) failed on the {} program", hook_name(program.hook())), err);
        if (err == EINVAL && !test_runnable(program.hook(), frame))
            error.message += fmt::format(" (the kernel does not test-run this {}-byte frame on {}: shorter than 14 bytes, "
                                         "longer than a page, or an IP header cut short)",
                                         frame.size(), hook_name(program.hook()));
        return std::unexpected(std::move(error));
    }
    return TestRun{opts.retval, opts.duration};
}

std::expected<ProgramInfo, LoadError> program_info(const LoadedProgram& program) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    if (bpf_obj_get_info_by_fd(program.fd(), &info, &len) != 0)
        return std::unexpected(errno_error("bpf(BPF_OBJ_GET_INFO_BY_FD) failed", errno));
    return ProgramInfo{info.xlated_prog_len / sizeof(bpf_insn), info.jited_prog_len};
}

std::expected<void, LoadError> attach_to_socket(int socket_fd, const LoadedProgram& program) {
    if (program.hook() != Hook::Socket)
        return std::unexpected(LoadError{
            fmt::format("setsockopt(SO_ATTACH_BPF) needs a socket program, not a {} program", hook_name(program.hook())),
            EINVAL, {}});
    int fd = program.fd();
    if (setsockopt(socket_fd, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof fd) != 0)
        return std::unexpected(errno_error("setsockopt(SO_ATTACH_BPF) failed", errno));
    return {};
}

std::optional<std::string> bpf_unavailable() {
    static const std::optional<std::string> reason = []() -> std::optional<std::string> {
        const Program trivial = {alu64_imm(op::MOV, R0, 0), exit_insn()};
        auto loaded = load(trivial, Hook::Socket, "sniff_probe");
        if (!loaded) return "eBPF is unavailable: " + loaded.error().message;
        const std::uint8_t frame[20] = {};
        auto run = test_run(*loaded, frame);
        if (!run) return "eBPF is unavailable: " + run.error().message;
        return std::nullopt;
    }();
    return reason;
}

}  // namespace ebpf
