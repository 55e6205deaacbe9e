// -d/-dd/-ddd for a link type given with -y (no interface or file needed), in classic BPF or,
// with --ebpf, in eBPF for --hook.
#include <fmt/format.h>

#include "cbpf_vm/dump.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"
#include "ebpf/dump.hpp"

namespace cli {

std::string dump_ebpf_text(const ebpf::Filter& f, int level) {
    // The maps follow the program: their contents are what the loader writes, not shown.
    if (level == 1) return ebpf::dump(f.insns) + ebpf::describe_maps(f.maps);
    if (level == 2) {
        std::string maps = ebpf::describe_maps(f.maps), out = ebpf::dump_c_array(f.insns);
        for (std::size_t at = 0; at < maps.size();) {
            const std::size_t end = maps.find('\n', at);
            out += fmt::format("/* {} */\n", maps.substr(at, end - at));
            at = end + 1;
        }
        return out;
    }
    std::string out = fmt::format("{}\n", f.insns.size());
    for (const ebpf::Insn& i : f.insns) out += fmt::format("{} {} {} {} {}\n", i.code, i.dst, i.src, i.off, i.imm);
    return out;
}

int run_dump(const Options& o) {
    int dlt = sniff::kDefaultDlt;
    if (o.link_type) {
        const sniff::LinkType* lt = sniff::find_link_type(*o.link_type);
        if (!lt) {
            std::string known;
            for (const auto& l : sniff::link_types()) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", l.name, l.dlt);
            fmt::print(stderr, "sniff: unknown or unsupported link type '{}'; supported: {}\n", *o.link_type, known);
            return 1;
        }
        dlt = lt->dlt;
    }
    if (o.ebpf) {
        const ebpf::Hook hook = hook_of(o);
        // At TC, as on a capture socket, Linux has taken the outer VLAN tag out of the frame.
        auto prog = load_ebpf_program(o, {.dlt = dlt, .snaplen = o.snaplen, .kernel_vlan = hook == ebpf::Hook::Tc}, hook);
        if (!prog) return 1;
        fmt::print("{}", dump_ebpf_text(*prog, o.dump_level));
        return 0;
    }
    auto prog = load_program(o, {.dlt = dlt, .snaplen = o.snaplen});
    if (!prog) return 1;
    fmt::print("{}", cbpf::dump(*prog, o.dump_level));
    return 0;
}

}  // namespace cli
