// The fast path for offline filtering: the program pre-decoded once into a compact form with
// absolute jump targets and fused common runs (load + compare, header length + load + compare), run by a direct-threaded loop.
// Verdicts are identical to cbpf::run on every packet (tests/fast_filter_test.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cbpf_vm/program.hpp"

namespace cbpf {

class FastFilter {
public:
    // `prog` must have passed validate().
    explicit FastFilter(const Program& prog);

    std::uint32_t run(std::span<const std::uint8_t> packet, std::uint32_t wire_length) const;

    std::size_t decoded_size() const { return ops_.size(); }

    struct Op {
        std::uint32_t k;
        std::uint32_t k2;   // constants of the second and third instruction of a fused run
        std::uint32_t k3;
        std::uint32_t jt;   // absolute targets in ops_ (programs for files may be far longer than 65,536)
        std::uint32_t jf;
        std::uint8_t kind;
    };

private:
    std::vector<Op> ops_;
};

}  // namespace cbpf
