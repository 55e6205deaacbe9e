// Classic BPF program representation shared by the compiler, the VM, the dumper and capture.
// Encoding follows <linux/filter.h> / <pcap/bpf.h>: 16-bit code, two 8-bit jump offsets, 32-bit k.
#pragma once

#include <cstdint>
#include <vector>

namespace cbpf {

struct Insn {
    std::uint16_t code = 0;
    std::uint8_t jt = 0;
    std::uint8_t jf = 0;
    std::uint32_t k = 0;
    friend bool operator==(const Insn&, const Insn&) = default;
};

using Program = std::vector<Insn>;

// Field masks and values of the opcode (the classic BPF instruction set).
namespace op {
// instruction classes
inline constexpr std::uint16_t LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05,
                               RET = 0x06, MISC = 0x07;
// load sizes
inline constexpr std::uint16_t W = 0x00, H = 0x08, B = 0x10;
// load modes
inline constexpr std::uint16_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
// ALU operations
inline constexpr std::uint16_t ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
                               LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
// jump operations
inline constexpr std::uint16_t JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
// operand source
inline constexpr std::uint16_t K = 0x00, X = 0x08;
// return value source
inline constexpr std::uint16_t RET_A = 0x10;
// misc operations
inline constexpr std::uint16_t TAX = 0x00, TXA = 0x80;

constexpr std::uint16_t cls(std::uint16_t code) { return code & 0x07; }
constexpr std::uint16_t size(std::uint16_t code) { return code & 0x18; }
constexpr std::uint16_t mode(std::uint16_t code) { return code & 0xe0; }
constexpr std::uint16_t alu_op(std::uint16_t code) { return code & 0xf0; }
constexpr std::uint16_t src(std::uint16_t code) { return code & 0x08; }
constexpr std::uint16_t ret_src(std::uint16_t code) { return code & 0x18; }
constexpr std::uint16_t misc_op(std::uint16_t code) { return code & 0xf8; }
}  // namespace op

// Scratch memory slots M[0..15].
inline constexpr std::uint32_t kMemWords = 16;
// The kernel's (and libpcap's) limit on program length.
inline constexpr std::size_t kMaxInsns = 4096;

constexpr Insn stmt(std::uint16_t code, std::uint32_t k) { return Insn{code, 0, 0, k}; }
constexpr Insn jump(std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    return Insn{code, jt, jf, k};
}

}  // namespace cbpf
