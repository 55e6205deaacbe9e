#include "compiler/ebpf/code.hpp"

#include <fmt/format.h>

namespace sniff::ebpf_gen {

std::expected<ebpf::Program, std::string> Code::resolve() const {
    const std::size_t n = insns_.size();
    // Drop each forward `ja` that lands where falling through lands, after the instructions
    // between are dropped too (backwards, so the later ones are decided first). A dropped
    // instruction's position is the next kept one's, so jumps to it stay right.
    // Instructions no path reaches go first: the verifier refuses a program that has any.
    std::vector<bool> drop(n, true);
    std::vector<std::size_t> work{0};
    auto label_at = [&](int label) { return *labels_[static_cast<std::size_t>(label)]; };
    while (!work.empty() && n) {
        const std::size_t i = work.back();
        work.pop_back();
        if (i >= n || !drop[i]) continue;
        drop[i] = false;
        const ebpf::Insn& in = insns_[i].insn;
        const std::uint8_t cls = ebpf::op::cls(in.code), jop = ebpf::op::jmp_op(in.code);
        const bool jumps = cls == ebpf::op::JMP || cls == ebpf::op::JMP32;
        if (insns_[i].target >= 0) work.push_back(label_at(insns_[i].target));
        const bool ends = jumps && (jop == ebpf::op::EXIT || (jop == ebpf::op::JA && insns_[i].target >= 0));
        if (!ends) work.push_back(i + 1);
    }
    std::vector<std::size_t> next_kept(n + 1, n);
    for (std::size_t i = n; i-- > 0;) {
        const Pending& p = insns_[i];
        if (!drop[i] && p.target >= 0 && p.insn.code == (ebpf::op::JMP | ebpf::op::JA)) {
            const std::size_t t = *labels_[static_cast<std::size_t>(p.target)];
            drop[i] = t > i && next_kept[t] == next_kept[i + 1];
        }
        next_kept[i] = drop[i] ? next_kept[i + 1] : i;
    }
    std::vector<std::size_t> position(n + 1, 0);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        position[i] = kept;
        if (!drop[i]) ++kept;
    }
    position[n] = kept;
    ebpf::Program out;
    out.reserve(kept);
    for (std::size_t i = 0; i < n; ++i) {
        if (drop[i]) continue;
        ebpf::Insn in = insns_[i].insn;
        if (insns_[i].target >= 0) {
            const std::int64_t offset = static_cast<std::int64_t>(position[*labels_[static_cast<std::size_t>(insns_[i].target)]]) -
                                        static_cast<std::int64_t>(out.size() + 1);
            if (offset < -32768 || offset > 32767)
                return std::unexpected(fmt::format("a jump of {} instructions is beyond eBPF's 16-bit jump offsets", offset));
            in.off = static_cast<std::int16_t>(offset);
        }
        out.push_back(in);
    }
    return out;
}

}  // namespace sniff::ebpf_gen
