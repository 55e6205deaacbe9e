// Reference interpreter: the exact semantics of libpcap's bpf_filter and the Linux classic VM,
// with an optional trace of every step ("why didn't my packet match?").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cbpf_vm/program.hpp"

namespace cbpf {

// Runs a program that passed validate() over one packet.
// `packet` holds the captured bytes, `wire_length` the length on the wire (for `len`).
// A load past the captured bytes ends the program with 0, as in libpcap and the kernel.
std::uint32_t run(const Program& prog, std::span<const std::uint8_t> packet, std::uint32_t wire_length);

struct TraceStep {
    std::size_t pc;
    std::uint32_t a;  // registers after the instruction
    std::uint32_t x;
    // For packet loads: where, how wide, and whether the bytes were captured.
    std::optional<std::uint64_t> load_offset;
    unsigned load_width = 0;
    bool out_of_bounds = false;
    // For conditional jumps: the value compared against A and the outcome.
    std::optional<std::uint32_t> compared_with;
    bool taken = false;
    bool division_by_zero = false;
};

struct Trace {
    std::vector<TraceStep> steps;
    std::uint32_t result = 0;
};

// Same semantics as run(), recording each executed instruction.
Trace run_traced(const Program& prog, std::span<const std::uint8_t> packet, std::uint32_t wire_length);

}  // namespace cbpf
