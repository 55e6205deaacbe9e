// Loading eBPF programs into the kernel and running them there, through libbpf (Debian's
// libbpf-dev): the one module of sniff that calls bpf(). Everything else passes ebpf::Program
// values around.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace ebpf {

// What went wrong, as the kernel said it: the failing call, errno's text, and for a refused
// program the verifier's log (its last lines say which instruction and why).
struct LoadError {
    std::string message;
    int error_number = 0;
    std::string verifier_log;
};

// A program loaded in the kernel; owns its file descriptor and those of the maps it reads
// (closed on destruction; move-only). The kernel keeps a loaded program's maps while the program
// lives; sniff keeps their descriptors to read them (counters).
class LoadedProgram {
public:
    LoadedProgram() = default;
    LoadedProgram(int fd, Hook hook, std::size_t insns) : fd_(fd), hook_(hook), insns_(insns) {}
    LoadedProgram(LoadedProgram&& o) noexcept;
    LoadedProgram& operator=(LoadedProgram&& o) noexcept;
    LoadedProgram(const LoadedProgram&) = delete;
    LoadedProgram& operator=(const LoadedProgram&) = delete;
    ~LoadedProgram();

    int fd() const { return fd_; }
    Hook hook() const { return hook_; }
    std::size_t insns() const { return insns_; }
    // The file descriptor of map `index` of the loaded Filter.
    int map_fd(std::size_t index) const { return map_fds_.at(index); }
    std::size_t map_count() const { return map_fds_.size(); }
    // Takes ownership of the descriptors of the program's maps, in the Filter's order.
    void adopt_maps(std::vector<int> fds) { map_fds_ = std::move(fds); }

private:
    int fd_ = -1;
    Hook hook_ = Hook::Socket;
    std::size_t insns_ = 0;
    std::vector<int> map_fds_;
};

// Loads `program` as the hook's program type (BPF_PROG_TYPE_SOCKET_FILTER, _XDP or _SCHED_CLS),
// license "GPL" (the legacy packet loads and some helpers need it), named `name` (at most 15
// characters are kept). On refusal the error carries the verifier's log.
std::expected<LoadedProgram, LoadError> load(const Program& program, Hook hook, std::string_view name = "sniff");
// The same for a program that reads maps: each map is created (BPF_MAP_CREATE), filled and, when
// read_only, frozen; the program's map references get their file descriptors; then the program
// is loaded. Errors name the map and the failing call.
std::expected<LoadedProgram, LoadError> load(const Filter& filter, Hook hook, std::string_view name = "sniff");

// The verifier's whole log for `program` at `level` (1: the path that was refused; 2: every
// instruction it walked, `0: (bf) r6 = r1` with the register state after it), the program being
// closed again. For the dumper's cross-check and for debugging the emitter; a refused program is
// an error as with load().
std::expected<std::string, LoadError> verifier_log(const Program& program, Hook hook, std::uint32_t level = 2);
std::expected<std::string, LoadError> verifier_log(const Filter& filter, Hook hook, std::uint32_t level = 2);

// One BPF_PROG_TEST_RUN of `frame` (the packet from its link-layer header on, as captured).
//  - Socket: the kernel treats the first 14 bytes of the test input as an Ethernet header and
//    starts skb->data after them, so 14 bytes (destination 00:00:00:00:00:00, which makes the
//    packet PACKET_HOST on the loopback device) are put in front of `frame`: the program sees
//    `frame` at offset 0 and skb->len == frame.size().
//  - Xdp and Tc see `frame` as it is; the kernel refuses inputs shorter than 14 bytes or longer
//    than about a page (EINVAL), which is reported as an error. Tc inputs are also refused when
//    their EtherType says IPv4 (IPv6) and less than a 20-byte (40-byte) header follows; Xdp inputs
//    longer than one buffer are refused here, as the kernel would put the rest in fragments that
//    the program does not see (test_runnable() has the numbers).
// `repeat` runs it that many times (at least 1); duration_ns is the kernel's mean per run.
struct TestRun {
    std::uint32_t retval = 0;
    std::uint32_t duration_ns = 0;
};
std::expected<TestRun, LoadError> test_run(const LoadedProgram& program, std::span<const std::uint8_t> frame, std::uint32_t repeat = 1);

// Whether frames of `size` bytes can go through test_run() on `hook` (the kernel's limits above).
bool test_runnable(Hook hook, std::size_t size);
// The same for this frame, with the Tc rule on IPv4 and IPv6 headers: exactly when test_run()
// takes it.
bool test_runnable(Hook hook, std::span<const std::uint8_t> frame);

// What the kernel made of a loaded program: its length after the verifier's rewrites (legacy
// packet loads, __sk_buff field accesses and far jumps expanded: what the interpreter or JIT
// takes) and the size of its JIT image in bytes (0 with the JIT off). From BPF_OBJ_GET_INFO_BY_FD.
struct ProgramInfo {
    std::size_t xlated_insns = 0;
    std::size_t jited_bytes = 0;
};
std::expected<ProgramInfo, LoadError> program_info(const LoadedProgram& program);

// Attaches a loaded socket filter to `socket_fd` with SO_ATTACH_BPF (replacing any filter).
std::expected<void, LoadError> attach_to_socket(int socket_fd, const LoadedProgram& program);

// Why bpf() cannot load a program here (no privilege, a kernel without eBPF), or nothing when it
// can: loads and test-runs a two-instruction socket filter once and remembers the answer.
std::optional<std::string> bpf_unavailable();

}  // namespace ebpf
