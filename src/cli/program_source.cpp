// Filter text from arguments or -F, compiled with caret diagnostics; --bpf programs parsed and validated.
#include "cli/program_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "cbpf_vm/program_text.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/compile.hpp"

namespace cli {

std::optional<std::string> filter_text(const Options& o) {
    if (o.filter_file) {
        std::ifstream in(*o.filter_file);
        if (!in) {
            fmt::print(stderr, "sniff: {}: cannot read the filter file\n", *o.filter_file);
            return std::nullopt;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        // tcpdump's -F files may hold '#' comments to the end of a line; columns stay the same.
        std::string cleaned;
        bool comment = false;
        for (char c : ss.str()) {
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
    if (o.bpf_file || o.filter_file) return true;
    for (const auto& w : o.expression)
        if (w.find_first_not_of(" \t\r\n") != std::string::npos) return true;
    return false;
}

std::optional<cbpf::Program> load_program(const Options& o, int dlt, bool live) {
    if (o.bpf_file) {
        std::ifstream in(*o.bpf_file);
        if (!in) {
            fmt::print(stderr, "sniff: {}: cannot read the program file\n", *o.bpf_file);
            return std::nullopt;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        auto prog = cbpf::parse_program_text(ss.str());
        if (!prog) {
            fmt::print(stderr, "sniff: {}: {}\n", *o.bpf_file, prog.error());
            return std::nullopt;
        }
        if (auto ok = cbpf::validate(*prog, {.allow_ancillary = true}); !ok) {
            fmt::print(stderr, "sniff: {}: {}\n", *o.bpf_file, cbpf::describe(ok.error()));
            return std::nullopt;
        }
        return std::move(*prog);
    }
    auto text = filter_text(o);
    if (!text) return std::nullopt;
    auto prog = sniff::compile(*text, {dlt, o.snaplen, !o.no_optimize, live, 0});
    if (!prog) {
        fmt::print(stderr, "sniff: {}", sniff::render(prog.error(), *text));
        return std::nullopt;
    }
    return std::move(*prog);
}

}  // namespace cli
