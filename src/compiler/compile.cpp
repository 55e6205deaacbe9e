// parse -> lower -> sets -> build_cfg -> optimize -> emit_cbpf -> validate, as in the design diagram.
#include "compiler/compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "cbpf_vm/validate.hpp"
#include "compiler/big_stack.hpp"
#include "compiler/cfg/build.hpp"
#include "compiler/cfg/passes.hpp"
#include "compiler/conflicts.hpp"
#include "compiler/emit_cbpf.hpp"
#include "compiler/emit_ebpf.hpp"
#include "compiler/link_prologue.hpp"
#include "compiler/link_type.hpp"
#include "compiler/lower.hpp"
#include "compiler/parse.hpp"
#include "compiler/sets.hpp"

namespace sniff {
namespace {

// Filters this long or longer are compiled on a thread of their own with this much stack.
constexpr std::size_t kOwnStackFrom = 2048, kOwnStackBytes = std::size_t{1} << 30;

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

// The stages themselves, on whatever stack the caller has.
// `explain`: on a filter that rejects every packet, look for the terms that conflict (compiling
// pieces of it, which do not look again).
// `ebpf`: also emit eBPF for this hook, from the graph of the filter the cBPF program was made
// from (before protochain walks are shortened for the kernel's 4,096: eBPF loops instead).
struct EbpfRequest {
    ebpf::Hook hook;
    SetMapOptions maps;
    std::optional<std::expected<ebpf::Filter, EmitError>> program = std::nullopt;
};

std::expected<cbpf::Program, Diagnostic> compile_here(std::string_view text, const CompileOptions& options, bool explain = true,
                                                      EbpfRequest* want_ebpf = nullptr) {
    const Span whole{0, text.size()};
    const LinkType* link = find_link_type(options.dlt);
    if (!link) return std::unexpected(Diagnostic{whole, fmt::format("link type {} is not supported by the compiler", options.dlt), {}});

    ir::Filter filter{true, options.snaplen};
    bool blank = std::all_of(text.begin(), text.end(), is_filter_space);
    // Set compilation pays a first member in front of each set (sets.hpp): on a short list that
    // can cost more than it saves, so short filters are compiled both ways and the smaller kept.
    std::optional<ir::Filter> without_sets, with_tuples;
    std::optional<ast::Expr> tree;
    if (!blank) {
        auto parsed = parse(text);
        if (!parsed) return std::unexpected(parsed.error());
        tree = std::move(*parsed);
        auto pred = lower(*tree, *link, text, {options.kernel_vlan, options.netmask, options.savefile});
        if (!pred) return std::unexpected(pred.error());
        // A protocol the link type cannot carry leaves nothing to match, optimized or not.
        if (never_matches(*pred))
            return std::unexpected(Diagnostic{whole, fmt::format("expression rejects all packets on link type {}", link->name),
                                              "some protocol in it never appears on this link type"});
        auto complete = [&](ir::Pred p) {
            LinkSetup setup = link_setup(*link, ir::vars_used(p));
            return ir::Filter{ir::all({std::move(setup.precondition), std::move(p)}), options.snaplen, std::move(setup.prologue)};
        };
        if (options.optimize && text.size() < kOwnStackFrom) without_sets = complete(*pred);
        // eBPF looks lists of several words (`ip6 host`, `ether host`) up in maps too.
        if (want_ebpf && options.optimize && want_ebpf->maps.from_ranges != SetMapOptions::kNever && !want_ebpf->maps.in_object)
            with_tuples = complete(compile_sets(*pred, {.tuples_from = want_ebpf->maps.from_ranges}));
        filter = complete(options.optimize ? compile_sets(*pred) : std::move(*pred));
    }
    EmitOptions emit_options;
    auto generate = [&](const ir::Filter& f) -> std::expected<cbpf::Program, EmitError> {
        cfg::Graph graph = cfg::build(f);
        if (options.optimize) cfg::optimize(graph);
        // libpcap refuses a filter its optimizer finds no path through; it does not know that a
        // byte is below 256, so `ip[0] > 255` compiles there to a program that matches nothing.
        // Refuse only what tests on the path contradict, as libpcap does.
        if (!blank && options.optimize && !cfg::accepts_some(graph)) {
            cfg::Graph by_tests = cfg::build(f);
            cfg::optimize(by_tests, false);
            if (!cfg::accepts_some(by_tests)) return std::unexpected(EmitError{"expression rejects all packets"});
        }
        return emit_cbpf(graph, emit_options);
    };
    auto program = generate(filter);
    std::optional<ir::Filter> with_sets;
    if (without_sets && program) {
        auto plain = generate(*without_sets);
        if (plain && plain->size() < program->size()) {
            program = std::move(plain);
            if (want_ebpf) with_sets = std::move(filter);
            filter = std::move(*without_sets);
        }
    }
    if (want_ebpf && program) {
        auto graph_of = [&](const ir::Filter& f) {
            cfg::Graph graph = cfg::build(f);
            if (options.optimize) cfg::optimize(graph);
            return graph;
        };
        cfg::Graph graph = graph_of(filter);
        // A list shorter as a chain of tests than as set trees is still one lookup when its set
        // goes into a map: eBPF keeps the sets then.
        if (with_sets) {
            cfg::Graph set_graph = graph_of(*with_sets);
            if (has_set_map(set_graph, want_ebpf->maps)) graph = std::move(set_graph);
        }
        if (with_tuples) {
            cfg::Graph tuple_graph = graph_of(*with_tuples);
            if (std::any_of(tuple_graph.blocks.begin(), tuple_graph.blocks.end(), [](const cfg::Block& b) { return b.exit == cfg::Exit::Tuples; }))
                graph = std::move(tuple_graph);
        }
        want_ebpf->program = emit_ebpf(graph, want_ebpf->hook, emit_options, want_ebpf->maps);
    }
    // protochain's walk is unrolled over 64 headers, and sets are trees of runs of 8: a filter
    // that is then too long for the kernel gets shorter walks, down to 16 headers, then sets
    // tested member after member when that fits (smaller, but linear per packet; README).
    auto too_long = [&] { return program && program->size() > cbpf::kMaxInsns; };
    for (unsigned depth = ir::protochain_depth(filter.pred); too_long() && depth > ir::kProtochainMinHeaders;) {
        depth = std::max(depth / 2, ir::kProtochainMinHeaders);
        filter.pred = ir::with_protochain_depth(filter.pred, depth);
        program = generate(filter);
    }
    if (too_long()) {
        emit_options.set_leaf = std::numeric_limits<std::size_t>::max();
        auto linear = generate(filter);
        // Only to fit: a program for a file keeps its trees, which walk log n per packet.
        if (linear && linear->size() <= cbpf::kMaxInsns) program = std::move(linear);
    }
    if (!program && program.error().message == "expression rejects all packets") {
        constexpr std::size_t kExplainUpTo = 4096;  // characters: longer filters get the whole span
        std::optional<Conflict> conflict;
        if (explain && tree && text.size() <= kExplainUpTo)
            conflict = find_conflict(*tree, text, [&](Span piece) {
                // A piece may cut through a group: close what it leaves open (parentheses only group).
                std::string_view cut = text.substr(piece.begin, piece.end - piece.begin);
                int depth = 0, opened_before = 0;
                for (char c : cut) {
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    if (depth < 0) ++opened_before, depth = 0;
                }
                const std::string whole_piece = std::string(static_cast<std::size_t>(opened_before), '(') + std::string(cut) +
                                                std::string(static_cast<std::size_t>(depth), ')');
                auto r = compile_here(whole_piece, options, false);
                return !r && r.error().message.starts_with("expression rejects all packets");
            });
        if (!conflict)
            return std::unexpected(Diagnostic{whole, program.error().message,
                                              "no packet passes every test on any path: some of its terms contradict each other"});
        auto quote = [&](Span s) {
            std::string_view t = text.substr(s.begin, s.end - s.begin);
            return t.size() > 40 ? std::string(t.substr(0, 37)) + "..." : std::string(t);
        };
        return std::unexpected(Diagnostic{{conflict->first.begin, conflict->second.end}, program.error().message,
                                          fmt::format("no packet matches both '{}' and '{}'", quote(conflict->first), quote(conflict->second))});
    }
    if (!program) return std::unexpected(Diagnostic{whole, program.error().message, {}});
    // inbound/outbound/ifindex use the kernel's ancillary fields, which the kernel accepts. The
    // kernel's 4096-instruction limit is checked where a program goes into the kernel: reading
    // a file has none.
    if (auto ok = cbpf::validate(*program, {.allow_ancillary = true, .kernel_length_limit = false}); !ok)
        return std::unexpected(Diagnostic{whole, "internal error: " + cbpf::describe(ok.error()), {}});
    return std::move(*program);
}

}  // namespace

std::expected<cbpf::Program, Diagnostic> compile(std::string_view text, const CompileOptions& options) {
    // Parsing and lowering recurse once per level of parentheses and `not`: a long filter may be
    // nested far deeper than a default 8 MiB stack allows, so it gets a thread with 1 GiB of
    // stack (reserved, used only as deep as it goes). Where even that is refused, the caller's
    // stack serves and a too deep filter is an error, never an overflow.
    if (text.size() < kOwnStackFrom) return compile_here(text, options);
    std::optional<std::expected<cbpf::Program, Diagnostic>> result;
    if (run_with_stack(kOwnStackBytes, [&] { result = compile_here(text, options); })) return std::move(*result);
    return compile_here(text, options);
}

std::expected<ebpf::Filter, Diagnostic> compile_ebpf(std::string_view text, const CompileOptions& options, ebpf::Hook hook,
                                                     const SetMapOptions& maps) {
    // XDP and TC programs see what a network device carries: Ethernet frames, or IP packets on
    // a tun-like device. Cooked headers, radio headers and the like never reach them.
    constexpr int kEthernet = 1, kRaw = 12, kIpv4 = 228, kIpv6 = 229;
    if (hook != ebpf::Hook::Socket && options.dlt != kEthernet && options.dlt != kRaw && options.dlt != kIpv4 && options.dlt != kIpv6) {
        const LinkType* link = find_link_type(options.dlt);
        return std::unexpected(Diagnostic{{0, text.size()}, fmt::format("a {} program sees Ethernet frames or IP packets, not link type {}",
                                                                        hook == ebpf::Hook::Xdp ? "XDP" : "TC", link ? link->name : std::to_string(options.dlt)),
                                          "use -y EN10MB or RAW, or the socket filter (--hook socket)"});
    }
    EbpfRequest request{hook, maps};
    std::optional<std::expected<cbpf::Program, Diagnostic>> classic;
    auto job = [&] { classic = compile_here(text, options, true, &request); };
    if (text.size() < kOwnStackFrom || !run_with_stack(kOwnStackBytes, job)) job();
    if (!*classic) return std::unexpected(classic->error());
    if (!request.program) return std::unexpected(Diagnostic{{0, text.size()}, "internal error: no eBPF program was made", {}});
    if (!*request.program) return std::unexpected(Diagnostic{{0, text.size()}, request.program->error().message, {}});
    return std::move(**request.program);
}

}  // namespace sniff
