// A post-pass over a compiled XDP filter for `sniff --xdp-drop` / `--xdp-pass`: turns the filter's
// verdict into the mode's action, counts packets and bytes per action in a per-CPU map, and
// optionally stops acting after N matches. Code generation only: nothing here calls bpf().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "ebpf/maps.hpp"

namespace ebpf {

// What the program does with a packet the filter matches.
enum class XdpMode {
    DropMatching,  // --xdp-drop: a match is dropped, the rest passes
    PassMatching,  // --xdp-pass: a match passes, the rest is dropped
};

// Keys of the counter map, and the layout of one value (per CPU): packets, then bytes (the
// frame's whole length, bpf_xdp_get_buff_len: fragments of a multi-buffer frame included).
inline constexpr std::uint32_t kDroppedKey = 0, kPassedKey = 1;
struct VerdictCount {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

// Where the pass put its maps in Filter::maps.
struct VerdictMaps {
    // BPF_MAP_TYPE_PERCPU_ARRAY, 2 entries (kDroppedKey, kPassedKey) of VerdictCount per CPU.
    std::size_t counters = 0;
    // With a limit: BPF_MAP_TYPE_ARRAY, 1 entry, a u64 counting matches (shared by all CPUs and
    // added to atomically). It may count past the limit: matches that arrive after it are
    // counted there but not acted on.
    std::optional<std::size_t> matches;
};

// Rewrites `filter` (compiled with compile_ebpf(…, Hook::Xdp): r6 holds the xdp_md context for
// the whole program, each `exit` returns XDP_PASS (2) for a match or XDP_DROP (1) otherwise) so
// that each `exit` jumps to an epilogue appended after the program, which:
//   1. with `match_limit` N: a match adds 1 to the shared match counter (BPF_ATOMIC | BPF_FETCH
//      add) and, when the value before it was already N or more, returns XDP_PASS uncounted; a
//      non-match returns XDP_PASS uncounted once the counter reads N or more. So exactly N
//      matches are acted on and counted, whatever the number of CPUs, and after the Nth the
//      program passes everything, as if detached, until user space detaches it. A non-match
//      judged on another CPU while the Nth match is being counted may still be acted on.
//   2. turns the verdict into the action (XdpMode) and adds 1 packet and the frame's length in
//      bytes to that action's counter;
//   3. returns the action (XDP_DROP 1, XDP_PASS 2).
// Registers at an exit: r0 is the verdict; r1-r5 and r7-r9 hold nothing the program still needs,
// nor do the stack slots (the epilogue uses r10 - 8). Rules from the kernel:
//  - an `exit` becomes `ja` (BPF_JMP | BPF_JA, 16-bit offset), instruction positions unchanged;
//    a jump the verifier's rewrites might push out of 16-bit range (map lookups are inlined,
//    context loads converted: weights as in src/compiler/ebpf/code.cpp) becomes `gotol`
//    (BPF_JMP32 | BPF_JA with a 32-bit imm, Linux 6.4; Documentation/bpf/standardization/
//    instruction-set.rst);
//  - a per-CPU array value is updated with plain loads and stores: an XDP program runs to the end
//    on one CPU with migration disabled (bpf_prog_run_xdp under rcu/bh), as samples/bpf/xdp1 does;
//  - the match counter is read through a BPF_PSEUDO_MAP_VALUE reference, which the kernel allows
//    for an array of one entry (array_map_direct_value_addr, kernel/bpf/arraymap.c).
// Returns where the new maps are.
VerdictMaps add_verdict_counters(Filter& filter, XdpMode mode, std::optional<std::uint64_t> match_limit = std::nullopt);

}  // namespace ebpf
