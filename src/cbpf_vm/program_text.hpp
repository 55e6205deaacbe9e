// Reading programs in tcpdump's -ddd text form ("N" then "code jt jf k" per line), the form
// `sniff --bpf FILE` and the kernel's bpf_asm tools exchange.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "cbpf_vm/program.hpp"

namespace cbpf {

// Accepts lines or commas as separators (tcpdump -ddd output, or "4,40 0 0 12,…").
std::expected<Program, std::string> parse_program_text(std::string_view text);

}  // namespace cbpf
