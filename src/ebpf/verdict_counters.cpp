// The --xdp-drop / --xdp-pass post-pass: every `exit` of the compiled XDP filter goes to one
// epilogue that applies the -c limit, turns the verdict into the mode's action and counts it.
#include "ebpf/verdict_counters.hpp"

#include <linux/bpf.h>

#include <array>
#include <limits>
#include <stdexcept>

namespace ebpf {
namespace {

constexpr std::int32_t kXdpDrop = 1, kXdpPass = 2;  // enum xdp_action, include/uapi/linux/bpf.h
constexpr std::int16_t kKeySlot = -8;               // the epilogue's stack slot (free at exit)

// BPF_STX | BPF_ATOMIC | BPF_DW with imm BPF_ADD | BPF_FETCH: src = atomic_fetch_add(dst + off,
// src) (Documentation/bpf/standardization/instruction-set.rst, "Atomic operations"; Linux 5.12).
constexpr std::uint8_t kAtomicMode = 0xc0;
constexpr Insn atomic_fetch_add64(std::uint8_t dst, std::uint8_t src, std::int16_t off) {
    return insn(op::STX | kAtomicMode | op::DW, dst, src, off, op::ADD | BPF_FETCH);
}

constexpr std::array<Insn, 2> load_imm64(std::uint8_t dst, std::uint64_t value) {
    return {insn(op::LD | op::IMM | op::DW, dst, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(value))),
            insn(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(value >> 32)))};
}

// What an instruction may become once the verifier has rewritten it, as the emitter weighs it
// (src/compiler/ebpf/code.cpp): a helper call may be inlined (map_gen_lookup), a context load
// converted into several loads. Over-estimates are harmless: the jump becomes `gotol` sooner.
std::int64_t weight(const Insn& in) {
    if (op::cls(in.code) == op::LD && (op::mode(in.code) == op::ABS || op::mode(in.code) == op::IND)) return 10;
    if (op::cls(in.code) == op::LDX && in.src == R6) return 6;
    if (op::cls(in.code) == op::JMP && op::jmp_op(in.code) == op::CALL) return 8;
    if ((op::cls(in.code) == op::ALU || op::cls(in.code) == op::ALU64) &&
        (op::alu_op(in.code) == op::DIV || op::alu_op(in.code) == op::MOD) && op::src(in.code) == op::X)
        return 4;
    return 1;
}
// The kernel refuses a jump whose offset leaves 16 bits after its rewrites ("cannot be patched");
// a margin as the emitter keeps.
constexpr std::int64_t kReach = 32767 - 64;

bool is_exit(const Insn& in) { return in.code == (op::JMP | op::EXIT); }
bool is_ld_imm64(const Insn& in) { return in.code == (op::LD | op::IMM | op::DW); }

// A tiny assembler for the epilogue: forward jumps to named labels, patched at the end.
class Epilogue {
public:
    enum Label { Check, Act, Out, PassUncounted, kLabels };
    void add(const Insn& in) { code_.push_back(in); }
    void add(const std::array<Insn, 2>& in) { code_.insert(code_.end(), in.begin(), in.end()); }
    void jump(const Insn& in, Label to) {
        fixups_.push_back({code_.size(), to});
        code_.push_back(in);
    }
    void bind(Label l) { labels_[l] = static_cast<std::int64_t>(code_.size()); }
    Program finish() {
        for (auto [at, to] : fixups_) {
            if (labels_[to] < 0) throw std::logic_error("verdict_counters: unbound label");
            code_[at].off = static_cast<std::int16_t>(labels_[to] - static_cast<std::int64_t>(at) - 1);
        }
        return std::move(code_);
    }

private:
    Program code_;
    std::vector<std::pair<std::size_t, Label>> fixups_;
    std::array<std::int64_t, kLabels> labels_{-1, -1, -1, -1};
};

}  // namespace

