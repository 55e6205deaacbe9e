// Text forms of eBPF programs: the kernel verifier log's notation (print_bpf_insn in
// kernel/bpf/disasm.c) for people, and a `struct bpf_insn` initializer for C.
#include "ebpf/dump.hpp"

#include <fmt/format.h>
#include <linux/bpf.h>

#include <array>
#include <string_view>

namespace ebpf {
namespace {

// Helper names by id, from the UAPI header's own list (__BPF_FUNC_MAPPER calls FN(name) in id
// order, and puts the commas itself, in 6.1's header as in later ones).
#define SNIFF_HELPER_NAME(name) "bpf_" #name
constexpr std::string_view kHelperNames[] = {__BPF_FUNC_MAPPER(SNIFF_HELPER_NAME)};
#undef SNIFF_HELPER_NAME

// The helpers 6.2 added after 6.1's list; the list has been frozen since (new kernel functions are
// kfuncs), so these complete it for every kernel.
std::string_view helper_name(std::int32_t id) {
    if (id >= 0 && static_cast<std::size_t>(id) < std::size(kHelperNames)) return kHelperNames[id];
    if (id == 210) return "bpf_cgrp_storage_get";
    if (id == 211) return "bpf_cgrp_storage_delete";
    return "unknown";
}

// Encodings disasm.c knows beyond program.hpp's vocabulary (v4 ISA, kernel 6.6): sign-extending
// loads, signed division (off 1) and sign-extending moves (off 8, 16, 32).
constexpr std::uint8_t kMemSx = 0x80;
constexpr std::uint8_t kAtomic = 0xc0;

std::string_view size_name(std::uint8_t code, bool sign_extend = false) {
    switch (op::size(code)) {
        case op::W: return sign_extend ? "s32" : "u32";
        case op::H: return sign_extend ? "s16" : "u16";
        case op::B: return sign_extend ? "s8" : "u8";
        default: return sign_extend ? "BUG" : "u64";
    }
}

constexpr std::array<std::string_view, 16> kAluOps = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
                                                      "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"};
constexpr std::array<std::string_view, 16> kJmpOps = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=",
                                                      "call", "exit", "<", "<=", "s<", "s<=", "?", "?"};

std::string alu_text(const Insn& in) {
    char reg = op::cls(in.code) == op::ALU ? 'w' : 'r';
    std::uint8_t aop = op::alu_op(in.code);
    if (aop == op::END) {
        // ALU | END converts (the kernel writes r even for this 32-bit class); ALU64 | END swaps.
        if (op::cls(in.code) == op::ALU64) return fmt::format("r{} = bswap{} r{}", in.dst, in.imm, in.dst);
        return fmt::format("r{} = {}{} r{}", in.dst, op::src(in.code) == op::TO_BE ? "be" : "le", in.imm, in.dst);
    }
    if (aop == op::NEG) return fmt::format("{}{} = -{}{}", reg, in.dst, reg, in.dst);
    std::string_view name = kAluOps[aop >> 4];
    if ((aop == op::DIV || aop == op::MOD) && in.off == 1) name = aop == op::DIV ? "s/=" : "s%=";
    if (op::src(in.code) == op::X) {
        std::string_view cast;
        if (aop == op::MOV) cast = in.off == 8 ? "(s8)" : in.off == 16 ? "(s16)" : in.off == 32 ? "(s32)" : "";
        return fmt::format("{}{} {} {}{}{}", reg, in.dst, name, cast, reg, in.src);
    }
    return fmt::format("{}{} {} {}", reg, in.dst, name, in.imm);
}

std::string jmp_text(const Insn& in) {
    char reg = op::cls(in.code) == op::JMP32 ? 'w' : 'r';
    std::uint8_t jop = op::jmp_op(in.code);
    if (jop == op::CALL) {
        // The verifier log's form: the helper's name and id (bpftool's xlated dump may print an
        // address after '#' instead, once the kernel has resolved the call).
        if (in.src == BPF_PSEUDO_CALL) return fmt::format("call pc{:+d}", in.imm);
        if (in.src == BPF_PSEUDO_KFUNC_CALL) return fmt::format("call kernel-function#{}", in.imm);
        return fmt::format("call {}#{}", helper_name(in.imm), in.imm);
    }
    if (in.code == (op::JMP | op::JA)) return fmt::format("goto pc{:+d}", in.off);
    if (in.code == (op::JMP32 | op::JA)) return fmt::format("gotol pc{:+d}", in.imm);
    if (in.code == (op::JMP | op::EXIT)) return "exit";
    if (op::src(in.code) == op::X)
        return fmt::format("if {}{} {} {}{} goto pc{:+d}", reg, in.dst, kJmpOps[jop >> 4], reg, in.src, in.off);
    // Jump immediates are hex, as the 32-bit pattern (-1 is 0xffffffff); ALU immediates decimal.
    return fmt::format("if {}{} {} {:#x} goto pc{:+d}", reg, in.dst, kJmpOps[jop >> 4], static_cast<std::uint32_t>(in.imm),
                       in.off);
}

