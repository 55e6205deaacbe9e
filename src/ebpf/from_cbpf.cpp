// Classic BPF to eBPF by the rules of the kernel's bpf_convert_filter() (net/core/filter.c), so
// the benchmarks can test-run libpcap's program as the kernel would run it after SO_ATTACH_FILTER.
#include "ebpf/from_cbpf.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>

namespace ebpf {
namespace {

// The kernel's register mapping (include/linux/filter.h): BPF_REG_A is r0, BPF_REG_X r7,
// BPF_REG_TMP r2, BPF_REG_CTX r6, BPF_REG_FP r10.
constexpr std::uint8_t kA = R0, kX = R7, kTmp = R2, kCtx = R6, kFp = R10;

// Ancillary loads: `ld [SKF_AD_OFF + n]`, k at or above 0xfffff000 (include/uapi/linux/filter.h);
// bpf_check_classic() refuses any other k in that range.
constexpr std::uint32_t kSkfAdOff = 0xfffff000u;
enum : std::uint32_t {
    kAdProtocol = 0, kAdPktType = 4, kAdIfindex = 8, kAdNlattr = 12, kAdNlattrNest = 16, kAdMark = 20, kAdQueue = 24,
    kAdHatype = 28, kAdRxhash = 32, kAdCpu = 36, kAdAluXorX = 40, kAdVlanTag = 44, kAdVlanTagPresent = 48,
    kAdPayOffset = 52, kAdRandom = 56, kAdVlanTpid = 60,
};

// struct __sk_buff field offsets (include/uapi/linux/bpf.h); the verifier rewrites these loads
// into the sk_buff accesses convert_bpf_extensions() emits directly.
constexpr std::int16_t kSkbLen = 0, kSkbPktType = 4, kSkbMark = 8, kSkbQueueMapping = 12, kSkbProtocol = 16,
                       kSkbVlanPresent = 20, kSkbVlanTci = 24, kSkbVlanProto = 28, kSkbIfindex = 40, kSkbHash = 68;

// Helper ids (enum bpf_func_id) standing in for the kernel-internal calls of SKF_AD_CPU and
// SKF_AD_RANDOM.
constexpr std::int32_t kHelperGetPrandomU32 = 7, kHelperGetSmpProcessorId = 8;

// Scratch slot M[k] at r10 - (4k + 4), as the kernel places it.
constexpr std::int16_t slot(std::uint32_t k) { return static_cast<std::int16_t>(-(static_cast<int>(k) * 4 + 4)); }

// One pass over the program. Without `addrs` it only counts (jump offsets are left 0); with
// them (the eBPF index where each classic instruction starts) it fills the offsets in.
class Converter {
public:
    Converter(const cbpf::Program& program, const std::vector<std::size_t>* addrs) : program_(program), addrs_(addrs) {}

    std::expected<void, std::string> run(Program& out, std::vector<std::size_t>* starts) {
        // bpf_convert_filter's prologue: A and X cleared, the context kept in a callee-saved register.
        out.push_back(mov32_imm(kA, 0));
        out.push_back(mov32_imm(kX, 0));
        out.push_back(mov64_reg(kCtx, R1));
        for (std::size_t i = 0; i < program_.size(); ++i) {
            if (starts) starts->push_back(out.size());
            if (auto r = convert(i, program_[i], out); !r) return r;
        }
        return {};
    }

private:
    std::expected<void, std::string> error(std::size_t i, std::string_view why) const {
        return std::unexpected(fmt::format("instruction {} (code {:#04x}): {}", i, program_[i].code, why));
    }

    // The offset of a jump emitted next (at out.size()) to classic instruction `target`:
    // BPF_EMIT_JMP's addrs[target] - addrs[i] - 1, less the jump's place in the expansion.
    std::expected<std::int16_t, std::string> offset_to(std::size_t i, std::uint64_t target, const Program& out) const {
        if (target >= program_.size())
            return std::unexpected(fmt::format("instruction {}: jump to {} outside the program of {} (a backward jump, "
                                               "which the kernel refuses)",
                                               i, static_cast<std::int64_t>(static_cast<std::int32_t>(target)), program_.size()));
        if (!addrs_) return std::int16_t{0};
        const auto off = static_cast<std::int64_t>((*addrs_)[target]) - static_cast<std::int64_t>(out.size()) - 1;
        if (off < INT16_MIN || off > INT16_MAX)
            return std::unexpected(fmt::format("instruction {}: jump offset {} does not fit 16 bits", i, off));
        return static_cast<std::int16_t>(off);
    }

