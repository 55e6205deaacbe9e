// The --bpf program reader, the validator and both interpreters: a program that validates must
// give the same verdict in the reference interpreter, its traced run, the fast path and (without
// Linux ancillary loads, which libpcap does not have) libpcap's bpf_filter.
// Input: a mode byte, an extra wire length byte, then either -ddd text, NUL, packet bytes (even
// mode) or an instruction count byte, 8-byte instructions and packet bytes (odd mode: reaches
// the interpreters far more often than text).
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/explain.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/program_text.hpp"
#include "cbpf_vm/validate.hpp"
#include "fuzz_input.hpp"

namespace {

[[noreturn]] void finding(const char* what, const cbpf::Program& prog) {
    std::fprintf(stderr, "FINDING: %s\n%s", what, cbpf::dump(prog, 1).c_str());
    std::abort();
}

cbpf::Program binary_program(fuzz::InputCursor& in) {
    cbpf::Program prog(in.byte());
    for (auto& insn : prog) {
        insn.code = static_cast<std::uint16_t>(in.byte() | in.byte() << 8);
        insn.jt = in.byte();
        insn.jf = in.byte();
        insn.k = static_cast<std::uint32_t>(in.byte() | in.byte() << 8 | in.byte() << 16) |
                 static_cast<std::uint32_t>(in.byte()) << 24;
    }
    return prog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputCursor in(data, size);
    const std::uint8_t mode = in.byte();
    const std::uint32_t extra_wire = in.byte();
    cbpf::Program prog;
    if (mode & 1) {
        prog = binary_program(in);
    } else {
        auto parsed = cbpf::parse_program_text(in.text());
        if (!parsed) return 0;
        prog = std::move(*parsed);
        auto again = cbpf::parse_program_text(cbpf::dump(prog, 3));
        if (!again || *again != prog) finding("-ddd output of a parsed program does not read back", prog);
    }
    const std::span<const std::uint8_t> packet = in.rest();
    const auto wire_length = static_cast<std::uint32_t>(packet.size()) + extra_wire;

    const bool ancillary = mode & 2;
    auto valid = cbpf::validate(prog, {.allow_ancillary = ancillary});
    if (!valid) {
        (void)cbpf::describe(valid.error());
        if (valid.error().index > prog.size()) finding("validation error names an instruction past the end", prog);
        return 0;
    }
    (void)cbpf::dump(prog, 1);
    (void)cbpf::dump(prog, 2);

    const std::uint32_t verdict = cbpf::run(prog, packet, wire_length);
    const cbpf::Trace trace = cbpf::run_traced(prog, packet, wire_length);
    if (trace.result != verdict) finding("run and run_traced disagree", prog);
    (void)cbpf::explain(prog, trace, packet.size());
    if (cbpf::FastFilter(prog).run(packet, wire_length) != verdict) finding("fast path and reference interpreter disagree", prog);
    if (!ancillary) {
        std::vector<bpf_insn> insns;
        for (const auto& i : prog) insns.push_back({i.code, i.jt, i.jf, i.k});
        const u_int theirs = bpf_filter(insns.data(), packet.data(), wire_length, static_cast<u_int>(packet.size()));
        if (theirs != verdict) {
            std::fprintf(stderr, "sniff %u, libpcap %u, caplen %zu, wire %u\n", verdict, theirs, packet.size(), wire_length);
            finding("reference interpreter and libpcap's bpf_filter disagree", prog);
        }
    }
    return 0;
}
