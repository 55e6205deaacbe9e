// Printing eBPF programs for people (-d --ebpf) and for C (-dd --ebpf).
#pragma once

#include <string>

#include <vector>

#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace ebpf {

// One instruction per line, "%4d: (%02x) text", in the notation of the kernel's verifier log and
// `bpftool prog dump xlated` (kernel/bpf/disasm.c): `r0 = *(u16 *)(r6 +12)`, `w1 &= 15`,
// `if w0 == 0x800 goto pc+3`, `r0 = *(u8 *)skb[23]`, `exit`. Jump targets are relative, as there.
// A map reference (maps.hpp) reads `r1 = map[0]` or `r1 = map[0][0]+0` (map index, value
// offset), as bpftool prints a loaded program's with the map's id.
std::string dump(const Program& program);

// One line per map: `map[0]: hash sniff_hash0, key 4 bytes, value 1 bytes, 1000 entries`.
std::string describe_maps(const std::vector<MapSpec>& maps);

// A C initializer of `struct bpf_insn`, one instruction per line with its index in a comment:
// `{ 0x28, 0, 0, 0, 0x0000000c },` (code, dst_reg, src_reg, off, imm).
std::string dump_c_array(const Program& program);

}  // namespace ebpf
