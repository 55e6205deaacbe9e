// Classic BPF converted to eBPF by the kernel's own rules (bpf_convert_filter() in
// net/core/filter.c): the baseline the eBPF benchmarks measure sniff's eBPF against, since a
// filter attached with SO_ATTACH_FILTER has no program id and cannot be test-run.
#pragma once

#include <expected>
#include <string>

#include "cbpf_vm/program.hpp"
#include "ebpf/program.hpp"

namespace ebpf {

// `program` as a BPF_PROG_TYPE_SOCKET_FILTER program returning what the classic program returns,
// instruction for instruction as the kernel converts it: A in r0, X in r7, the context in r6,
// M[k] at r10 - 4k - 4, 32-bit ALU, 64-bit jumps with the kernel's jt/jf rewriting, packet loads
// as eBPF's legacy LD_ABS/LD_IND (which the verifier expands as the kernel expands converted
// loads), ancillary loads (SKF_AD_*) as __sk_buff fields. Two departures, both so the verifier
// takes the program (the kernel never verifies its own conversion): A and X are cleared with
// `w = 0` instead of `w ^= w` (the verifier refuses reading an unset register), and unused
// operand fields are zero. The error names the instruction: a jump backwards or out of the
// program, an offset past 16 bits, an ancillary load with no __sk_buff field, an unknown opcode.
std::expected<Program, std::string> from_cbpf(const cbpf::Program& program);

}  // namespace ebpf
