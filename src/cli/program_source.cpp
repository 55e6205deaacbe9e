// Filter text from arguments or -F, compiled with caret diagnostics; --bpf programs parsed and validated.
#include "cli/program_source.hpp"

#include <fmt/format.h>


#include "cbpf_vm/program_text.hpp"
#include "cbpf_vm/validate.hpp"
#include "cli/text_file.hpp"
#include "compiler/compile.hpp"

namespace cli {

std::optional<std::string> filter_text(const Options& o) {
    if (o.filter_file) {
        auto file = read_text_file(*o.filter_file);
        if (!file) {
            fmt::print(stderr, "sniff: -F {}\n", file.error());
            return std::nullopt;
        }
        // tcpdump's -F files may hold '#' comments to the end of a line; columns stay the same.
        std::string cleaned;
        cleaned.reserve(file->size());
        bool comment = false;
        for (char c : *file) {
            if (c == '#') comment = true;
            if (c == '\n') comment = false;
            cleaned += comment || c == '\n' || c == '\t' || c == '\r' ? ' ' : c;
        }
        return cleaned;
    }
    std::string text;
    for (const auto& w : o.expression) text += (text.empty() ? "" : " ") + w;
    return text;
}

bool has_filter(const Options& o) {
    return o.bpf_file || o.filter_file || has_expression(o);
}

std::optional<cbpf::Program> load_program(const Options& o, sniff::CompileOptions context) {
    if (o.bpf_file) {
        auto file = read_text_file(*o.bpf_file);
        if (!file) {
            fmt::print(stderr, "sniff: --bpf {}\n", file.error());
            return std::nullopt;
        }
        auto prog = cbpf::parse_program_text(*file);
        if (!prog) {
            fmt::print(stderr, "sniff: {}: {}\n", *o.bpf_file, prog.error());
            return std::nullopt;
        }
        // Any length: the kernel's 4096 is checked only where the program goes into the kernel.
        if (auto ok = cbpf::validate(*prog, {.allow_ancillary = true, .kernel_length_limit = false}); !ok) {
            fmt::print(stderr, "sniff: {}: {}\n", *o.bpf_file, cbpf::describe(ok.error()));
            return std::nullopt;
        }
        return std::move(*prog);
    }
    auto text = filter_text(o);
    if (!text) return std::nullopt;
    context.optimize = !o.no_optimize;
    context.netmask = 0;
    auto prog = sniff::compile(*text, context);
    if (!prog) {
        fmt::print(stderr, "sniff: {}", sniff::render(prog.error(), *text));
        return std::nullopt;
    }
    return std::move(*prog);
}

std::optional<ebpf::Filter> load_ebpf_program(const Options& o, sniff::CompileOptions context, ebpf::Hook hook,
                                              const sniff::SetMapOptions& maps) {
    auto text = filter_text(o);
    if (!text) return std::nullopt;
    context.optimize = !o.no_optimize;
    context.netmask = 0;
    auto prog = sniff::compile_ebpf(*text, context, hook, maps);
    if (!prog) {
        fmt::print(stderr, "sniff: {}", sniff::render(prog.error(), *text));
        return std::nullopt;
    }
    return std::move(*prog);
}

ebpf::Hook hook_of(const Options& o) {
    if (o.hook == "xdp") return ebpf::Hook::Xdp;
    if (o.hook == "tc") return ebpf::Hook::Tc;
    return ebpf::Hook::Socket;
}

}  // namespace cli
