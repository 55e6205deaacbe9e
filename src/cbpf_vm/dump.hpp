// Text forms of a program, laid out exactly like tcpdump's -d, -dd and -ddd.
#pragma once

#include <string>

#include "cbpf_vm/program.hpp"

namespace cbpf {

// One instruction as tcpdump -d prints it, e.g. "(004) jeq      #0x800           jt 5\tjf 9".
std::string format_insn(const Insn& insn, std::size_t index);

// level 1: -d (assembly), 2: -dd (C array), 3: -ddd (decimal, count first).
std::string dump(const Program& prog, int level);

}  // namespace cbpf
