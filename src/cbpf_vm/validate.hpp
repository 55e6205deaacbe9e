// The Linux kernel's classic BPF checker rules (net/core/filter.c, bpf_check_classic), as values.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

#include "cbpf_vm/program.hpp"

namespace cbpf {

struct ValidationError {
    std::size_t index;   // instruction the rule fails at (program size for whole-program rules)
    std::string rule;    // short rule name, e.g. "jump-out-of-range"
    std::string message; // human explanation
};

struct ValidateOptions {
    // Accept Linux ancillary loads (SKF_AD_OFF + n); the kernel does, libpcap's bpf_filter does not.
    bool allow_ancillary = false;
    // The kernel refuses programs over 4096 instructions (BPF_MAXINSNS); libpcap's bpf_filter and
    // sniff's interpreters run any length, so programs for files need not fit.
    bool kernel_length_limit = true;
};

std::expected<void, ValidationError> validate(const Program& prog, ValidateOptions options = {});

std::string describe(const ValidationError& err);

}  // namespace cbpf
