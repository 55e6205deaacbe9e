// parse -> lower -> optimize -> emit_cbpf -> validate, as in the design diagram.
#include "compiler/compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cbpf_vm/validate.hpp"
#include "compiler/emit_cbpf.hpp"
#include "compiler/link_prologue.hpp"
#include "compiler/link_type.hpp"
#include "compiler/lower.hpp"
#include "compiler/optimize.hpp"
#include "compiler/parse.hpp"

namespace sniff {
namespace {

// True when the filter returns 0 for every packet: false itself, an `all` with such a term, or an
// `any` of such terms (a load past the packet also returns 0, so what runs first does not matter).
bool never_matches(const ir::Pred& p) {
    if (const bool* b = std::get_if<bool>(&p)) return !*b;
    if (const auto* a = std::get_if<std::shared_ptr<ir::All>>(&p))
        return std::any_of((*a)->terms.begin(), (*a)->terms.end(), never_matches);
    if (const auto* a = std::get_if<std::shared_ptr<ir::Any>>(&p))
        return std::all_of((*a)->terms.begin(), (*a)->terms.end(), never_matches);
    return false;
}

}  // namespace

std::expected<cbpf::Program, Diagnostic> compile(std::string_view text, const CompileOptions& options) {
    const Span whole{0, text.size()};
    const LinkType* link = find_link_type(options.dlt);
    if (!link) return std::unexpected(Diagnostic{whole, fmt::format("link type {} is not supported by the compiler", options.dlt), {}});

    ir::Filter filter{true, options.snaplen};
    bool blank = std::all_of(text.begin(), text.end(), is_filter_space);
    if (!blank) {
        auto tree = parse(text);
        if (!tree) return std::unexpected(tree.error());
        auto pred = lower(*tree, *link, text, {options.kernel_vlan, options.netmask});
        if (!pred) return std::unexpected(pred.error());
        filter.pred = options.optimize ? optimize(*pred) : std::move(*pred);
        // libpcap refuses a filter that can never match; say why.
        if (never_matches(filter.pred))
            return std::unexpected(Diagnostic{whole, fmt::format("expression rejects all packets on link type {}", link->name),
                                              "some protocol in it never appears on this link type"});
        LinkSetup setup = link_setup(*link, ir::vars_used(filter.pred));
        filter.prologue = std::move(setup.prologue);
        filter.pred = ir::all({std::move(setup.precondition), std::move(filter.pred)});
    }
    auto program = emit_cbpf(filter);
    if (!program) return std::unexpected(Diagnostic{whole, program.error().message, {}});
    // inbound/outbound/ifindex use the kernel's ancillary fields, which the kernel accepts.
    if (auto ok = cbpf::validate(*program, {.allow_ancillary = true}); !ok)
        return std::unexpected(Diagnostic{whole, "internal error: " + cbpf::describe(ok.error()), {}});
    return std::move(*program);
}

}  // namespace sniff
