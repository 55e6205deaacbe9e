#include "compiler/ebpf/safety.hpp"

#include <algorithm>

#include "compiler/ebpf/registers.hpp"

namespace sniff::ebpf_gen {
namespace {

using namespace ebpf::op;

// Linux's ancillary fields (SKF_AD_OFF + n) are not packet bytes.

std::uint8_t size_code(std::uint8_t size) { return size == 4 ? W : size == 2 ? H : B; }

// The bytes the block itself reads at constant offsets, or kRejectAll when some read lies past
// what direct packet access can prove.
std::uint64_t own_read_end(const cfg::Graph& g, const cfg::Block& b) {
    std::uint64_t end = 0;
    for (const cfg::Assign& a : b.assigns) end = std::max(end, constant_read_end(g, a.value));
    for (cfg::ValueId v : {b.load, b.rhs})
        if (v != cfg::kNoValue) end = std::max(end, constant_read_end(g, v));
    // protochain's first reads: the protocol field, and IPv4's header length.
    if (b.exit == cfg::Exit::Chain && !b.chain->base)
        end = std::max(end, std::uint64_t{b.chain->network} + (b.chain->ipv6 ? 7 : 10));
    return end > kMaxPacketOffset ? kRejectAll : end;
}

}  // namespace

std::uint64_t constant_read_end(const cfg::Graph& g, cfg::ValueId v) {
    const cfg::ValueNode& n = g.values[v];
    switch (n.kind) {
        case cfg::ValueKind::Load:
            if (n.index != cfg::kNoValue) return constant_read_end(g, n.index);
            return ir::is_kernel_metadata(n.k) ? 0 : std::uint64_t{n.k} + n.size;
        case cfg::ValueKind::IpHeaderLength: return std::uint64_t{n.k} + 1;
        case cfg::ValueKind::Arith: return std::max(constant_read_end(g, n.lhs), constant_read_end(g, n.rhs));
        default: return 0;
    }
}

std::vector<std::uint64_t> plan_packet_guards(const cfg::Graph& g) {
    const std::size_t n = g.blocks.size();
    constexpr std::uint64_t kAny = kRejectAll;  // "needs nothing": the paths from here only reject
    std::vector<std::uint64_t> own(n), needed(n);
    for (std::size_t b = n; b-- > 0;) {
        const cfg::Block& block = g.blocks[b];
        own[b] = own_read_end(g, block);
        if (block.exit == cfg::Exit::Return) {
            needed[b] = block.k ? 0 : kAny;
            continue;
        }
        cfg::BlockId out[2];
        std::uint64_t after = kAny;
        for (int i = 0, m = cfg::successors(block, out); i < m; ++i) after = std::min(after, needed[out[i]]);
        // A block from which every path rejects constrains nothing before it.
        needed[b] = own[b] == kRejectAll || after == kAny ? kAny : std::max(own[b], after);
    }
    // In order: what every path into a block proved, and what the block adds.
    constexpr std::uint64_t kUnreached = kRejectAll;
    std::vector<std::uint64_t> proven(n, kUnreached), check(n, 0);
    proven[g.entry] = 0;
    for (std::size_t b = 0; b < n; ++b) {
        if (proven[b] == kUnreached) continue;
        std::uint64_t level = needed[b] <= kMaxPacketOffset ? needed[b] : own[b];
        std::uint64_t out_level = proven[b];
        if (level == kRejectAll) {
            check[b] = kRejectAll;
            continue;  // its successors are not reached through it
        }
        if (level > proven[b]) check[b] = out_level = level;
        cfg::BlockId out[2];
        for (int i = 0, m = cfg::successors(g.blocks[b], out); i < m; ++i) proven[out[i]] = std::min(proven[out[i]], out_level);
    }
    return check;
}

void emit_packet_guard(Code& code, std::uint64_t bytes, int reject) {
    code.emit(ebpf::mov64_reg(kGuard, kData));
    code.emit(ebpf::alu64_imm(ADD, kGuard, static_cast<std::int32_t>(bytes)));
    code.jump(ebpf::jmp64_reg(JGT, kGuard, kDataEnd, 0), reject);
}

void emit_variable_read(Code& code, bool direct, std::uint8_t dst, std::uint8_t index, std::uint64_t index_bound,
                        std::uint32_t k, std::uint8_t size, int reject) {
    if (!direct) {
        // The legacy load's offset is an int (bpf_gen_ld_abs, net/core/filter.c): from 2^31 on
        // it would read the kernel's negative offsets (SKF_NET_OFF), where the VM rejects.
        constexpr std::uint64_t kLastOffset = 0x7fffffff;
        if (index_bound + k + size <= kLastOffset) {
            code.emit(ebpf::load_ind(size_code(size), index, static_cast<std::int32_t>(k)));
        } else if (k > kLastOffset) {
            code.jump_always(reject);
            return;
        } else {
            code.emit(ebpf::mov32_reg(kScratch, index));
            if (k) code.emit(ebpf::alu64_imm(ADD, kScratch, static_cast<std::int32_t>(k)));
            code.jump(ebpf::jmp64_imm(JGT, kScratch, static_cast<std::int32_t>(kLastOffset - size), 0), reject);
            code.emit(ebpf::load_ind(size_code(size), kScratch, 0));
        }
        if (dst != ebpf::R0) code.emit(ebpf::mov32_reg(dst, ebpf::R0));
        return;
    }
    const std::uint64_t last = kMaxPacketOffset - size;  // the verifier marks ranges up to 0xffff
    if (k > last) {
        code.jump_always(reject);
        return;
    }
    std::int16_t disp = 0;
    if (index_bound + k <= last) {
        // The verifier knows the index's bound: add it and the constant to the packet pointer.
        code.emit(ebpf::mov64_reg(kScratch, kData));
        code.emit(ebpf::alu64_reg(ADD, kScratch, index));
        if (k <= 0x7fff) disp = static_cast<std::int16_t>(k);
        else code.emit(ebpf::alu64_imm(ADD, kScratch, static_cast<std::int32_t>(k)));
        code.emit(ebpf::mov64_reg(kGuard, kScratch));
        code.emit(ebpf::alu64_imm(ADD, kGuard, static_cast<std::int32_t>(static_cast<std::uint32_t>(disp) + size)));
    } else {
        // Offset = index + k in 64 bits (no wrap, as in the VM), at most `last`.
        code.emit(ebpf::mov32_reg(kGuard, index));
        if (k) code.emit(ebpf::alu64_imm(ADD, kGuard, static_cast<std::int32_t>(k)));
        code.jump(ebpf::jmp64_imm(JGT, kGuard, static_cast<std::int32_t>(last), 0), reject);
        code.emit(ebpf::mov64_reg(kScratch, kData));
        code.emit(ebpf::alu64_reg(ADD, kScratch, kGuard));
        code.emit(ebpf::mov64_reg(kGuard, kScratch));
        code.emit(ebpf::alu64_imm(ADD, kGuard, size));
    }
    code.jump(ebpf::jmp64_reg(JGT, kGuard, kDataEnd, 0), reject);
    code.emit(ebpf::load_mem(size_code(size), dst, kScratch, disp));
    if (size > 1) code.emit(ebpf::to_big_endian(dst, size * 8));
}

void emit_divisor_guard(Code& code, std::uint8_t divisor, int reject) {
    code.jump(ebpf::jmp32_imm(JEQ, divisor, 0, 0), reject);
}

void emit_shift(Code& code, std::uint8_t aop, std::uint8_t dst, std::uint8_t count) {
    const int wide = code.new_label(), done = code.new_label();
    code.jump(ebpf::jmp32_imm(JGT, count, 31, 0), wide);
    code.emit(ebpf::alu32_reg(aop, dst, count));
    code.jump_always(done);
    code.place(wide);
    code.emit(ebpf::mov32_imm(dst, 0));
    code.place(done);
}

std::uint32_t zeroed_slots(const cfg::Graph& g) { return cfg::vars_used(g); }

}  // namespace sniff::ebpf_gen
