// Straightforward switch interpreter; correctness first, the fast path lives elsewhere.
#include "cbpf_vm/interpret.hpp"

#include <array>

namespace cbpf {
namespace {

// Reads `width` bytes big-endian at `offset`, or reports that they were not captured.
bool load_bytes(std::span<const std::uint8_t> pkt, std::uint64_t offset, unsigned width, std::uint32_t& out) {
    if (offset + width > pkt.size()) return false;
    std::uint32_t v = 0;
    for (unsigned i = 0; i < width; ++i) v = (v << 8) | pkt[offset + i];
    out = v;
    return true;
}

unsigned width_of(std::uint16_t code) {
    switch (op::size(code)) {
        case op::W: return 4;
        case op::H: return 2;
        default: return 1;
    }
}

// Returns false for a division or modulo by zero, which ends the program with 0.
bool alu(std::uint16_t operation, std::uint32_t& a, std::uint32_t operand) {
    switch (operation) {
        case op::ADD: a += operand; break;
        case op::SUB: a -= operand; break;
        case op::MUL: a *= operand; break;
        case op::DIV: if (operand == 0) return false; a /= operand; break;
        case op::MOD: if (operand == 0) return false; a %= operand; break;
        case op::OR: a |= operand; break;
        case op::AND: a &= operand; break;
        case op::XOR: a ^= operand; break;
        // Shifts of 32 or more give 0 (libpcap's rule; the kernel refuses such constants).
        case op::LSH: a = operand < 32 ? a << operand : 0; break;
        case op::RSH: a = operand < 32 ? a >> operand : 0; break;
        case op::NEG: a = 0u - a; break;
        default: return false;
    }
    return true;
}

}  // namespace

std::uint32_t run(const Program& prog, std::span<const std::uint8_t> pkt, std::uint32_t wire_length) {
    std::uint32_t a = 0, x = 0;
    std::array<std::uint32_t, kMemWords> mem{};
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        const Insn& in = prog[pc];
        switch (op::cls(in.code)) {
            case op::LD:
                switch (op::mode(in.code)) {
                    case op::IMM: a = in.k; break;
                    case op::ABS: if (!load_bytes(pkt, in.k, width_of(in.code), a)) return 0; break;
                    case op::IND:
                        if (!load_bytes(pkt, std::uint64_t{x} + in.k, width_of(in.code), a)) return 0;
                        break;
                    case op::MEM: a = mem[in.k % kMemWords]; break;
                    case op::LEN: a = wire_length; break;
                    default: return 0;
                }
                break;
            case op::LDX:
                switch (op::mode(in.code)) {
                    case op::IMM: x = in.k; break;
                    case op::MEM: x = mem[in.k % kMemWords]; break;
                    case op::LEN: x = wire_length; break;
                    case op::MSH: {
                        std::uint32_t b = 0;
                        if (!load_bytes(pkt, in.k, 1, b)) return 0;
                        x = (b & 0xf) << 2;
                        break;
                    }
                    default: return 0;
                }
                break;
            case op::ST: mem[in.k % kMemWords] = a; break;
            case op::STX: mem[in.k % kMemWords] = x; break;
            case op::ALU:
                if (!alu(op::alu_op(in.code), a, op::src(in.code) == op::X ? x : in.k)) return 0;
                break;
            case op::JMP: {
                if (op::alu_op(in.code) == op::JA) { pc += in.k; break; }
                std::uint32_t operand = op::src(in.code) == op::X ? x : in.k;
                bool taken = false;
                switch (op::alu_op(in.code)) {
                    case op::JEQ: taken = a == operand; break;
                    case op::JGT: taken = a > operand; break;
                    case op::JGE: taken = a >= operand; break;
                    case op::JSET: taken = (a & operand) != 0; break;
                    default: return 0;
                }
                pc += taken ? in.jt : in.jf;
                break;
            }
            case op::RET: return op::ret_src(in.code) == op::RET_A ? a : in.k;
            case op::MISC:
                if (op::misc_op(in.code) == op::TAX) x = a; else a = x;
                break;
        }
    }
    return 0;
}

}  // namespace cbpf
