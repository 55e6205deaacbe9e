// How the eBPF emitter uses the registers (the same for every hook):
//  - r0: the test register (cBPF's A), where each block's value is tested; the legacy packet
//    loads (socket filter) and helpers leave their result there;
//  - r1, r2: scratch, alive only within one instruction sequence (the legacy loads and helper
//    calls clobber r1-r5);
//  - r6: the program's context (struct __sk_buff or struct xdp_md), where the legacy loads expect it;
//  - r7, r8: the packet's first byte and end (XDP and TC: direct packet access); on the socket
//    filter they hold values like r9;
//  - r9: the IPv4 header length 4 * (packet[k] & 0x0f) once computed, kept across blocks as
//    classic BPF keeps it in X;
//  - r3-r5 at XDP and TC, r7-r8 on the socket filter: values kept while another is computed;
//  - r10: the frame: prologue variable `slot` at r10 - 8 * (slot + 1) (8 bytes, so the verifier
//    keeps what it knows of the value), spilled temporaries below them.
#pragma once

#include <cstdint>

#include "ebpf/program.hpp"

namespace sniff::ebpf_gen {

inline constexpr std::uint8_t kTest = ebpf::R0, kScratch = ebpf::R1, kGuard = ebpf::R2, kContext = ebpf::R6,
                              kData = ebpf::R7, kDataEnd = ebpf::R8;

// Prologue variables: 16 slots of 8 bytes at the top of the frame; then the wire length where a
// hook computes it once (XDP); then spilled temporaries.
inline constexpr std::int16_t kVarSlots = 16;
constexpr std::int16_t var_offset(std::uint32_t slot) { return static_cast<std::int16_t>(-8 * (static_cast<int>(slot) + 1)); }
inline constexpr std::int16_t kWireLengthOffset = -8 * (kVarSlots + 1);
constexpr std::int16_t spill_offset(int depth) { return static_cast<std::int16_t>(-8 * (kVarSlots + 2 + depth)); }
inline constexpr int kMaxSpills = ebpf::kMaxStackBytes / 8 - kVarSlots - 1;

}  // namespace sniff::ebpf_gen
