// Human-readable account of one run: the instruction path, values loaded and compared, and
// where the program accepted or rejected.
#pragma once

#include <string>

#include "cbpf_vm/interpret.hpp"

namespace cbpf {

std::string explain(const Program& prog, const Trace& trace, std::size_t captured_length);

}  // namespace cbpf
