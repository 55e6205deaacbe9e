// One line per executed instruction, in tcpdump -d layout with a comment of what happened.
#include "cbpf_vm/explain.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cbpf_vm/dump.hpp"

namespace cbpf {

std::string explain(const Program& prog, const Trace& trace, std::size_t captured_length) {
    std::string out;
    for (const TraceStep& s : trace.steps) {
        const Insn& in = prog[s.pc];
        std::string what;
        if (s.out_of_bounds) {
            what = fmt::format("bytes [{}:{}] were not captured ({} bytes) -> reject", *s.load_offset, s.load_width, captured_length);
        } else if (s.division_by_zero) {
            what = "division by zero (X = 0) -> reject";
        } else if (s.compared_with) {
            std::size_t target = s.pc + 1 + (s.taken ? in.jt : in.jf);
            what = fmt::format("A = {:#x} vs {:#x}: {}, next ({:03d})", s.a, *s.compared_with, s.taken ? "true" : "false", target);
        } else if (op::cls(in.code) == op::RET) {
            what = trace.result == 0 ? "-> reject" : fmt::format("-> accept, keep {} bytes", trace.result);
        } else if (s.load_offset) {
            what = op::cls(in.code) == op::LDX ? fmt::format("X = {} (from byte [{}])", s.x, *s.load_offset)
                                              : fmt::format("A = {:#x} (bytes [{}:{}])", s.a, *s.load_offset, s.load_width);
        } else if (op::cls(in.code) == op::LDX || in.code == (op::MISC | op::TAX)) {
            what = fmt::format("X = {:#x}", s.x);
        } else if (op::cls(in.code) == op::JMP) {
            what = fmt::format("next ({:03d})", s.pc + 1 + in.k);
        } else if (op::cls(in.code) == op::ST || op::cls(in.code) == op::STX) {
            what = fmt::format("M[{}] = {:#x}", in.k, op::cls(in.code) == op::ST ? s.a : s.x);
        } else {
            what = fmt::format("A = {:#x}", s.a);
        }
        std::string text = format_insn(in, s.pc);
        std::replace(text.begin(), text.end(), '\t', ' ');
        out += fmt::format("  {:<44} ; {}\n", text, what);
    }
    return out;
}

}  // namespace cbpf
