// Control-flow graph -> eBPF for a socket filter, an XDP program or a TC classifier: the same
// optimized graph the cBPF emitter reads, not a translation of its output.
//  - Socket filter: packet bytes through the legacy packet loads (LD_ABS/LD_IND). They keep
//    classic BPF's rule exactly (a read past the packet ends the program with 0), convert byte
//    order, read through non-linear skbs as cBPF does, and cost one instruction; the verifier
//    expands them (bpf_gen_ld_abs, net/core/filter.c). bpf_skb_load_bytes would need a stack
//    buffer, a call and a test per read. Returns the snap length, or 0.
//  - XDP: direct packet access, bounds proven by safety.hpp's guards; XDP_PASS or XDP_DROP.
//  - TC (sched_cls, direct action): bpf_skb_pull_data first (so bytes in fragments are linear),
//    then as XDP; TC_ACT_OK or TC_ACT_SHOT.
// Values are 32-bit (ALU32 and JMP32), as classic BPF's A and X. `protochain` is a bounded loop
// (the verifier walks each of its at most ir::kProtochainMaxHeaders steps). Linux ancillary
// values (`inbound`, `ifindex`, the kernel's VLAN fields) come from struct __sk_buff; at XDP,
// where there is no skb, a packet is always inbound, its ifindex is ingress_ifindex and no tag
// has been taken out of the frame (README, "eBPF hooks").
#pragma once

#include <expected>

#include "compiler/cfg/graph.hpp"
#include "compiler/emit_cbpf.hpp"
#include "compiler/set_map_options.hpp"
#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace sniff {

// Whether emit_ebpf(graph, …, maps) would look up some set of `graph` in a map.
bool has_set_map(const cfg::Graph& graph, const SetMapOptions& maps);

// The program for `graph` at `hook`, and the maps its set tests read (SetMapOptions). Fails when
// an expression needs more stack than eBPF's 512 bytes. Jumps farther than 16-bit offsets reach
// use `gotol` (Linux 6.4).
std::expected<ebpf::Filter, EmitError> emit_ebpf(const cfg::Graph& graph, ebpf::Hook hook, const EmitOptions& options = {},
                                                 const SetMapOptions& maps = {});

}  // namespace sniff
