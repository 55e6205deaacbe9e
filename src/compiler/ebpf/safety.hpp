// Verifier safety for the eBPF emitter, in one place (as cbpfc's packet guards): what the kernel's
// verifier (kernel/bpf/verifier.c) must see proven before the code it accepts, and how each proof
// is emitted. The emitter calls these; it makes no safety decision of its own.
//  - Packet bounds at XDP and TC (direct packet access): plan_packet_guards() gives each block
//    one check for the furthest byte it reads at a constant offset, hoisted to a point every
//    path to the read passes (see there); reads at variable offsets are checked one by one
//    (emit_variable_read()).
//  - Division and modulo by a register that may be 0: eBPF yields 0 (or the dividend) where
//    classic BPF rejects the packet, so the divisor is tested first (emit_divisor_guard()).
//  - Shifts by a register: eBPF masks the count to 5 bits, the reference VM shifts to 0 from 32
//    on (emit_shift()).
//  - Stack and registers read before written: the prologue variables the program reads are
//    zeroed at entry (zeroed_slots()).
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/cfg/graph.hpp"
#include "compiler/ebpf/code.hpp"

namespace sniff::ebpf_gen {

// The verifier marks a packet range only up to MAX_PACKET_OFF (0xffff, include/linux/bpf.h):
// direct packet access cannot prove bytes past it, so a read there rejects the packet at XDP
// and TC (README: linear packet data longer than 64 KiB).
inline constexpr std::uint64_t kMaxPacketOffset = 0xffff;

// Per block, the packet bytes [0, n) to prove present before the block's code runs: 0 when the
// paths into it already proved enough, kRejectAll when the block reads past kMaxPacketOffset.
//
// A check for n bytes may move up from a read to any point from which every path that accepts
// the packet needs n bytes anyway: a shorter packet is rejected there instead of later, with the
// same answer. So each block needs the most of what it reads itself and the least of what its
// successors that can accept need (a successor that only rejects needs nothing); a block checks
// that when the paths into it did not all check as much already.
inline constexpr std::uint64_t kRejectAll = ~std::uint64_t{0};
std::vector<std::uint64_t> plan_packet_guards(const cfg::Graph& g);

// The packet bytes [0, n) that computing `v` reads at constant offsets (0: none).
std::uint64_t constant_read_end(const cfg::Graph& g, cfg::ValueId v);

// Proves [0, bytes) of the packet present (data + bytes <= data_end), or goes to `reject`.
void emit_packet_guard(Code& code, std::uint64_t bytes, int reject);

// `size` bytes at (index register) + k, big-endian, into `dst`; a read past the packet goes to
// `reject`. `index_bound` bounds the index: at XDP and TC a bound the verifier knows itself
// (the IPv4 header length's 60), on the socket filter any proven bound; an index that may be
// larger than what a read can reach is tested first.
// `direct`: XDP and TC (r7/r8 bounds); otherwise the socket filter's legacy load through r0,
// where an offset that would wrap into the kernel's negative (SKF_NET_OFF) ones is rejected.
void emit_variable_read(Code& code, bool direct, std::uint8_t dst, std::uint8_t index, std::uint64_t index_bound,
                        std::uint32_t k, std::uint8_t size, int reject);

// Goes to `reject` when `divisor` (32-bit) is 0; the caller then divides.
void emit_divisor_guard(Code& code, std::uint8_t divisor, int reject);

// `dst <<= count` or `dst >>= count` (32-bit), with the reference VM's answer 0 for counts of 32
// and more.
void emit_shift(Code& code, std::uint8_t aop, std::uint8_t dst, std::uint8_t count);

// The prologue variables read anywhere in the graph, as a bit set: zeroed at entry, so that no
// path reads stack the verifier considers uninitialized.
std::uint32_t zeroed_slots(const cfg::Graph& g);

}  // namespace sniff::ebpf_gen