// The text of instruction `i`; `next` is the second half of an LD_IMM64, when there is one.
std::string insn_text(const Insn& in, const Insn* next) {
    switch (op::cls(in.code)) {
        case op::ALU:
        case op::ALU64: return alu_text(in);
        case op::JMP:
        case op::JMP32: return jmp_text(in);
        case op::STX:
            if (op::mode(in.code) == op::MEM)
                return fmt::format("*({} *)(r{} {:+d}) = r{}", size_name(in.code), in.dst, in.off, in.src);
            if (op::mode(in.code) == kAtomic && in.imm == op::ADD)
                return fmt::format("lock *({} *)(r{} {:+d}) += r{}", size_name(in.code), in.dst, in.off, in.src);
            if (op::mode(in.code) == kAtomic && in.imm == (op::ADD | BPF_FETCH))
                return fmt::format("r{} = atomic{}_fetch_add(({} *)(r{} {:+d}), r{})", in.src, op::size(in.code) == op::DW ? "64" : "",
                                   size_name(in.code), in.dst, in.off, in.src);
            return fmt::format("BUG_{:02x}", in.code);
        case op::ST:
            if (op::mode(in.code) != op::MEM) return fmt::format("BUG_st_{:02x}", in.code);
            return fmt::format("*({} *)(r{} {:+d}) = {}", size_name(in.code), in.dst, in.off, in.imm);
        case op::LDX:
            if (op::mode(in.code) != op::MEM && op::mode(in.code) != kMemSx) return fmt::format("BUG_ldx_{:02x}", in.code);
            return fmt::format("r{} = *({} *)(r{} {:+d})", in.dst, size_name(in.code, op::mode(in.code) == kMemSx), in.src,
                               in.off);
        case op::LD:
            if (op::mode(in.code) == op::ABS) return fmt::format("r0 = *({} *)skb[{}]", size_name(in.code), in.imm);
            if (op::mode(in.code) == op::IND)
                return fmt::format("r0 = *({} *)skb[r{} + {}]", size_name(in.code), in.src, in.imm);
            // A map reference before loading: the map's index in the Filter (bpftool prints the
            // loaded map's id in the same place, `map[id:12]`).
            if (is_map_reference(in) && next) {
                if (in.src == kPseudoMapFd) return fmt::format("r{} = map[{}]", in.dst, in.imm);
                return fmt::format("r{} = map[{}][0]+{}", in.dst, in.imm, next->imm);
            }
            if (op::mode(in.code) == op::IMM && op::size(in.code) == op::DW && next) {
                std::uint64_t imm = (std::uint64_t{static_cast<std::uint32_t>(next->imm)} << 32) | static_cast<std::uint32_t>(in.imm);
                return fmt::format("r{} = {:#x}", in.dst, imm);
            }
            return fmt::format("BUG_ld_{:02x}", in.code);
    }
    return fmt::format("BUG_{:02x}", in.code);
}

bool is_ld_imm64(const Insn& in) { return in.code == (op::LD | op::IMM | op::DW); }

}  // namespace

std::string dump(const Program& program) {
    std::string out;
    for (std::size_t i = 0; i < program.size(); ++i) {
        const Insn& in = program[i];
        const Insn* next = is_ld_imm64(in) && i + 1 < program.size() ? &program[i + 1] : nullptr;
        fmt::format_to(std::back_inserter(out), "{:4}: ({:02x}) {}\n", i, in.code, insn_text(in, next));
        // The second slot of an LD_IMM64 holds the upper half; the kernel prints it with the first.
        if (next) ++i;
    }
    return out;
}

std::string dump_c_array(const Program& program) {
    std::string out;
    for (std::size_t i = 0; i < program.size(); ++i) {
        const Insn& in = program[i];
        fmt::format_to(std::back_inserter(out), "{{ {:#04x}, {}, {}, {}, {:#010x} }}, /* {} */\n", in.code, in.dst, in.src,
                       in.off, static_cast<std::uint32_t>(in.imm), i);
    }
    return out;
}

}  // namespace ebpf

namespace ebpf {

std::string describe_maps(const std::vector<MapSpec>& maps) {
    std::string out;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const MapSpec& m = maps[i];
        const char* type = m.type == BPF_MAP_TYPE_HASH       ? "hash"
                           : m.type == BPF_MAP_TYPE_LPM_TRIE ? "lpm_trie"
                           : m.type == BPF_MAP_TYPE_ARRAY    ? "array"
                           : m.type == BPF_MAP_TYPE_PERCPU_ARRAY ? "percpu_array"
                                                                 : "map";
        fmt::format_to(std::back_inserter(out), "map[{}]: {} {}, key {} bytes, value {} bytes, {} entries{}\n", i, type, m.name, m.key_size,
                       m.value_size, m.max_entries, m.read_only ? ", read-only" : "");
    }
    return out;
}

}  // namespace ebpf
