// Reference interpreter: the exact semantics of libpcap's bpf_filter and the Linux classic VM.
#pragma once

#include <cstdint>
#include <span>

#include "cbpf_vm/program.hpp"

namespace cbpf {

// Runs a program that passed validate() over one packet.
// `packet` holds the captured bytes, `wire_length` the length on the wire (for `len`).
// A load past the captured bytes ends the program with 0, as in libpcap and the kernel.
std::uint32_t run(const Program& prog, std::span<const std::uint8_t> packet, std::uint32_t wire_length);

}  // namespace cbpf