    std::expected<void, std::string> ancillary(std::size_t i, std::uint32_t n, Program& out) const {
        auto field = [&](std::int16_t off) { out.push_back(load_mem(op::W, kA, kCtx, off)); };
        switch (n) {
        case kAdProtocol: field(kSkbProtocol); out.push_back(to_big_endian(kA, 16)); return {};  // skb->protocol is big-endian
        case kAdVlanTpid: field(kSkbVlanProto); out.push_back(to_big_endian(kA, 16)); return {};
        case kAdPktType: field(kSkbPktType); return {};
        case kAdIfindex: field(kSkbIfindex); return {};
        case kAdMark: field(kSkbMark); return {};
        case kAdQueue: field(kSkbQueueMapping); return {};
        case kAdRxhash: field(kSkbHash); return {};
        case kAdVlanTag: field(kSkbVlanTci); return {};
        case kAdVlanTagPresent: field(kSkbVlanPresent); return {};
        case kAdAluXorX: out.push_back(alu32_reg(op::XOR, kA, kX)); return {};
        case kAdCpu:
        case kAdRandom:
            // The kernel passes (ctx, A, X) to its internal call; the helpers ignore them.
            out.push_back(mov64_reg(R1, kCtx));
            out.push_back(mov64_reg(R2, kA));
            out.push_back(mov64_reg(R3, kX));
            out.push_back(call_helper(n == kAdCpu ? kHelperGetSmpProcessorId : kHelperGetPrandomU32));
            return {};
        case kAdHatype: return error(i, "SKF_AD_HATYPE has no __sk_buff field");
        case kAdPayOffset:
        case kAdNlattr:
        case kAdNlattrNest: return error(i, "this ancillary load calls a kernel-internal function with no helper");
        default: return error(i, fmt::format("unknown ancillary load SKF_AD_OFF+{}", n));
        }
    }

