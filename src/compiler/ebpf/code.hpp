// eBPF code under construction: instructions with symbolic jump targets (labels), resolved to
// relative offsets at the end. Shared by the emitter and the verifier-safety pass.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/program.hpp"

namespace sniff::ebpf_gen {

class Code {
public:
    int new_label() {
        labels_.emplace_back();
        return static_cast<int>(labels_.size() - 1);
    }
    void place(int label) { labels_[static_cast<std::size_t>(label)] = insns_.size(); }
    void emit(ebpf::Insn in) { insns_.push_back({in, -1}); }
    // A jump (conditional, or `ja`) to `label`; its offset is filled in by resolve().
    void jump(ebpf::Insn in, int label) { insns_.push_back({in, label}); }
    void jump_always(int label) { jump(ebpf::jump_always(0), label); }
    std::size_t size() const { return insns_.size(); }

    // Offsets for every jump; unreachable instructions and a `ja` to the next instruction are
    // dropped, and a jump too far for a 16-bit offset (once the verifier has expanded the
    // instructions between) goes through a `gotol` (code.cpp).
    std::expected<ebpf::Program, std::string> resolve() const;

private:
    struct Pending {
        ebpf::Insn insn;
        int target;
    };
    std::vector<Pending> insns_;
    std::vector<std::optional<std::size_t>> labels_;
};

}  // namespace sniff::ebpf_gen
