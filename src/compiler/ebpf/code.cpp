#include "compiler/ebpf/code.hpp"

#include <fmt/format.h>

#include <optional>

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
    // Jump offsets are 16 bits, and the verifier makes the program longer before the kernel
    // runs it: each legacy packet load becomes a helper call and a test (bpf_gen_ld_abs,
    // net/core/filter.c), context reads become the skb field's loads (convert_ctx_accesses),
    // a division by a register gets a zero test; it refuses a jump the growth puts out of
    // 16-bit range ("cannot be patched"). So distances are measured with each instruction
    // weighted by what it may become, and a jump too far for that goes through `gotol`
    // (BPF_JMP32 | BPF_JA, a 32-bit offset; Linux 6.4): a conditional one as the opposite test
    // stepping over the `gotol` (JSET, which has no opposite, as `jset +1; ja +1; gotol`).
    auto weight = [](const ebpf::Insn& in) -> std::int64_t {
        using namespace ebpf::op;
        if (cls(in.code) == LD && (mode(in.code) == ABS || mode(in.code) == IND)) return 10;
        if (cls(in.code) == LDX && in.src == ebpf::R6) return 6;  // the context (registers.hpp)
        // A map lookup is inlined as the map's lookup code (map_gen_lookup): a few instructions.
        if (cls(in.code) == JMP && jmp_op(in.code) == CALL) return 8;
        if ((cls(in.code) == ALU || cls(in.code) == ALU64) && (alu_op(in.code) == DIV || alu_op(in.code) == MOD) && src(in.code) == X) return 4;
        return 1;
    };
    auto inverse = [](std::uint8_t jop) -> std::optional<std::uint8_t> {
        using namespace ebpf::op;
        switch (jop) {
            case JEQ: return JNE;
            case JNE: return JEQ;
            case JGT: return JLE;
            case JLE: return JGT;
            case JGE: return JLT;
            case JLT: return JGE;
            case JSGT: return JSLE;
            case JSLE: return JSGT;
            case JSGE: return JSLT;
            case JSLT: return JSGE;
            default: return std::nullopt;
        }
    };
    // How many instructions a kept jump becomes once far (1 when near).
    auto far_size = [&](const ebpf::Insn& in) -> std::size_t {
        if (ebpf::op::jmp_op(in.code) == ebpf::op::JA) return 1;
        return inverse(ebpf::op::jmp_op(in.code)) ? 2 : 3;
    };
    constexpr std::int64_t kReach = 32767 - 64;
    std::vector<bool> far(n, false);
    std::vector<std::size_t> position(n + 1, 0);
    std::vector<std::int64_t> weighted(n + 1, 0);
    for (bool changed = true; changed;) {
        std::size_t at = 0;
        std::int64_t w = 0;
        for (std::size_t i = 0; i < n; ++i) {
            position[i] = at, weighted[i] = w;
            if (drop[i]) continue;
            const std::size_t size = far[i] ? far_size(insns_[i].insn) : 1;
            at += size;
            w += weight(insns_[i].insn) + static_cast<std::int64_t>(size) - 1;
        }
        position[n] = at, weighted[n] = w;
        changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (drop[i] || far[i] || insns_[i].target < 0) continue;
            const std::int64_t distance = weighted[*labels_[static_cast<std::size_t>(insns_[i].target)]] - weighted[i + 1];
            if (distance > kReach || distance < -kReach) far[i] = changed = true;
        }
    }
    ebpf::Program out;
    out.reserve(position[n]);
    for (std::size_t i = 0; i < n; ++i) {
        if (drop[i]) continue;
        ebpf::Insn in = insns_[i].insn;
        if (insns_[i].target < 0) {
            out.push_back(in);
            continue;
        }
        const std::size_t target = position[*labels_[static_cast<std::size_t>(insns_[i].target)]];
        auto offset_from = [&](std::size_t next) { return static_cast<std::int64_t>(target) - static_cast<std::int64_t>(next); };
        if (!far[i]) {
            const std::int64_t offset = offset_from(out.size() + 1);
            if (offset < -32768 || offset > 32767)
                return std::unexpected(fmt::format("a jump of {} instructions is beyond eBPF's 16-bit jump offsets", offset));
            in.off = static_cast<std::int16_t>(offset);
            out.push_back(in);
            continue;
        }
        const std::uint8_t jop = ebpf::op::jmp_op(in.code);
        if (jop != ebpf::op::JA) {
            if (auto opposite = inverse(jop)) {
                in.code = static_cast<std::uint8_t>((in.code & ~0xf0) | *opposite);
                in.off = 1;
                out.push_back(in);
            } else {
                in.off = 1;
                out.push_back(in);
                out.push_back(ebpf::jump_always(1));
            }
        }
        out.push_back(ebpf::insn(ebpf::op::JMP32 | ebpf::op::JA, 0, 0, 0, static_cast<std::int32_t>(offset_from(out.size() + 1))));
    }
    return out;
}

}  // namespace sniff::ebpf_gen
