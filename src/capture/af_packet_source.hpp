// sniff's own live capture backend: a Linux packet socket with a TPACKET_V3 memory-mapped ring,
// the filter running in the kernel (SO_ATTACH_FILTER), packets read in place from the ring.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <memory>
#include <optional>
#include <vector>

#include "capture/source.hpp"

namespace capture {

// How the ring is cut up: blocks are handed between kernel and reader whole (packet_mmap.rst,
// "TPACKET_V3"), and the kernel hands over a partly filled block when its retire timer fires.
struct RingLayout {
    std::uint32_t block_size = 0;
    std::uint32_t block_count = 0;
    std::uint32_t frame_size = 0;          // nominal; V3 packs frames of any size into a block
    std::uint32_t retire_timeout_ms = 0;
    std::uint64_t bytes() const { return std::uint64_t{block_size} * block_count; }
};

// The layout for a buffer of `bytes` (-B), packets cut at `snaplen`, and --immediate-mode.
RingLayout plan_ring(std::uint64_t bytes, std::uint32_t snaplen, bool immediate);

// A program written for DLT_LINUX_SLL rewritten for a SOCK_DGRAM packet socket, whose data start
// at the network header: loads past the 16-byte header move down by 16, the header's packet
// type, ARPHRD type and protocol become Linux ancillary loads, returned lengths shrink by 16.
// Empty when the program reads something the kernel cannot supply (the link-layer address, the
// header length field, `len`, or an index register that holds an absolute offset); the caller
// then filters in user space.
std::optional<cbpf::Program> adapt_to_cooked_socket(const cbpf::Program& program);

// Kernel-side instructions, run before the user's program, that drop what -Q and the loopback
// rule exclude. Empty when nothing needs dropping. See the definition for the rules.
cbpf::Program direction_prefix(Direction direction, const std::vector<int>& loopback_indexes);

class AfPacketSource final : public Source {
public:
    static std::expected<std::unique_ptr<AfPacketSource>, Error> open(const LiveOptions& options);
    ~AfPacketSource() override;
    AfPacketSource(const AfPacketSource&) = delete;
    AfPacketSource& operator=(const AfPacketSource&) = delete;

    int dlt() const override { return cooked_ ? 113 : raw_ip_ ? 12 : 1; }  // DLT_LINUX_SLL, DLT_RAW or DLT_EN10MB
    std::uint32_t snaplen() const override { return options_.snaplen; }
    std::expected<void, Error> set_filter(const std::optional<cbpf::Program>& program) override;
    // Ethernet interfaces only: on a cooked socket (-i any) the kernel gives the filter packets
    // without a link-layer header, which the eBPF program was not compiled for. -Q and the
    // loopback rule are applied in user space (the kernel-side prefix is classic BPF).
    std::expected<void, Error> set_ebpf_filter(int program_fd, const cbpf::Program& same_filter) override;
    std::expected<std::span<const Packet>, Error> next_batch(std::chrono::milliseconds timeout) override;
    std::expected<Stats, Error> stats() override;
    void close() override;

    const RingLayout& ring() const { return ring_; }
    // False when the program could not be expressed for the kernel and runs in user space.
    bool filtering_in_kernel() const { return !user_filter_; }
    int fd() const { return fd_; }

private:
    AfPacketSource() = default;
    std::expected<void, Error> attach(const cbpf::Program* program);  // nullptr: detach
    std::expected<void, Error> restart_filtering();  // drop-all, drain, counters from zero
    void release_held_block();
    void discard_ready_blocks();
    bool block_ready(std::uint32_t index) const;
    void parse_block(std::uint32_t index);
    bool rebuild_and_keep(std::uint8_t* frame, Packet& out);

    LiveOptions options_;
    int ifindex_ = 0;
    bool cooked_ = false;
    bool raw_ip_ = false;  // a device without a link header: packets start at the IP header (DLT_RAW)
    std::vector<int> loopback_indexes_;
    int fd_ = -1;
    std::uint8_t* map_ = nullptr;
    RingLayout ring_;
    std::uint32_t next_block_ = 0;               // the block the kernel fills after the last one read
    std::optional<std::uint32_t> held_block_;    // handed to the caller, returned at the next call
    std::optional<cbpf::Program> user_filter_;   // runs here when the kernel cannot run it
    std::optional<cbpf::Program> vlan_recheck_;  // the program as compiled, for VLAN-tagged frames
    std::vector<Packet> batch_;
    std::deque<std::vector<std::uint8_t>> spill_;  // frames that had no headroom to rebuild in place
    Stats totals_;
    bool filter_set_ = false;
};

}  // namespace capture
