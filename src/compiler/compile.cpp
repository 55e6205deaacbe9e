// parse -> lower -> optimize -> emit_cbpf -> validate, as in the design diagram.
#include "compiler/compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cbpf_vm/validate.hpp"
#include "compiler/emit_cbpf.hpp"
#include "compiler/link_type.hpp"
#include "compiler/lower.hpp"
#include "compiler/optimize.hpp"
#include "compiler/parse.hpp"

namespace sniff {

std::expected<cbpf::Program, Diagnostic> compile(std::string_view text, const CompileOptions& options) {
    const Span whole{0, text.size()};
    const LinkType* link = find_link_type(options.dlt);
    if (!link) return std::unexpected(Diagnostic{whole, fmt::format("link type {} is not supported by the compiler", options.dlt), {}});

    ir::Filter filter{true, options.snaplen};
    bool blank = std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    if (!blank) {
        auto tree = parse(text);
        if (!tree) return std::unexpected(tree.error());
        auto pred = lower(*tree, *link, text);
        if (!pred) return std::unexpected(pred.error());
        filter.pred = options.optimize ? optimize(*pred) : std::move(*pred);
    }
    auto program = emit_cbpf(filter);
    if (!program) return std::unexpected(Diagnostic{whole, program.error().message, {}});
    if (auto ok = cbpf::validate(*program); !ok)
        return std::unexpected(Diagnostic{whole, "internal error: " + cbpf::describe(ok.error()), {}});
    return std::move(*program);
}

}  // namespace sniff
