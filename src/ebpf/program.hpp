// eBPF program representation shared by the compiler's eBPF emitter, the dumper, the loader and
// the benchmarks. Encoding follows <linux/bpf.h> (Documentation/bpf/standardization/
// instruction-set.rst): an 8-bit opcode, 4-bit destination and source registers, a signed 16-bit
// offset and a signed 32-bit immediate; 8 bytes, the layout of `struct bpf_insn`.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ebpf {

struct Insn {
    std::uint8_t code = 0;
    std::uint8_t dst : 4 = 0;
    std::uint8_t src : 4 = 0;
    std::int16_t off = 0;
    std::int32_t imm = 0;
    friend bool operator==(const Insn&, const Insn&) = default;
};
static_assert(sizeof(Insn) == 8, "Insn must have the layout of struct bpf_insn");

using Program = std::vector<Insn>;

// Where a program runs, which decides its program type, how it reads the packet and what it
// returns (README, "eBPF"):
//  - Socket: BPF_PROG_TYPE_SOCKET_FILTER, attached with SO_ATTACH_BPF; returns the snap length
//    (bytes kept) or 0;
//  - Xdp: BPF_PROG_TYPE_XDP; returns XDP_PASS (2) for a match, XDP_DROP (1) otherwise;
//  - Tc: BPF_PROG_TYPE_SCHED_CLS in direct-action mode; returns TC_ACT_OK (0) for a match,
//    TC_ACT_SHOT (2) otherwise.
enum class Hook { Socket, Xdp, Tc };

// What a filter at `hook` returns when classic BPF would keep `bytes` of the packet (0: none):
// the bytes themselves for a socket filter, XDP_PASS (2) or XDP_DROP (1), TC_ACT_OK (0) or
// TC_ACT_SHOT (2) (include/uapi/linux/bpf.h, pkt_cls.h).
constexpr std::uint32_t hook_return(Hook h, std::uint32_t bytes) {
    if (h == Hook::Xdp) return bytes ? 2 : 1;
    if (h == Hook::Tc) return bytes ? 0 : 2;
    return bytes;
}

constexpr std::string_view hook_name(Hook h) {
    return h == Hook::Socket ? "socket" : h == Hook::Xdp ? "xdp" : "tc";
}

// The verifier's limit on instructions for a privileged program (BPF_COMPLEXITY_LIMIT_INSNS,
// include/linux/bpf.h), and on stack bytes (MAX_BPF_STACK).
inline constexpr std::size_t kMaxInsns = 1'000'000;
inline constexpr std::int32_t kMaxStackBytes = 512;

// Registers: r0 return value and helper results, r1-r5 helper arguments (clobbered by calls and
// by the legacy packet loads), r6-r9 callee-saved, r10 the read-only frame pointer.
inline constexpr std::uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

// Opcode fields (instruction-set.rst).
namespace op {
// classes
inline constexpr std::uint8_t LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06,
                              ALU64 = 0x07;
// sizes (loads and stores)
inline constexpr std::uint8_t W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
// modes (loads and stores)
inline constexpr std::uint8_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60;
// ALU operations
inline constexpr std::uint8_t ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
                              RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
// jump operations
inline constexpr std::uint8_t JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
                              JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;
// operand source: the immediate, or the source register (for END: to big-endian)
inline constexpr std::uint8_t K = 0x00, X = 0x08, TO_BE = 0x08;

constexpr std::uint8_t cls(std::uint8_t code) { return code & 0x07; }
constexpr std::uint8_t size(std::uint8_t code) { return code & 0x18; }
constexpr std::uint8_t mode(std::uint8_t code) { return code & 0xe0; }
constexpr std::uint8_t alu_op(std::uint8_t code) { return code & 0xf0; }
constexpr std::uint8_t jmp_op(std::uint8_t code) { return code & 0xf0; }
constexpr std::uint8_t src(std::uint8_t code) { return code & 0x08; }
}  // namespace op

// Builders, named after the kernel's BPF_* macros (include/linux/filter.h).
constexpr Insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    Insn i;
    i.code = code;
    i.dst = dst & 0x0f;
    i.src = src & 0x0f;
    i.off = off;
    i.imm = imm;
    return i;
}
constexpr Insn alu32_imm(std::uint8_t aop, std::uint8_t dst, std::int32_t imm) { return insn(op::ALU | aop | op::K, dst, 0, 0, imm); }
constexpr Insn alu32_reg(std::uint8_t aop, std::uint8_t dst, std::uint8_t src) { return insn(op::ALU | aop | op::X, dst, src, 0, 0); }
constexpr Insn alu64_imm(std::uint8_t aop, std::uint8_t dst, std::int32_t imm) { return insn(op::ALU64 | aop | op::K, dst, 0, 0, imm); }
constexpr Insn alu64_reg(std::uint8_t aop, std::uint8_t dst, std::uint8_t src) { return insn(op::ALU64 | aop | op::X, dst, src, 0, 0); }
constexpr Insn mov32_imm(std::uint8_t dst, std::int32_t imm) { return alu32_imm(op::MOV, dst, imm); }
constexpr Insn mov32_reg(std::uint8_t dst, std::uint8_t src) { return alu32_reg(op::MOV, dst, src); }
constexpr Insn mov64_reg(std::uint8_t dst, std::uint8_t src) { return alu64_reg(op::MOV, dst, src); }
// dst = *(size *)(src + off)
constexpr Insn load_mem(std::uint8_t size, std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(op::LDX | op::MEM | size, dst, src, off, 0); }
// *(size *)(dst + off) = src
constexpr Insn store_mem(std::uint8_t size, std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(op::STX | op::MEM | size, dst, src, off, 0); }
// *(size *)(dst + off) = imm
constexpr Insn store_imm(std::uint8_t size, std::uint8_t dst, std::int16_t off, std::int32_t imm) { return insn(op::ST | op::MEM | size, dst, 0, off, imm); }
// Legacy packet loads (socket filters): r0 = ntoh(packet[imm]) or ntoh(packet[src + imm]);
// a read past the packet ends the program, returning 0. Clobber r1-r5; need the context in r6.
constexpr Insn load_abs(std::uint8_t size, std::int32_t imm) { return insn(op::LD | op::ABS | size, 0, 0, 0, imm); }
constexpr Insn load_ind(std::uint8_t size, std::uint8_t src, std::int32_t imm) { return insn(op::LD | op::IND | size, 0, src, 0, imm); }
constexpr Insn jmp32_imm(std::uint8_t jop, std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(op::JMP32 | jop | op::K, dst, 0, off, imm); }
constexpr Insn jmp32_reg(std::uint8_t jop, std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(op::JMP32 | jop | op::X, dst, src, off, 0); }
constexpr Insn jmp64_imm(std::uint8_t jop, std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(op::JMP | jop | op::K, dst, 0, off, imm); }
constexpr Insn jmp64_reg(std::uint8_t jop, std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(op::JMP | jop | op::X, dst, src, off, 0); }
constexpr Insn jump_always(std::int16_t off) { return insn(op::JMP | op::JA, 0, 0, off, 0); }
constexpr Insn call_helper(std::int32_t id) { return insn(op::JMP | op::CALL, 0, 0, 0, id); }
constexpr Insn exit_insn() { return insn(op::JMP | op::EXIT, 0, 0, 0, 0); }
// dst = htobe{16,32}(dst), the upper bits zeroed.
constexpr Insn to_big_endian(std::uint8_t dst, std::int32_t bits) { return insn(op::ALU | op::END | op::TO_BE, dst, 0, 0, bits); }

}  // namespace ebpf
