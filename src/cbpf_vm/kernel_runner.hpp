// Runs a classic BPF program in the Linux kernel: SO_ATTACH_FILTER on a packet socket in a
// private network namespace, with each packet replayed out of a veth pair. The socket watches
// the sending end, where the kernel hands taps the frame exactly as sent (on the receiving end it
// would already have stripped VLAN tags before any filter runs).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

#include "cbpf_vm/program.hpp"

namespace cbpf {

class KernelRunner {
public:
    // Forks a helper process that owns the namespace; fails with a reason (missing privilege,
    // the kernel refusing the program, no `ip` command) when the kernel leg cannot run.
    static std::expected<KernelRunner, std::string> start(const Program& prog);

    KernelRunner(KernelRunner&& other) noexcept;
    KernelRunner& operator=(KernelRunner&&) = delete;
    ~KernelRunner();

    // Bytes the filtered socket received for `frame` (0: the kernel's filter dropped it), or
    // nullopt when the frame cannot be sent (shorter than an Ethernet header, larger than the MTU).
    std::optional<std::uint32_t> run(std::span<const std::uint8_t> frame);

private:
    KernelRunner(int fd, int pid) : fd_(fd), pid_(pid) {}
    int fd_ = -1;
    int pid_ = -1;
};

}  // namespace cbpf