VerdictMaps add_verdict_counters(Filter& filter, XdpMode mode, std::optional<std::uint64_t> match_limit) {
    VerdictMaps where;
    where.counters = filter.maps.size();
    filter.maps.push_back(MapSpec{.type = BPF_MAP_TYPE_PERCPU_ARRAY, .name = "sniff_verdicts", .key_size = 4,
                                  .value_size = sizeof(VerdictCount), .max_entries = 2, .flags = 0, .keys = {}, .values = {},
                                  .read_only = false});
    if (match_limit) {
        where.matches = filter.maps.size();
        filter.maps.push_back(MapSpec{.type = BPF_MAP_TYPE_ARRAY, .name = "sniff_matches", .key_size = 4,
                                      .value_size = sizeof(std::uint64_t), .max_entries = 1, .flags = 0, .keys = {},
                                      .values = {}, .read_only = false});
    }

    // Each exit jumps to the epilogue at the end; positions stay, so the program's own jumps keep
    // their targets.
    Program& p = filter.insns;
    const std::size_t end = p.size();
    std::vector<std::int64_t> weighted(end + 1, 0);  // weighted[i]: weighted length of p[0, i)
    for (std::size_t i = 0; i < end; ++i) weighted[i + 1] = weighted[i] + weight(p[i]);
    for (std::size_t i = 0; i < end; ++i) {
        if (is_ld_imm64(p[i])) {
            ++i;  // its second slot is data
            continue;
        }
        if (!is_exit(p[i])) continue;
        const auto distance = static_cast<std::int64_t>(end - i - 1);
        if (weighted[end] - weighted[i + 1] <= kReach) p[i] = jump_always(static_cast<std::int16_t>(distance));
        else p[i] = insn(op::JMP32 | op::JA, 0, 0, 0, static_cast<std::int32_t>(distance));
    }

    const std::int32_t match_action = mode == XdpMode::DropMatching ? kXdpDrop : kXdpPass;
    const std::int32_t other_action = mode == XdpMode::DropMatching ? kXdpPass : kXdpDrop;
    Epilogue e;
    e.add(mov32_reg(R7, R0));  // the filter's verdict
    if (match_limit) {
        e.add(load_map_value(R1, static_cast<std::int32_t>(*where.matches), 0));
        e.jump(jmp32_imm(op::JNE, R7, kXdpPass, 0), Epilogue::Check);
        e.add(alu64_imm(op::MOV, R2, 1));
        e.add(atomic_fetch_add64(R1, R2, 0));  // r2 = matches before this one
        e.add(load_imm64(R3, *match_limit));
        e.jump(jmp64_reg(op::JGE, R2, R3, 0), Epilogue::PassUncounted);
        e.jump(jump_always(0), Epilogue::Act);
        e.bind(Epilogue::Check);
        e.add(load_mem(op::DW, R2, R1, 0));
        e.add(load_imm64(R3, *match_limit));
        e.jump(jmp64_reg(op::JGE, R2, R3, 0), Epilogue::PassUncounted);
    }
    e.bind(Epilogue::Act);
    e.add(mov32_imm(R8, match_action));
    e.add(jmp32_imm(op::JEQ, R7, kXdpPass, 1));
    e.add(mov32_imm(R8, other_action));
    // Key: XDP_DROP (1) -> kDroppedKey (0), XDP_PASS (2) -> kPassedKey (1).
    static_assert(kDroppedKey == kXdpDrop - 1 && kPassedKey == kXdpPass - 1);
    e.add(mov32_reg(R1, R8));
    e.add(alu32_imm(op::SUB, R1, 1));
    e.add(store_mem(op::W, R10, R1, kKeySlot));
    e.add(mov64_reg(R2, R10));
    e.add(alu64_imm(op::ADD, R2, kKeySlot));
    e.add(load_map(R1, static_cast<std::int32_t>(where.counters)));
    e.add(call_helper(BPF_FUNC_map_lookup_elem));
    e.jump(jmp64_imm(op::JEQ, R0, 0, 0), Epilogue::Out);
    e.add(mov64_reg(R7, R0));
    e.add(mov64_reg(R1, R6));
    e.add(call_helper(BPF_FUNC_xdp_get_buff_len));
    e.add(load_mem(op::DW, R1, R7, 0));
    e.add(alu64_imm(op::ADD, R1, 1));
    e.add(store_mem(op::DW, R7, R1, 0));
    e.add(load_mem(op::DW, R1, R7, 8));
    e.add(alu64_reg(op::ADD, R1, R0));
    e.add(store_mem(op::DW, R7, R1, 8));
    e.bind(Epilogue::Out);
    e.add(mov32_reg(R0, R8));
    e.add(exit_insn());
    if (match_limit) {  // only then: the verifier refuses unreachable instructions
        e.bind(Epilogue::PassUncounted);
        e.add(mov32_imm(R0, kXdpPass));
        e.add(exit_insn());
    }
    const Program tail = e.finish();
    p.insert(p.end(), tail.begin(), tail.end());
    return where;
}

}  // namespace ebpf
