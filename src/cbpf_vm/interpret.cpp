// Straightforward switch interpreter; correctness first (the fast path is fast_filter.cpp).
// One template serves run() and run_traced(), so the trace can never disagree with the verdict.
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

struct NoTrace {
    static constexpr bool enabled = false;
    TraceStep* begin(std::size_t) { return nullptr; }
};

struct Recorder {
    static constexpr bool enabled = true;
    Trace& trace;
    TraceStep* begin(std::size_t pc) {
        trace.steps.push_back(TraceStep{pc, 0, 0, std::nullopt, 0, false, std::nullopt, false, false});
        return &trace.steps.back();
    }
};

template <class Tracer>
std::uint32_t execute(const Program& prog, std::span<const std::uint8_t> pkt, std::uint32_t wire_length, Tracer& tracer) {
    std::uint32_t a = 0, x = 0;
    std::array<std::uint32_t, kMemWords> mem{};
    auto load = [&](TraceStep* step, std::uint64_t offset, unsigned width, std::uint32_t& out) {
        bool ok = load_bytes(pkt, offset, width, out);
        if constexpr (Tracer::enabled) {
            step->load_offset = offset;
            step->load_width = width;
            step->out_of_bounds = !ok;
        }
        return ok;
    };
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        const Insn& in = prog[pc];
        TraceStep* step = tracer.begin(pc);
        auto finish_step = [&] {
            if constexpr (Tracer::enabled) { step->a = a; step->x = x; }
        };
        switch (op::cls(in.code)) {
            case op::LD:
                switch (op::mode(in.code)) {
                    case op::IMM: a = in.k; break;
                    case op::ABS: if (!load(step, in.k, width_of(in.code), a)) return 0; break;
                    case op::IND: if (!load(step, std::uint64_t{x} + in.k, width_of(in.code), a)) return 0; break;
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
                        if (!load(step, in.k, 1, b)) return 0;
                        x = (b & 0xf) << 2;
                        break;
                    }
                    default: return 0;
                }
                break;
            case op::ST: mem[in.k % kMemWords] = a; break;
            case op::STX: mem[in.k % kMemWords] = x; break;
            case op::ALU:
                if (!alu(op::alu_op(in.code), a, op::src(in.code) == op::X ? x : in.k)) {
                    if constexpr (Tracer::enabled) step->division_by_zero = true;
                    return 0;
                }
                break;
            case op::JMP: {
                if (op::alu_op(in.code) == op::JA) { finish_step(); pc += in.k; continue; }
                std::uint32_t operand = op::src(in.code) == op::X ? x : in.k;
                bool taken = false;
                switch (op::alu_op(in.code)) {
                    case op::JEQ: taken = a == operand; break;
                    case op::JGT: taken = a > operand; break;
                    case op::JGE: taken = a >= operand; break;
                    case op::JSET: taken = (a & operand) != 0; break;
                    default: return 0;
                }
                if constexpr (Tracer::enabled) { step->compared_with = operand; step->taken = taken; }
                finish_step();
                pc += taken ? in.jt : in.jf;
                continue;
            }
            case op::RET: finish_step(); return op::ret_src(in.code) == op::RET_A ? a : in.k;
            case op::MISC:
                if (op::misc_op(in.code) == op::TAX) x = a; else a = x;
                break;
        }
        finish_step();
    }
    return 0;
}

}  // namespace

std::uint32_t run(const Program& prog, std::span<const std::uint8_t> pkt, std::uint32_t wire_length) {
    NoTrace none;
    return execute(prog, pkt, wire_length, none);
}

Trace run_traced(const Program& prog, std::span<const std::uint8_t> pkt, std::uint32_t wire_length) {
    Trace t;
    Recorder r{t};
    t.result = execute(prog, pkt, wire_length, r);
    return t;
}

}  // namespace cbpf