    std::expected<void, std::string> convert(std::size_t i, const cbpf::Insn& in, Program& out) const {
        using namespace cbpf::op;
        const std::uint16_t code = in.code;
        const auto k = static_cast<std::int32_t>(in.k);
        switch (cls(code)) {
        case cbpf::op::ALU: {
            const std::uint8_t aop = static_cast<std::uint8_t>(alu_op(code));
            if (aop == NEG) { out.push_back(insn(op::ALU | op::NEG, kA, 0, 0, 0)); return {}; }
            if (aop > XOR) return error(i, "unknown ALU operation");
            if (src(code) == cbpf::op::K) {
                if ((aop == DIV || aop == MOD) && in.k == 0) return error(i, "division by the constant 0");
                if ((aop == LSH || aop == RSH) && in.k >= 32) return error(i, "shift by 32 or more");
                out.push_back(alu32_imm(aop, kA, k));
                return {};
            }
            if (aop == DIV || aop == MOD) {
                // Division by X: a zero divisor returns 0, as classic BPF did.
                out.push_back(mov32_reg(kX, kX));
                out.push_back(jmp64_imm(op::JNE, kX, 0, 2));
                out.push_back(alu32_reg(op::XOR, kA, kA));
                out.push_back(exit_insn());
            }
            out.push_back(alu32_reg(aop, kA, kX));
            return {};
        }
        case cbpf::op::LD:
        case cbpf::op::LDX: {
            const bool to_a = cls(code) == cbpf::op::LD;
            const std::uint8_t dst = to_a ? kA : kX;
            const std::uint16_t m = mode(code);
            const std::uint8_t sz = static_cast<std::uint8_t>(size(code));
            if (to_a && m == ABS) {
                if (in.k >= kSkfAdOff) return ancillary(i, in.k - kSkfAdOff, out);
                if (sz != W && sz != H && sz != B) return error(i, "bad load size");
                out.push_back(load_abs(sz, k));
                return {};
            }
            if (to_a && m == IND) {
                if (sz != W && sz != H && sz != B) return error(i, "bad load size");
                out.push_back(load_ind(sz, kX, k));
                return {};
            }
            if (!to_a && m == MSH && sz == B) {
                // `ldx 4*([k]&0xf)`: the kernel's six-step expansion around a byte load into A.
                out.push_back(mov64_reg(kX, kA));
                out.push_back(load_abs(op::B, k));
                out.push_back(alu32_imm(op::AND, kA, 0xf));
                out.push_back(alu32_imm(op::LSH, kA, 2));
                out.push_back(mov64_reg(kTmp, kX));
                out.push_back(mov64_reg(kX, kA));
                out.push_back(mov64_reg(kA, kTmp));
                return {};
            }
            if (m == LEN && sz == W) { out.push_back(load_mem(op::W, dst, kCtx, kSkbLen)); return {}; }
            if (m == IMM) { out.push_back(mov32_imm(dst, k)); return {}; }
            if (m == MEM) {
                if (in.k >= cbpf::kMemWords) return error(i, "scratch slot past M[15]");
                out.push_back(load_mem(op::W, dst, kFp, slot(in.k)));
                return {};
            }
            return error(i, "load mode the kernel does not take on a socket");
        }
        case cbpf::op::ST:
        case cbpf::op::STX:
            if (in.k >= cbpf::kMemWords) return error(i, "scratch slot past M[15]");
            out.push_back(store_mem(op::W, kFp, cls(code) == cbpf::op::ST ? kA : kX, slot(in.k)));
            return {};
        case cbpf::op::RET:
            if (ret_src(code) == cbpf::op::K) out.push_back(mov32_imm(R0, k));
            else if (ret_src(code) != RET_A) return error(i, "ret X is not classic BPF the kernel takes");
            out.push_back(exit_insn());
            return {};
        case cbpf::op::MISC:
            if (misc_op(code) == TAX) { out.push_back(mov64_reg(kX, kA)); return {}; }
            if (misc_op(code) == TXA) { out.push_back(mov64_reg(kA, kX)); return {}; }
            return error(i, "unknown misc operation");
        case cbpf::op::JMP: {
            const std::uint8_t jop = static_cast<std::uint8_t>(alu_op(code));
            if (jop == JA) {
                auto off = offset_to(i, static_cast<std::uint64_t>(i) + in.k + 1, out);
                if (!off) return std::unexpected(off.error());
                out.push_back(jump_always(*off));
                return {};
            }
            if (jop != JEQ && jop != JGT && jop != JGE && jop != JSET) return error(i, "unknown jump");
            // The comparison, 64-bit. An immediate the kernel would sign-extend is zero-extended
            // into TMP and compared as a register.
            Insn cmp;
            std::uint8_t bsrc = static_cast<std::uint8_t>(src(code));
            if (bsrc == cbpf::op::K && k < 0) {
                out.push_back(mov32_imm(kTmp, k));
                cmp = insn(0, kA, kTmp, 0, 0);
                bsrc = op::X;
            } else if (bsrc == cbpf::op::K) {
                cmp = insn(0, kA, 0, 0, k);
            } else {
                cmp = insn(0, kA, kX, 0, 0);
            }
            auto emit = [&](std::uint8_t op_code, std::uint32_t skip) -> std::expected<void, std::string> {
                auto off = offset_to(i, i + skip + 1, out);
                if (!off) return std::unexpected(off.error());
                cmp.code = static_cast<std::uint8_t>(op::JMP | op_code | bsrc);
                cmp.off = *off;
                out.push_back(cmp);
                return {};
            };
            // jf == 0: one jump to jt. jt == 0: the negated test to jf, where eBPF has one.
            if (in.jf == 0) return emit(jop, in.jt);
            if (in.jt == 0 && jop != JSET) return emit(jop == JEQ ? op::JNE : jop == JGT ? op::JLE : op::JLT, in.jf);
            // Both non-zero (or JSET with jt == 0): the test to jt, then `ja` to jf.
            if (auto r = emit(jop, in.jt); !r) return r;
            auto off = offset_to(i, static_cast<std::uint64_t>(i) + in.jf + 1, out);
            if (!off) return std::unexpected(off.error());
            out.push_back(jump_always(*off));
            return {};
        }
        default: return error(i, "unknown instruction class");
        }
    }

    const cbpf::Program& program_;
    const std::vector<std::size_t>* addrs_;
};

}  // namespace

std::expected<Program, std::string> from_cbpf(const cbpf::Program& program) {
    if (program.empty() || program.size() > cbpf::kMaxInsns)
        return std::unexpected(fmt::format("a classic program has 1 to {} instructions, not {}", cbpf::kMaxInsns, program.size()));
    // Two passes, as the kernel does: where each instruction lands, then the jumps between them.
    std::vector<std::size_t> addrs;
    Program sizing;
    if (auto r = Converter(program, nullptr).run(sizing, &addrs); !r) return std::unexpected(r.error());
    Program out;
    out.reserve(sizing.size());
    if (auto r = Converter(program, &addrs).run(out, nullptr); !r) return std::unexpected(r.error());
    return out;
}

}  // namespace ebpf
