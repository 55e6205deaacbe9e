// The interface live capture backends share (open, set the filter, next batch, stats, close), so
// the CLI drives AF_PACKET and libpcap the same way without knowing which one it has.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

#include "capture/packet.hpp"
#include "cbpf_vm/program.hpp"

namespace capture {

enum class Direction { InOut, In, Out };  // tcpdump -Q

// What the user asked of a live capture; every backend honours all of it.
struct LiveOptions {
    std::string interface;                    // a device name, or "any" for all of them
    std::uint32_t snaplen = 262144;           // -s: bytes kept per packet
    bool promiscuous = true;                  // not -p
    Direction direction = Direction::InOut;   // -Q
    std::optional<std::uint32_t> buffer_kib;  // -B: kernel buffer (ring) size; empty: kDefaultBufferKib
    bool immediate = false;                   // --immediate-mode: deliver each packet without batching delay
};

// 8 MiB: at 64-byte frames that is ~60 000 packets of slack while the reader is descheduled,
// four times libpcap's 2 MiB default.
inline constexpr std::uint32_t kDefaultBufferKib = 8 * 1024;

// The kernel's counters, as tcpdump prints them.
struct Stats {
    std::uint64_t received = 0;  // passed the kernel filter ("packets received by filter")
    std::uint64_t dropped = 0;   // passed it but found no room in the buffer ("dropped by kernel")
};

enum class ErrorKind {
    NoSuchInterface,  // the message lists the interfaces that exist
    NoPermission,     // the message names the missing capability
    InterfaceDown,
    BufferRefused,    // the message says what size was asked
    FilterRefused,    // the kernel (or libpcap) would not take the program
    InterfaceGone,    // the interface went away or down during the capture
    System,           // anything else: the call that failed and errno's text
};

struct Error {
    ErrorKind kind;
    std::string message;  // a whole sentence naming the interface, e.g. "eth7: no such interface; ..."
};

class Source {
public:
    virtual ~Source() = default;

    virtual int dlt() const = 0;                 // DLT_* of the packets delivered
    virtual std::uint32_t snaplen() const = 0;

    // Installs the program (compiled for dlt()), or accepts everything when `program` is empty.
    // Until it is called a source delivers nothing: backends open with a drop-all program.
    virtual std::expected<void, Error> set_filter(const std::optional<cbpf::Program>& program) = 0;

    // Installs an eBPF socket filter instead: `program_fd` is a loaded BPF_PROG_TYPE_SOCKET_FILTER
    // (compiled for dlt()), attached with SO_ATTACH_BPF; the kernel keeps its own reference, so
    // the descriptor may be closed afterwards. `same_filter` is the same filter in classic BPF:
    // it judges again, in user space, frames the kernel saw differently from what is delivered
    // (a VLAN tag taken out). Backends that attach classic BPF only say so (FilterRefused).
    virtual std::expected<void, Error> set_ebpf_filter(int program_fd, const cbpf::Program& same_filter) {
        (void)program_fd, (void)same_filter;
        return std::unexpected(Error{ErrorKind::FilterRefused, "this capture backend attaches classic BPF filters only"});
    }

    // Waits up to `timeout` and returns what arrived, possibly nothing (also when a signal
    // interrupted the wait, so a caller sees its stop flag promptly). The packets' bytes stay
    // valid until the next call to next_batch() or close().
    virtual std::expected<std::span<const Packet>, Error> next_batch(std::chrono::milliseconds timeout) = 0;

    // Totals since set_filter(); each call returns the running total.
    virtual std::expected<Stats, Error> stats() = 0;

    // Releases the socket and buffer; further calls are errors. Idempotent.
    virtual void close() = 0;
};

}  // namespace capture
