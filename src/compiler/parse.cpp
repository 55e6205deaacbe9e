// Spirit X3 grammar of pcap-filter(7). Semantic actions build the AST with spans; grammar-level
// failures become Diagnostics at the parse() boundary.
#include "compiler/parse.hpp"
#include "compiler/big_stack.hpp"
#include "compiler/lower_arith.hpp"
#include "compiler/names.hpp"
#include "compiler/paren_groups.hpp"
#include "compiler/spelling.hpp"

#include <boost/fusion/include/at_c.hpp>
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace sniff {
namespace {

namespace x3 = boost::spirit::x3;
using boost::fusion::at_c;
using Iter = const char*;

// A Diagnostic raised from inside a semantic action; caught in parse().
struct ParseError {
    Diagnostic diagnostic;
};

struct begin_tag;
struct boolean_groups_tag;  // boolean_groups() of the text: which '(' open a boolean group

constexpr std::array<std::string_view, 90> kReserved = {
    "and", "or", "not", "host", "net", "port", "portrange", "src", "dst", "ip", "ip6", "arp", "rarp",
    "tcp", "udp", "sctp", "icmp", "icmp6", "ether", "mask", "proto", "protochain", "gateway",
    "broadcast", "multicast", "less", "greater", "len", "length", "byte", "vlan", "mpls", "pppoed", "pppoes", "geneve",
    "inbound", "outbound", "ifindex", "igmp", "igrp", "pim", "vrrp", "carp", "ah", "esp", "atalk",
    "aarp", "decnet", "lat", "sca", "moprc", "mopdl", "iso", "esis", "es-is", "isis", "is-is", "clnp",
    "stp", "ipx", "netbeui", "llc", "link", "ppp", "slip", "fddi", "tr", "wlan", "radio", "ra", "ta",
    "addr1", "addr2", "addr3", "addr4", "type", "subtype", "dir", "direction", "on", "ifname", "rnr", "reason",
    "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp"};


template <class Ctx>
Span span_between(Iter first, Iter last, const Ctx& ctx) {
    Iter begin = x3::get<begin_tag>(ctx);
    return {static_cast<std::size_t>(first - begin), static_cast<std::size_t>(last - begin)};
}

// Rule tags: on_success runs after a rule matched, with the matched range (leading spaces
// skipped); that is where spans are recorded. (An action's _where is not the matched range.)
struct spanned_rule {
    template <class It, class Ctx, class T>
    void on_success(const It& first, const It& last, ast::Spanned<T>& attr, const Ctx& ctx) const {
        attr.span = span_between(first, last, ctx);
    }
};
struct primitive_rule {
    template <class It, class Ctx>
    void on_success(const It& first, const It& last, ast::Expr& e, const Ctx& ctx) const {
        Span s = span_between(first, last, ctx);
        if (auto* p = std::get_if<ast::Primitive>(&e)) p->span = s;
    }
};
struct keyword_rule {
    template <class It, class Ctx>
    void on_success(const It& first, const It& last, ast::Expr& e, const Ctx& ctx) const {
        if (auto* k = std::get_if<ast::Keyword>(&e)) k->span = span_between(first, last, ctx);
    }
};
struct unary_rule {
    template <class It, class Ctx>
    void on_success(const It& first, const It& last, ast::Expr& e, const Ctx& ctx) const {
        if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(&e)) (*n)->span = span_between(first, last, ctx);
        if (auto* g = std::get_if<std::shared_ptr<ast::Group>>(&e)) (*g)->span = span_between(first, last, ctx);
    }
};

ast::Value::Shape classify(std::string_view t) {
    auto all = [&](auto pred) { return !t.empty() && std::all_of(t.begin(), t.end(), pred); };
    if (t.find(':') != std::string_view::npos) return ast::Value::Shape::Ipv6;
    if (all([](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) return ast::Value::Shape::Number;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
        std::all_of(t.begin() + 2, t.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
        return ast::Value::Shape::Number;
    if (std::isdigit(static_cast<unsigned char>(t[0])) &&
        all([](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }))
        return ast::Value::Shape::Ipv4;
    return ast::Value::Shape::Name;
}

// ---- lexical pieces -------------------------------------------------------------------------

// A literal '-' goes last: inside char_("…") it would otherwise make a range.
auto const word_chars = x3::alnum | x3::char_("_.:\\-");
auto kw(const char* w) { return x3::lexeme[x3::lit(w) >> !(x3::alnum | x3::char_("_.-"))]; }

auto const and_kw = kw("and") | x3::lit("&&");
auto const or_kw = kw("or") | x3::lit("||");
auto const not_kw = kw("not") | (x3::lit('!') >> !x3::lit('='));

struct proto_symbols : x3::symbols<ast::Proto> {
    proto_symbols() {
        using P = ast::Proto;
        // Every name of the link layer means the same (libpcap's LINK token).
        add("ether", P::Ether)("link", P::Ether)("wlan", P::Ether)("fddi", P::Ether)("tr", P::Ether)("ppp", P::Ether)(
            "slip", P::Ether)("ip", P::Ip)("ip6", P::Ip6)("arp", P::Arp)("rarp", P::Rarp)(
            "tcp", P::Tcp)("udp", P::Udp)("sctp", P::Sctp)("icmp", P::Icmp)("icmp6", P::Icmp6)("igmp", P::Igmp)(
            "igrp", P::Igrp)("pim", P::Pim)("vrrp", P::Vrrp)("carp", P::Carp)("ah", P::Ah)("esp", P::Esp);
    }
} const proto_sym;

// `iso` and `isis` qualify `proto` only (`iso proto \clnp`, `isis proto 0x1a`), and `decnet` a
// direction or kind (`decnet src 1.1`); alone they are keywords (lan_keyword), as in libpcap's
// grammar, where each is one token either way.
struct lan_proto_symbols : x3::symbols<ast::Proto> {
    lan_proto_symbols() { add("iso", ast::Proto::Iso)("isis", ast::Proto::Isis)("is-is", ast::Proto::Isis)("decnet", ast::Proto::Decnet); }
} const lan_proto_sym;

// The word that starts at `p` (after spaces), as the scanner would end it.
std::string_view next_word(Iter p) {
    while (*p && is_filter_space(*p)) ++p;
    std::size_t n = 0;
    while (std::isalnum(static_cast<unsigned char>(p[n])) || p[n] == '_' || p[n] == '.' || p[n] == '-') ++n;
    return {p, n};
}
// Whether the protocol keyword `w`, followed by `next`, qualifies a primitive instead of standing
// alone: `iso proto …`, `isis proto …`, `decnet src …`, `decnet host …`.
bool qualifies(ast::Proto w, std::string_view next) {
    static constexpr std::string_view kAfterDecnet[] = {"src", "dst", "host", "net", "port", "portrange", "proto", "protochain",
                                                        "gateway", "broadcast", "multicast", "ra", "ta", "addr1", "addr2", "addr3", "addr4"};
    if (w != ast::Proto::Decnet) return next == "proto";
    return std::find(std::begin(kAfterDecnet), std::end(kAfterDecnet), next) != std::end(kAfterDecnet);
}
auto const on_lan_qualifier = [](auto& ctx) {
    x3::_pass(ctx) = qualifies(x3::_attr(ctx), next_word(x3::_where(ctx).begin()));
    if (x3::_pass(ctx)) x3::_val(ctx) = ast::Spanned<ast::Proto>{x3::_attr(ctx), {}};
};

struct kind_symbols : x3::symbols<ast::Kind> {
    kind_symbols() {
        add("host", ast::Kind::Host)("net", ast::Kind::Net)("port", ast::Kind::Port)("portrange", ast::Kind::PortRange)(
            "proto", ast::Kind::Protocol)("protochain", ast::Kind::Protochain)("gateway", ast::Kind::Gateway)("broadcast", ast::Kind::Broadcast)("multicast", ast::Kind::Multicast);
    }
} const kind_sym;

// ---- actions --------------------------------------------------------------------------------

auto const on_proto = [](auto& ctx) { x3::_val(ctx) = ast::Spanned<ast::Proto>{x3::_attr(ctx), {}}; };
auto const on_kind = [](auto& ctx) { x3::_val(ctx) = ast::Spanned<ast::Kind>{x3::_attr(ctx), {}}; };
template <ast::Dir D>
auto const on_dir = [](auto& ctx) { x3::_val(ctx) = ast::Spanned<ast::Dir>{D, {}}; };

auto const on_word = [](auto& ctx) {
    std::string& w = x3::_attr(ctx);
    if (is_reserved_word(w)) { x3::_pass(ctx) = false; return; }
    x3::_val(ctx) = ast::Spanned<std::string>{w, {}};
};
auto const on_number_text = [](auto& ctx) { x3::_val(ctx) = ast::Spanned<std::string>{x3::_attr(ctx), {}}; };

template <class T>
std::optional<T> to_std(boost::optional<T>& o) {
    return o ? std::optional<T>(std::move(*o)) : std::nullopt;
}

// `less N` has a plain attribute where `vlan [N]` has an optional one.
std::optional<std::string> to_std(std::string& s) { return s; }

auto const on_value = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Spanned<std::string>& w = at_c<0>(a);
    ast::Value v;
    v.text = w.value;
    v.span = w.span;
    v.shape = classify(w.value);
    // libpcap's scanner reads its named constants as numbers wherever a number goes: `port
    // icmp-echo` is port 8. (The span still shows the name.)
    if (v.shape == ast::Value::Shape::Name)
        if (auto n = named_constant(v.text)) {
            v.text = std::to_string(*n);
            v.shape = ast::Value::Shape::Number;
        }
    v.prefix = to_std(at_c<1>(a));
    v.mask = to_std(at_c<2>(a));
    // libpcap's scanner reads "10" as a number, not an address: `NUM '/' NUM` and `NUM mask HID`
    // are syntax errors there (only `net 10`, and dotted `net 10.0/16`, abbreviate networks).
    if (v.shape == ast::Value::Shape::Number && (v.prefix || v.mask)) {
        const Span at = v.prefix ? v.prefix->span : v.mask->span;
        throw ParseError{Diagnostic{{v.span.begin, at.end},
                                    fmt::format("'{}' is a number, not an address: a {} needs a dotted address before it", v.text,
                                                v.prefix ? "prefix length" : "netmask"),
                                    fmt::format("write 'net {0}' for the whole network {0}, or the address in full, e.g. 'net 10.0.0.0/8'", v.text)}};
    }
    x3::_val(ctx) = std::move(v);
};

// libpcap's grammar has no direction before `proto` or `protochain` (its `head` takes `pqual
// PROTO` only): `src proto 1` is a syntax error there.
template <class Ctx>
void check_qualifiers(const ast::Qualifiers& q, const Ctx& ctx) {
    if (!q.dir || !q.kind || (q.kind->value != ast::Kind::Protocol && q.kind->value != ast::Kind::Protochain)) return;
    Iter begin = x3::get<begin_tag>(ctx);
    const std::string dir(begin + q.dir->span.begin, begin + q.dir->span.end);
    const char* kind = ast::name_of(q.kind->value);
    throw ParseError{Diagnostic{q.dir->span, fmt::format("'{}' cannot qualify '{}': a protocol number has no direction", dir, kind),
                                fmt::format("write '{} N' or 'ip {} N'", kind, kind)}};
}

// Builds a primitive from `[proto] [dir] [kind] [value]`, raising precise errors for
// qualifiers that are not followed by what they need.
auto const on_qualified = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Qualifiers q{to_std(at_c<0>(a)), to_std(at_c<1>(a)), to_std(at_c<2>(a))};
    check_qualifiers(q, ctx);
    std::optional<ast::Value> value = to_std(at_c<3>(a));
    // broadcast and multicast take no direction and no value (libpcap's `pqual TK_BROADCAST`).
    const bool cast = q.kind && (q.kind->value == ast::Kind::Broadcast || q.kind->value == ast::Kind::Multicast);
    if (cast && (q.dir || value)) {
        const Span at = q.dir ? q.dir->span : value->span;
        const char* kind = ast::name_of(q.kind->value);
        throw ParseError{Diagnostic{at, fmt::format("'{}' takes no {}", kind, q.dir ? "direction" : "value"),
                                    fmt::format("'{}' tests the destination; write '{}' alone", kind, kind)}};
    }
    if (!value && cast) {
        x3::_val(ctx) = ast::Expr{ast::Primitive{q, ast::Value{}, {}}};
        return;
    }
    if (value) {
        // libpcap's grammar has no `proto value`: a protocol before a value needs a direction or
        // a kind ("ip 10.0.0.1" is a syntax error there; found by fuzz/filter_fuzz.cpp). A value
        // that looks like a misspelled keyword ("udp prot 53") gets its spelling hint later.
        // Only a name can be a misspelled keyword: `ip 2` is no `l2`.
        const bool misspelled = value->shape == ast::Value::Shape::Name && keyword_like(value->text);
        if (q.proto && !q.dir && !q.kind && !misspelled) {
            Iter begin = x3::get<begin_tag>(ctx);
            const std::string proto(begin + q.proto->span.begin, begin + q.proto->span.end);
            const bool transport = proto == "tcp" || proto == "udp" || proto == "sctp";
            const bool number = value->shape == ast::Value::Shape::Number;
            throw ParseError{Diagnostic{value->span, fmt::format("expected 'host', 'net', 'port' or a direction after '{}'", proto),
                                        fmt::format("write '{} {} {}'", proto, transport && number ? "port" : "host", value->text)}};
        }
        x3::_val(ctx) = ast::Expr{ast::Primitive{q, std::move(*value), {}}};
        return;
    }
    if (q.kind || q.dir) {
        // _where starts where the match ended: the first token the qualifiers needed.
        Iter begin = x3::get<begin_tag>(ctx);
        Iter p = x3::_where(ctx).begin();
        while (*p && is_filter_space(*p)) ++p;
        Iter e = p;
        while (*e && !is_filter_space(*e)) ++e;
        Span where{static_cast<std::size_t>(p - begin), static_cast<std::size_t>(std::max(e, p + 1) - begin)};
        std::string msg;
        if (q.kind && q.kind->value == ast::Kind::Port)
            msg = "expected a port number or name after 'port'";
        else if (q.kind && q.kind->value == ast::Kind::PortRange)
            msg = "expected a port range (e.g. 6000-6010) after 'portrange'";
        else if (q.kind && q.kind->value == ast::Kind::Protocol)
            msg = "expected a protocol number or name after 'proto'";
        else if (q.kind && q.kind->value == ast::Kind::Protochain)
            msg = "expected a protocol number or name after 'protochain'";
        else if (q.kind && q.kind->value == ast::Kind::Gateway)
            msg = "expected a host name after 'gateway'";
        else if (q.kind && q.kind->value == ast::Kind::Net)
            msg = "expected a network (a.b.c.d/len, a.b.c, a.b.c.d mask m, or an IPv6 prefix) after 'net'";
        else if (q.kind)
            msg = "expected a host address or name after 'host'";
        else
            msg = "expected 'host', 'net', 'port' or an address after the direction qualifier";
        throw ParseError{Diagnostic{where, std::move(msg), {}}};
    }
    if (q.proto) {
        x3::_val(ctx) = ast::Expr{ast::ProtoAbbrev{q.proto->value, q.proto->span}};
        return;
    }
    x3::_pass(ctx) = false;
};

auto const on_not = [](auto& ctx) {
    x3::_val(ctx) = ast::Expr{std::make_shared<ast::Not>(ast::Not{x3::_attr(ctx), {}})};
};

// ---- value groups: `host not 10.0.0.1`, `port (80 or 443)`, `ip host (a or b and c)` ----
// libpcap's `id` after qualifiers: a negated value (`not id`) or a parenthesised list of values
// joined by and/or (`paren pid ')'`), every value taking the qualifiers (the AST gives them to
// the first value; the rest carry them over, as bare values after `or` do).

ast::Primitive& leftmost_primitive(ast::Expr& e) {
    ast::Expr* at = &e;
    for (;;) {
        if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(at)) at = &(*n)->operand;
        else if (auto* b = std::get_if<std::shared_ptr<ast::Binary>>(at)) at = &(*b)->lhs;
        else return std::get<ast::Primitive>(*at);  // group rules build only these three
    }
}

auto const on_bare_value = [](auto& ctx) {
    ast::Value& v = x3::_attr(ctx);
    Span s = v.span;
    if (v.prefix) s.end = std::max(s.end, v.prefix->span.end);
    if (v.mask) s.end = std::max(s.end, v.mask->span.end);
    x3::_val(ctx) = ast::Expr{ast::Primitive{{}, std::move(v), s}};
};
// A group's first value is a value, a negation, or a number in parentheses: libpcap's pid starts
// with nid or pnum, so `host ((a) or b)` is a syntax error there while `port ((80) or 443)` is not.
auto const on_bare_number = [](auto& ctx) {
    ast::Value& v = x3::_attr(ctx);
    if (v.shape != ast::Value::Shape::Number || v.prefix || v.mask) { x3::_pass(ctx) = false; return; }
    Span s = v.span;
    x3::_val(ctx) = ast::Expr{ast::Primitive{{}, std::move(v), s}};
};
auto const on_qualified_group = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Qualifiers q{to_std(at_c<0>(a)), to_std(at_c<1>(a)), to_std(at_c<2>(a))};
    // libpcap's `head` needs a direction or a kind: `ip (a or b)` is no primitive.
    if (!q.dir && !q.kind) { x3::_pass(ctx) = false; return; }
    check_qualifiers(q, ctx);
    ast::Expr group = std::move(at_c<3>(a));
    leftmost_primitive(group).q = q;
    x3::_val(ctx) = std::move(group);
};
auto const on_group = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };
// A parenthesised expression (its span is set by unary_rule's on_success).
auto const on_paren = [](auto& ctx) { x3::_val(ctx) = ast::Expr{std::make_shared<ast::Group>(ast::Group{x3::_attr(ctx), {}})}; };
auto const on_first = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };
auto const on_chain = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Expr lhs = std::move(x3::_val(ctx));
    Span s{ast::span_of(lhs).begin, ast::span_of(at_c<1>(a)).end};
    x3::_val(ctx) = ast::Expr{std::make_shared<ast::Binary>(ast::Binary{at_c<0>(a), std::move(lhs), std::move(at_c<1>(a)), s})};
};

// ---- arithmetic actions -----------------------------------------------------------------------

struct access_symbols : x3::symbols<std::string> {
    access_symbols() {
        // Every protocol name libpcap's grammar takes before '['; lowering refuses those libpcap
        // has no index operation for (iso, stp, aarp…), with a caret.
        for (const char* p : {"ether", "link", "wlan", "fddi", "tr", "ppp", "slip", "radio", "ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6", "igmp",
                              "igrp", "pim", "vrrp", "carp", "ah", "esp", "atalk", "decnet", "lat", "sca", "moprc", "mopdl",
                              "aarp", "iso", "esis", "es-is", "isis", "is-is", "clnp", "stp", "ipx", "netbeui", "l1", "l2",
                              "iih", "lsp", "snp", "csnp", "psnp"})
            add(p, p);
    }
} const access_sym;

struct relop_symbols : x3::symbols<ast::RelOp> {
    relop_symbols() {
        add("=", ast::RelOp::Eq)("==", ast::RelOp::Eq)("!=", ast::RelOp::Ne)(">", ast::RelOp::Gt)(">=", ast::RelOp::Ge)(
            "<", ast::RelOp::Lt)("<=", ast::RelOp::Le);
    }
} const relop_sym;

template <class Ctx>
Span here(const Ctx& ctx, Iter from, Iter to) {
    Iter begin = x3::get<begin_tag>(ctx);
    while (from < to && is_filter_space(*from)) ++from;
    return {static_cast<std::size_t>(from - begin), static_cast<std::size_t>(to - begin)};
}

auto const on_arith_assign = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };
auto const on_arith_fold = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Arith lhs = std::move(x3::_val(ctx));
    Span s{ast::span_of(lhs).begin, ast::span_of(at_c<1>(a)).end};
    x3::_val(ctx) = ast::Arith{std::make_shared<ast::ArithNode>(ast::ArithNode{at_c<0>(a), std::move(lhs), std::move(at_c<1>(a)), s})};
};
auto const on_negate = [](auto& ctx) {
    ast::Arith operand = x3::_attr(ctx);
    Span s = ast::span_of(operand);
    if (s.begin > 0) --s.begin;  // include the '-'
    x3::_val(ctx) = ast::Arith{std::make_shared<ast::ArithNode>(ast::ArithNode{ast::ArithOp::Neg, operand, ast::Number{"0", s}, s})};
};
template <ast::ArithOp Op>
auto const set_arith_op = [](auto& ctx) { x3::_val(ctx) = Op; };

// ---- rules ----------------------------------------------------------------------------------

x3::rule<class expr_r, ast::Expr> const expr = "an expression";
struct unary_r : unary_rule {};
x3::rule<unary_r, ast::Expr> const unary = "a primitive, 'not' or '('";
x3::rule<class operand_r, ast::Expr> const operand = "a primitive, 'not' or '(' after the operator";
struct qualified_r : primitive_rule {};
x3::rule<qualified_r, ast::Expr> const qualified = "a primitive";
x3::rule<class closing_r> const closing = "')'";
struct proto_q_r : spanned_rule {};
x3::rule<proto_q_r, ast::Spanned<ast::Proto>> const proto_q = "a protocol";
struct dir_q_r : spanned_rule {};
x3::rule<dir_q_r, ast::Spanned<ast::Dir>> const dir_q = "'src' or 'dst'";
struct kind_q_r : spanned_rule {};
x3::rule<kind_q_r, ast::Spanned<ast::Kind>> const kind_q = "'host', 'net' or 'port'";
struct word_r : spanned_rule {};
x3::rule<word_r, ast::Spanned<std::string>> const word = "a value";
struct prefix_r : spanned_rule {};
x3::rule<prefix_r, ast::Spanned<std::string>> const prefix_len = "a prefix length after '/'";
struct mask_r : spanned_rule {};
x3::rule<mask_r, ast::Spanned<std::string>> const mask_value = "a netmask after 'mask'";
x3::rule<class value_r, ast::Value> const value = "a value";
x3::rule<class raw_word_r, std::string> const raw_word = "a value";
x3::rule<class digits_r, std::string> const digits = "a number";
x3::rule<class binop_r, ast::Binary::Op> const binop = "'and' or 'or'";
// Each spanned rule's definition is an action-free call of its _body rule, so on_success sees
// the attribute (with an action at the top, X3 hands on_success an unused attribute).
x3::rule<class proto_q_body_r, ast::Spanned<ast::Proto>> const proto_q_body = "proto_q";
x3::rule<class dir_q_body_r, ast::Spanned<ast::Dir>> const dir_q_body = "dir_q";
x3::rule<class kind_q_body_r, ast::Spanned<ast::Kind>> const kind_q_body = "kind_q";
x3::rule<class word_body_r, ast::Spanned<std::string>> const word_body = "word";
x3::rule<class prefix_len_body_r, ast::Spanned<std::string>> const prefix_len_body = "prefix_len";
x3::rule<class mask_value_body_r, ast::Spanned<std::string>> const mask_value_body = "mask_value";
x3::rule<class qualified_body_r, ast::Expr> const qualified_body = "qualified";
// Arithmetic with libpcap's precedence: | below &, below << >>, below + -, below * /, below
// unary minus. '%' and '^' have no precedence in libpcap's grammar, so bison always shifts on
// them: such an operator takes the primary just before it as its left operand and the whole rest
// of the arithmetic as its right (`a + b % c * d` is `a + (b % (c * d))`).
x3::rule<class arith_r, ast::Arith> const arith = "an arithmetic expression";
x3::rule<class arith_and_r, ast::Arith> const arith_and = "an arithmetic expression";
x3::rule<class arith_shift_r, ast::Arith> const arith_shift = "an arithmetic expression";
x3::rule<class arith_add_r, ast::Arith> const arith_add = "an arithmetic expression";
x3::rule<class arith_mul_r, ast::Arith> const arith_mul = "an arithmetic expression";
x3::rule<class arith_unary_r, ast::Arith> const arith_unary = "an arithmetic expression";
x3::rule<class arith_chain_r, ast::Arith> const arith_chain = "an arithmetic expression";
x3::rule<class greedy_op_r, ast::ArithOp> const greedy_op = "'%' or '^'";
x3::rule<class arith_primary_r, ast::Arith> const arith_primary = "a number, 'len', proto[offset] or a named constant";
x3::rule<class or_op_r, ast::ArithOp> const or_op = "'|' or '^'";
x3::rule<class and_op_r, ast::ArithOp> const and_op = "'&'";
x3::rule<class shift_op_r, ast::ArithOp> const shift_op = "'<<' or '>>'";
x3::rule<class add_op_r, ast::ArithOp> const add_op = "'+' or '-'";
x3::rule<class mul_op_r, ast::ArithOp> const mul_op = "'*', '/' or '%'";
x3::rule<class access_r, ast::Arith> const access = "proto[offset]";
x3::rule<class access_size_r, std::string> const access_size = "a size of 1, 2 or 4";
x3::rule<class number_lit_r, std::string> const number_lit = "a number";
x3::rule<class name_lit_r, std::string> const name_lit = "a named constant";
x3::rule<class relation_r, ast::Expr> const relation = "a comparison";
x3::rule<class relation_rhs_r, ast::Arith> const relation_rhs = "an arithmetic expression after the comparison";
struct keyword_r : keyword_rule {};
x3::rule<keyword_r, ast::Expr> const keyword = "a keyword primitive";
x3::rule<class keyword_body_r, ast::Expr> const keyword_body = "a keyword primitive";
x3::rule<class keyword_number_r, std::string> const keyword_number = "a number";
x3::rule<class byteop_r, ast::Keyword::Which> const byteop = "'=', '<', '>', '&' or '|'";
x3::rule<class unary_body_r, ast::Expr> const unary_body = "unary";
struct group_unit_r : unary_rule {};
x3::rule<group_unit_r, ast::Expr> const group_unit = "a value, 'not' or '('";
struct group_first_r : unary_rule {};
x3::rule<group_first_r, ast::Expr> const group_first = "a value or 'not'";
x3::rule<class paren_number_r, ast::Expr> const paren_number = "a number";
x3::rule<class group_chain_r, ast::Expr> const group_chain = "values joined by 'and' or 'or'";
struct value_group_r : unary_rule {};
x3::rule<value_group_r, ast::Expr> const value_group = "'not' or '(' and values";
x3::rule<class qualified_group_r, ast::Expr> const qualified_group = "a primitive";
x3::rule<class pnum_r, std::string> const pnum = "a number";

// Each level of parentheses, `not` and unary minus recurses: stop with an error where the thread's stack
// is half used (compile() gives long filters a 1 GiB stack: some 300,000 levels).
auto const room_to_recurse = x3::eps[([](auto& ctx) {
    if (stack_has_room()) return;
    Iter begin = x3::get<begin_tag>(ctx);
    std::size_t at = static_cast<std::size_t>(x3::_where(ctx).begin() - begin);
    throw ParseError{Diagnostic{{at, at + 1}, "the filter is nested too deeply here for sniff's stack",
                                "write long lists flat ('a or b or c'), not nested ('a or (b or (c))')"}};
})];
auto const src_kw = kw("src");
auto const dst_kw = kw("dst");

auto const proto_q_body_def = x3::lexeme[proto_sym >> !(x3::alnum | x3::char_("_.-"))][on_proto] |
                              x3::lexeme[lan_proto_sym >> !(x3::alnum | x3::char_("_.-"))][on_lan_qualifier];
// libpcap takes both orders: `dst or src` is `src or dst`, `dst and src` is `src and dst`.
auto const dir_q_body_def = (src_kw >> or_kw >> dst_kw)[on_dir<ast::Dir::SrcOrDst>] |
                       (src_kw >> and_kw >> dst_kw)[on_dir<ast::Dir::SrcAndDst>] |
                       (dst_kw >> or_kw >> src_kw)[on_dir<ast::Dir::SrcOrDst>] |
                       (dst_kw >> and_kw >> src_kw)[on_dir<ast::Dir::SrcAndDst>] |
                       src_kw[on_dir<ast::Dir::Src>] | dst_kw[on_dir<ast::Dir::Dst>] | kw("ra")[on_dir<ast::Dir::Ra>] |
                       kw("ta")[on_dir<ast::Dir::Ta>] | kw("addr1")[on_dir<ast::Dir::Addr1>] |
                       kw("addr2")[on_dir<ast::Dir::Addr2>] | kw("addr3")[on_dir<ast::Dir::Addr3>] |
                       kw("addr4")[on_dir<ast::Dir::Addr4>];
auto const kind_q_body_def = x3::lexeme[kind_sym >> !(x3::alnum | x3::char_("_.-"))][on_kind];
auto const raw_word_def = x3::lexeme[+word_chars];
auto const digits_def = x3::lexeme[+x3::digit];
auto const word_body_def = raw_word[on_word];
auto const prefix_len_body_def = digits[on_number_text];
auto const mask_value_body_def = raw_word[on_number_text];
auto const value_def = (word >> -('/' > prefix_len) >> -(kw("mask") > mask_value))[on_value];
auto const qualified_body_def = qualified_group[on_group] | (-proto_q >> -dir_q >> -kind_q >> -value)[on_qualified];
auto const qualified_group_def = (-proto_q >> -dir_q >> -kind_q >> value_group)[on_qualified_group];
auto const group_unit_def = (not_kw > room_to_recurse > group_unit)[on_not] | ('(' > room_to_recurse > group_chain > closing)[on_group] |
                            value[on_bare_value];
auto const paren_number_def = ('(' >> room_to_recurse >> paren_number >> ')')[on_group] | value[on_bare_number];
auto const group_first_def = (not_kw > room_to_recurse > group_unit)[on_not] | paren_number[on_group] | value[on_bare_value];
auto const group_chain_def = group_first[on_first] >> *(binop > group_unit)[on_chain];
auto const value_group_def = (not_kw > room_to_recurse > group_unit)[on_not] | ('(' >> room_to_recurse >> group_chain > closing)[on_group];
auto const closing_def = x3::lit(')');
// A rule whose definition has actions does not propagate attributes by itself, so every
// alternative assigns _val explicitly.
// A relation is not tried where a boolean group opens: only an arithmetic group can start one.
auto const not_at_boolean_group = x3::eps[([](auto& ctx) {
    Iter begin = x3::get<begin_tag>(ctx);
    const std::vector<std::uint8_t>& boolean = x3::get<boolean_groups_tag>(ctx);
    std::size_t at = static_cast<std::size_t>(x3::_where(ctx).begin() - begin);
    while (at < boolean.size() && is_filter_space(begin[at])) ++at;
    x3::_pass(ctx) = at >= boolean.size() || boolean[at] == 0;
})];
auto const unary_body_def = (not_kw > room_to_recurse > operand)[on_not] | (not_at_boolean_group >> relation)[on_group] | ('(' > room_to_recurse > expr > closing)[on_paren] |
                            keyword[on_group] | qualified[on_group];

// ---- arithmetic and relations ----
// libpcap's scanner takes the longest token, and its names may hold '-', '_' and '.': "1-1" or
// "0xf0-0x40" is one name there (a syntax error in arithmetic), not a subtraction.
auto const number_lit_def = x3::lexeme[x3::digit >> *x3::alnum >> !(*(x3::lit('-') | '_') >> (x3::alnum | '.'))];
auto const name_lit_def = x3::lexeme[x3::alpha >> *(x3::alnum | x3::char_("_-"))];
auto const access_size_def = x3::lexeme[x3::digit >> *x3::alnum];
auto const on_number = [](auto& ctx) {
    x3::_val(ctx) = ast::Arith{ast::Number{x3::_attr(ctx), here(ctx, x3::_where(ctx).begin() - x3::_attr(ctx).size(), x3::_where(ctx).begin())}};
};
auto const on_name = [](auto& ctx) {
    std::string& n = x3::_attr(ctx);
    if (n == "len" || n == "length") {  // one token in libpcap's scanner
        x3::_val(ctx) = ast::Arith{ast::WireLength{here(ctx, x3::_where(ctx).begin() - n.size(), x3::_where(ctx).begin())}};
        return;
    }
    if (is_reserved_word(n)) { x3::_pass(ctx) = false; return; }
    x3::_val(ctx) = ast::Arith{ast::NamedConstant{n, here(ctx, x3::_where(ctx).begin() - n.size(), x3::_where(ctx).begin())}};
};
auto const on_access = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    const std::string& proto = at_c<0>(a);
    auto size = to_std(at_c<2>(a));
    Iter end = x3::_where(ctx).begin();  // just past ']'
    Iter begin = x3::get<begin_tag>(ctx);
    // Find the protocol name: the last occurrence before the index.
    Span index_span = ast::span_of(at_c<1>(a));
    std::size_t proto_begin = std::string_view(begin, index_span.begin).rfind(proto);
    ast::Access acc{proto, {proto_begin, proto_begin + proto.size()}, at_c<1>(a), 1, {}, {}, {proto_begin, static_cast<std::size_t>(end - begin)}};
    if (size) {
        auto n = names::parse_number(*size);
        acc.size = n.value ? *n.value : 0;
        acc.size_text = *size;
        std::size_t colon = std::string_view(begin, static_cast<std::size_t>(end - begin)).rfind(':');
        acc.size_span = {colon + 1, static_cast<std::size_t>(end - begin) - 1};
    }
    x3::_val(ctx) = ast::Arith{std::make_shared<ast::Access>(std::move(acc))};
};
auto const on_relation = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    Span s{ast::span_of(at_c<0>(a)).begin, ast::span_of(at_c<2>(a)).end};
    x3::_val(ctx) = ast::Expr{std::make_shared<ast::Relation>(ast::Relation{at_c<1>(a), at_c<0>(a), at_c<2>(a), s})};
};
// A keyword's number as written, at `at`: a named constant (`vlan tcp-syn`) is the number it
// names, as libpcap's scanner reads it; the span stays on the name.
ast::Number keyword_argument(const std::string& text, std::size_t at) {
    ast::Number n{text, {at, at + text.size()}};
    if (!text.empty() && !std::isdigit(static_cast<unsigned char>(text[0])))
        if (auto v = named_constant(text)) n.text = std::to_string(*v);
    return n;
}

template <ast::Keyword::Which W>
auto const on_keyword = [](auto& ctx) {
    auto arg = to_std(x3::_attr(ctx));
    Iter begin = x3::get<begin_tag>(ctx);
    Iter end = x3::_where(ctx).begin();
    std::optional<ast::Number> number;
    if (arg) {
        std::size_t at = std::string_view(begin, static_cast<std::size_t>(end - begin)).rfind(*arg);
        number = keyword_argument(*arg, at);
    }
    x3::_val(ctx) = ast::Expr{ast::Keyword{W, number, std::nullopt, {}}};
};

struct lan_symbols : x3::symbols<ast::Keyword::Which> {
    lan_symbols() {
        using W = ast::Keyword::Which;
        add("llc", W::Llc)("stp", W::Stp)("ipx", W::Ipx)("netbeui", W::Netbeui)("iso", W::Iso)("esis", W::Esis)(
            "es-is", W::Esis)("isis", W::Isis)("is-is", W::Isis)("clnp", W::Clnp)("atalk", W::Atalk)("aarp", W::Aarp)(
            "decnet", W::Decnet)("lat", W::Lat)("sca", W::Sca)("moprc", W::Moprc)("mopdl", W::Mopdl)("l1", W::IsisL1)(
            "l2", W::IsisL2)("iih", W::IsisIih)("lsp", W::IsisLsp)("snp", W::IsisSnp)("csnp", W::IsisCsnp)("psnp", W::IsisPsnp);
    }
} const lan_sym;
auto const lan_keyword = x3::lexeme[lan_sym >> !(x3::alnum | x3::char_("_.-"))];
auto const on_lan_keyword = [](auto& ctx) {
    using W = ast::Keyword::Which;
    const W w = x3::_attr(ctx);
    // `iso proto …`, `isis proto …`, `decnet src …`: a qualified primitive, left to `qualified`.
    const auto as_proto = w == W::Iso ? std::optional(ast::Proto::Iso) : w == W::Isis ? std::optional(ast::Proto::Isis)
                        : w == W::Decnet ? std::optional(ast::Proto::Decnet) : std::nullopt;
    if (as_proto && qualifies(*as_proto, next_word(x3::_where(ctx).begin()))) {
        x3::_pass(ctx) = false;
        return;
    }
    x3::_val(ctx) = ast::Expr{ast::Keyword{w, std::nullopt, std::nullopt, {}}};
};

// `llc KIND` (libpcap's `LLC ID`): a name after `llc`, checked in lowering (lower_llc.cpp). libpcap's
// scanner makes `rnr` a pf keyword, and its grammar takes `llc rnr` separately; any other keyword
// or a number ends the primitive at `llc`.
auto const on_llc_kind = [](auto& ctx) {
    std::string& w = x3::_attr(ctx);
    if ((is_reserved_word(w) && w != "rnr") || classify(w) != ast::Value::Shape::Name) { x3::_pass(ctx) = false; return; }
    Iter begin = x3::get<begin_tag>(ctx);
    std::size_t end = static_cast<std::size_t>(x3::_where(ctx).begin() - begin);
    x3::_val(ctx) = ast::Expr{ast::Keyword{ast::Keyword::Which::Llc, ast::Number{w, {end - w.size(), end}}, std::nullopt, {}}};
};

// `type T [subtype S]`: both words with their spans.
auto const on_wlan_type = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    Iter begin = x3::get<begin_tag>(ctx);
    std::string_view consumed(begin, static_cast<std::size_t>(x3::_where(ctx).begin() - begin));
    auto spanned = [&](const std::string& w, std::size_t from) {
        std::size_t at = consumed.find(w, from);
        return ast::Number{w, {at, at + w.size()}};
    };
    ast::Keyword k{ast::Keyword::Which::WlanType, std::nullopt, std::nullopt, {}};
    const auto& subtype = to_std(at_c<1>(a));
    // The type word is the last occurrence before the subtype (or the end).
    std::size_t type_end = subtype ? consumed.rfind("subtype") : consumed.size();
    std::size_t type_at = consumed.substr(0, type_end).rfind(at_c<0>(a));
    k.arg = ast::Number{at_c<0>(a), {type_at, type_at + at_c<0>(a).size()}};
    if (subtype) k.arg2 = spanned(*subtype, type_end + 7);
    x3::_val(ctx) = ast::Expr{std::move(k)};
};

// The old byte primitive, `byte N op V` (libpcap's `BYTE NUM byteop NUM`): offset and value with
// their spans, the operator in `which`. Only these five operators: `<=`, `>=`, `!=`, `<<`, `&&`
// are other tokens in libpcap's scanner, and a syntax error there.
struct byteop_symbols : x3::symbols<ast::Keyword::Which> {
    byteop_symbols() {
        using W = ast::Keyword::Which;
        add("=", W::ByteEq)("==", W::ByteEq)("<", W::ByteLt)(">", W::ByteGt)("&", W::ByteAnd)("|", W::ByteOr);
    }
} const byteop_sym;
auto const on_byte = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    Iter begin = x3::get<begin_tag>(ctx);
    std::string_view consumed(begin, static_cast<std::size_t>(x3::_where(ctx).begin() - begin));
    const std::string& offset = at_c<0>(a);
    const std::string& value = at_c<2>(a);
    // The operator is no digit, so the offset is the last occurrence before the value.
    std::size_t value_at = consumed.rfind(value);
    std::size_t offset_at = consumed.rfind(offset, value_at - 1);
    x3::_val(ctx) = ast::Expr{ast::Keyword{at_c<1>(a), keyword_argument(offset, offset_at), keyword_argument(value, value_at), {}}};
};

template <ast::Keyword::Which W>
auto const on_bare_keyword = [](auto& ctx) { x3::_val(ctx) = ast::Expr{ast::Keyword{W, std::nullopt, std::nullopt, {}}}; };

// ---- SS7 MTP2/MTP3 and SunATM: libpcap's mtp2type, `mtp3field mtp3value`, atmtype and ----------
// `atmfield atmvalue`. `fisu`, `lssu`, `msu` and their high-speed `h` forms, and the ATM types
// (`lane`, `oam`…) stand alone. The fields (`sio`, `opc`, `dpc`, `sls`, `hsio`…, `vpi`, `vci`) take a
// number, a relation and a number (`opc > 5`; `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`), or a
// parenthesised list of numbers joined by `or` (`sio (1 or 2)`, the field equal to any of them).
// All are reserved words, as in libpcap's scanner: `opc > 5` is no relation on a named constant.
// Lowered in lower_mtp.cpp and lower_atm.cpp.
constexpr std::array<std::pair<std::string_view, ast::Keyword::Which>, 27> kLinkKeywords = {{
    {"fisu", ast::Keyword::Which::Fisu}, {"lssu", ast::Keyword::Which::Lssu}, {"msu", ast::Keyword::Which::Msu},
    {"hfisu", ast::Keyword::Which::Hfisu}, {"hlssu", ast::Keyword::Which::Hlssu}, {"hmsu", ast::Keyword::Which::Hmsu},
    {"lane", ast::Keyword::Which::Lane}, {"oamf4", ast::Keyword::Which::Oam}, {"oam", ast::Keyword::Which::Oam},
    {"oamf4sc", ast::Keyword::Which::Oamf4sc}, {"oamf4ec", ast::Keyword::Which::Oamf4ec},
    {"metac", ast::Keyword::Which::Metac}, {"bcc", ast::Keyword::Which::Bcc}, {"sc", ast::Keyword::Which::Sc},
    {"ilmic", ast::Keyword::Which::Ilmic}, {"connectmsg", ast::Keyword::Which::Connectmsg},
    {"metaconnect", ast::Keyword::Which::Metaconnect},
    {"sio", ast::Keyword::Which::Sio}, {"opc", ast::Keyword::Which::Opc}, {"dpc", ast::Keyword::Which::Dpc},
    {"sls", ast::Keyword::Which::Sls}, {"hsio", ast::Keyword::Which::Hsio}, {"hopc", ast::Keyword::Which::Hopc},
    {"hdpc", ast::Keyword::Which::Hdpc}, {"hsls", ast::Keyword::Which::Hsls}, {"vpi", ast::Keyword::Which::Vpi},
    {"vci", ast::Keyword::Which::Vci}}};
constexpr std::size_t kLinkUnitKeywords = 17;  // these stand alone; the rest are fields

bool is_link_keyword(std::string_view w) {
    return std::any_of(kLinkKeywords.begin(), kLinkKeywords.end(), [&](const auto& k) { return k.first == w; });
}
ast::Keyword::Which link_keyword(std::string_view w) {
    for (const auto& [name, which] : kLinkKeywords)
        if (name == w) return which;
    return ast::Keyword::Which::Sio;
}

struct link_word_symbols : x3::symbols<std::string> {
    explicit link_word_symbols(bool units) {
        for (std::size_t i = units ? 0 : kLinkUnitKeywords; i < (units ? kLinkUnitKeywords : kLinkKeywords.size()); ++i)
            add(std::string(kLinkKeywords[i].first), std::string(kLinkKeywords[i].first));
    }
};
link_word_symbols const link_unit_sym{true}, link_field_sym{false};
auto const link_word_end = !(x3::alnum | x3::char_("_.-"));

x3::rule<class link_field_name_r, ast::Spanned<std::string>> const link_field_name = "a link-layer field";
x3::rule<class link_number_r, ast::Number> const link_number = "a number";
x3::rule<class link_numbers_r, std::vector<ast::Number>> const link_numbers = "numbers joined by 'or'";
x3::rule<class link_primitive_r, ast::Expr> const link_primitive = "a link-layer keyword";

// A word just matched, with its span (_where begins where the match ended).
auto const on_link_field_name = [](auto& ctx) {
    const std::string& w = x3::_attr(ctx);
    x3::_val(ctx) = ast::Spanned<std::string>{w, here(ctx, x3::_where(ctx).begin() - w.size(), x3::_where(ctx).begin())};
};
auto const on_link_number = [](auto& ctx) {
    const std::string& t = x3::_attr(ctx);
    x3::_val(ctx) = ast::Number{t, here(ctx, x3::_where(ctx).begin() - t.size(), x3::_where(ctx).begin())};
};
auto const on_link_unit = [](auto& ctx) {
    x3::_val(ctx) = ast::Expr{ast::Keyword{link_keyword(x3::_attr(ctx)), std::nullopt, std::nullopt, {}}};
};
auto const on_link_relation = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    x3::_val(ctx) = ast::Expr{ast::Keyword{link_keyword(at_c<0>(a).value), at_c<2>(a), std::nullopt, {}, at_c<1>(a)}};
};
auto const on_link_equal = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    x3::_val(ctx) = ast::Expr{ast::Keyword{link_keyword(at_c<0>(a).value), at_c<1>(a), std::nullopt, {}}};
};
// `sio (1 or 2 or 3)` is `sio 1 or sio 2 or sio 3`; each term is spanned by the field's name.
auto const on_link_list = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    const ast::Spanned<std::string>& name = at_c<0>(a);
    const ast::Keyword::Which which = link_keyword(name.value);
    std::vector<ast::Number>& numbers = at_c<1>(a);
    ast::Expr acc = ast::Keyword{which, numbers.front(), std::nullopt, name.span};
    for (std::size_t i = 1; i < numbers.size(); ++i) {
        Span s{name.span.begin, numbers[i].span.end};
        acc = ast::Expr{std::make_shared<ast::Binary>(ast::Binary{ast::Binary::Op::Or, std::move(acc),
                                                                  ast::Keyword{which, numbers[i], std::nullopt, name.span}, s})};
    }
    x3::_val(ctx) = std::move(acc);
};

auto const link_field_name_def = x3::lexeme[link_field_sym >> link_word_end][on_link_field_name];
auto const link_number_def = keyword_number[on_link_number];
auto const link_numbers_def = link_number >> *(or_kw > link_number);
auto const link_primitive_def = x3::lexeme[link_unit_sym >> link_word_end][on_link_unit] |
                                (link_field_name >> relop_sym > link_number)[on_link_relation] |
                                (link_field_name >> '(' > link_numbers > ')')[on_link_list] |
                                (link_field_name > link_number)[on_link_equal];
BOOST_SPIRIT_DEFINE(link_field_name, link_number, link_numbers, link_primitive);

auto const or_op_def = (x3::lit('|') >> !x3::lit('|'))[set_arith_op<ast::ArithOp::Or>];
auto const greedy_op_def = x3::lit('%')[set_arith_op<ast::ArithOp::Mod>] | x3::lit('^')[set_arith_op<ast::ArithOp::Xor>];
auto const and_op_def = (x3::lit('&') >> !x3::lit('&'))[set_arith_op<ast::ArithOp::And>];
auto const shift_op_def = x3::lit("<<")[set_arith_op<ast::ArithOp::Lsh>] | x3::lit(">>")[set_arith_op<ast::ArithOp::Rsh>];
auto const add_op_def = x3::lit('+')[set_arith_op<ast::ArithOp::Add>] | x3::lit('-')[set_arith_op<ast::ArithOp::Sub>];
auto const mul_op_def = x3::lit('*')[set_arith_op<ast::ArithOp::Mul>] | x3::lit('/')[set_arith_op<ast::ArithOp::Div>];
auto const access_def = (x3::lexeme[access_sym >> &x3::lit('[')] >> '[' > arith > -(':' > access_size) > ']')[on_access];
auto const arith_primary_def = access[on_arith_assign] | number_lit[on_number] | ('(' >> room_to_recurse >> arith >> ')')[on_arith_assign] |
                               name_lit[on_name];
auto const arith_unary_def = ('-' >> room_to_recurse >> arith_chain)[on_negate] | arith_primary[on_arith_assign];
auto const arith_chain_def = arith_unary[on_arith_assign] >> -(greedy_op > arith)[on_arith_fold];
auto const arith_mul_def = arith_chain[on_arith_assign] >> *(mul_op > arith_chain)[on_arith_fold];
auto const arith_add_def = arith_mul[on_arith_assign] >> *(add_op > arith_mul)[on_arith_fold];
auto const arith_shift_def = arith_add[on_arith_assign] >> *(shift_op > arith_add)[on_arith_fold];
auto const arith_and_def = arith_shift[on_arith_assign] >> *(and_op > arith_shift)[on_arith_fold];
auto const arith_def = arith_and[on_arith_assign] >> *(or_op > arith_and)[on_arith_fold];
auto const relation_rhs_def = arith;
auto const relation_def = (arith >> relop_sym > relation_rhs)[on_relation];
// A number, or one of libpcap's named constants (its scanner makes them numbers everywhere).
auto const on_constant_word = [](auto& ctx) {
    x3::_pass(ctx) = named_constant(x3::_attr(ctx)).has_value();
    x3::_val(ctx) = x3::_attr(ctx);
};
auto const on_digits = [](auto& ctx) { x3::_val(ctx) = std::string(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };
auto const keyword_number_def = x3::lexeme[x3::raw[x3::digit >> *x3::alnum]][on_digits] | name_lit[on_constant_word];
// libpcap's pnum: a number, in as many parentheses as the user likes (`vlan (100)`).
auto const pnum_def = keyword_number | ('(' >> pnum >> ')');
auto const byteop_def = x3::lexeme[byteop_sym >> !x3::char_("<>=&|")];
auto const keyword_def = keyword_body;
// libpcap's `pqual p80211`: any protocol name may come before type, subtype and dir, and means
// nothing there (`wlan type mgt`, `ether subtype beacon`).
auto const wlan_pqual = x3::omit[-(x3::lexeme[access_sym >> !(x3::alnum | x3::char_("_.-"))] >>
                                   &(kw("type") | kw("subtype") | kw("dir") | kw("direction")))];

// ---- OpenBSD pf log keywords (PFLOG; lowered in lower_pflog.cpp) ----
// `on`/`ifname NAME`, `rset`/`ruleset NAME`, `rnr`/`rulenum N`, `srnr`/`subrulenum N`, `reason NAME|N`,
// `action NAME`: the word after the keyword as written; lowering says whether it is the name or
// number that keyword takes. After a backslash a word runs to a space, '!' or parenthesis, as
// libpcap's scanner reads `\tcp` (a name, not the keyword).
x3::rule<class pf_word_r, std::string> const pf_word = "a name or number";
auto const pf_word_def = x3::raw[x3::lexeme[(x3::lit('\\') >> +(x3::char_ - x3::char_(" \t\r\n!()"))) | +word_chars]];
BOOST_SPIRIT_DEFINE(pf_word);
auto const pf_keyword = ((kw("on") | kw("ifname")) > pf_word)[on_keyword<ast::Keyword::Which::PfIfname>] |
                        ((kw("rset") | kw("ruleset")) > pf_word)[on_keyword<ast::Keyword::Which::PfRuleset>] |
                        ((kw("rnr") | kw("rulenum")) > pf_word)[on_keyword<ast::Keyword::Which::PfRulenum>] |
                        ((kw("srnr") | kw("subrulenum")) > pf_word)[on_keyword<ast::Keyword::Which::PfSubrulenum>] |
                        (kw("reason") > pf_word)[on_keyword<ast::Keyword::Which::PfReason>] |
                        (kw("action") > pf_word)[on_keyword<ast::Keyword::Which::PfAction>];

// ---- ARCnet addresses (libpcap's AID token; lowered in lower_arcnet.cpp) ----
// '$' and one or two hex digits where a host goes: `ether host $1f`, `ether src $0a or $0b`. A
// primitive, not a keyword: a bare one takes the qualifiers before it. Qualifiers need a kind or
// direction before it, as before any value (`ether $1f` is a syntax error in libpcap).
x3::rule<class arcnet_address_r, std::string> const arcnet_address = "an ARCnet address";
auto const arcnet_address_def = x3::raw[x3::lexeme['$' >> x3::xdigit >> -x3::xdigit >> !(x3::alnum | x3::char_("_.:-"))]];
BOOST_SPIRIT_DEFINE(arcnet_address);
auto const on_arcnet_host = [](auto& ctx) {
    auto& a = x3::_attr(ctx);
    ast::Qualifiers q{to_std(at_c<0>(a)), to_std(at_c<1>(a)), to_std(at_c<2>(a))};
    if (q.proto && !q.dir && !q.kind) { x3::_pass(ctx) = false; return; }
    const std::string& text = at_c<3>(a);
    Iter begin = x3::get<begin_tag>(ctx);
    const std::size_t end = static_cast<std::size_t>(x3::_where(ctx).begin() - begin);
    ast::Value v;
    v.text = text;
    v.span = {end - text.size(), end};
    const Span first = q.proto ? q.proto->span : q.dir ? q.dir->span : q.kind ? q.kind->span : v.span;
    x3::_val(ctx) = ast::Expr{ast::Primitive{q, std::move(v), {first.begin, end}}};
};
auto const arcnet_host = (-proto_q >> -dir_q >> -kind_q >> arcnet_address)[on_arcnet_host];

auto const keyword_body_def = (kw("less") > keyword_number)[on_keyword<ast::Keyword::Which::Less>] |
                         (kw("greater") > keyword_number)[on_keyword<ast::Keyword::Which::Greater>] |
                         (kw("vlan") >> -pnum)[on_keyword<ast::Keyword::Which::Vlan>] |
                         (kw("mpls") >> -pnum)[on_keyword<ast::Keyword::Which::Mpls>] |
                         (kw("geneve") >> -pnum)[on_keyword<ast::Keyword::Which::Geneve>] |
                         (kw("pppoes") >> -pnum)[on_keyword<ast::Keyword::Which::Pppoes>] |
                         (kw("ifindex") > keyword_number)[on_keyword<ast::Keyword::Which::Ifindex>] |
                         (kw("byte") > keyword_number > byteop > keyword_number)[on_byte] |
                         (wlan_pqual >> kw("type") > raw_word >> -(kw("subtype") > raw_word))[on_wlan_type] |
                         (wlan_pqual >> kw("subtype") > raw_word)[on_keyword<ast::Keyword::Which::WlanSubtype>] |
                         (wlan_pqual >> (kw("dir") | kw("direction")) > raw_word)[on_keyword<ast::Keyword::Which::WlanDir>] |
                         kw("pppoed")[on_bare_keyword<ast::Keyword::Which::Pppoed>] |
                         kw("inbound")[on_bare_keyword<ast::Keyword::Which::Inbound>] |
                         kw("outbound")[on_bare_keyword<ast::Keyword::Which::Outbound>] |
                         (kw("llc") >> raw_word)[on_llc_kind] | lan_keyword[on_lan_keyword] |
                         pf_keyword | arcnet_host | link_primitive[on_group];
auto const operand_def = unary;
auto const set_and = [](auto& ctx) { x3::_val(ctx) = ast::Binary::Op::And; };
auto const set_or = [](auto& ctx) { x3::_val(ctx) = ast::Binary::Op::Or; };
auto const binop_def = and_kw[set_and] | or_kw[set_or];
auto const expr_def = unary[on_first] >> *(binop > operand)[on_chain];

auto const proto_q_def = proto_q_body;
auto const dir_q_def = dir_q_body;
auto const kind_q_def = kind_q_body;
auto const word_def = word_body;
auto const prefix_len_def = prefix_len_body;
auto const mask_value_def = mask_value_body;
auto const qualified_def = qualified_body;
auto const unary_def = unary_body;
BOOST_SPIRIT_DEFINE(expr, unary, operand, qualified, closing, proto_q, dir_q, kind_q, word, prefix_len,
                    mask_value, value, raw_word, digits, binop, proto_q_body, dir_q_body, kind_q_body, word_body,
                    prefix_len_body, mask_value_body, qualified_body, unary_body, arith, arith_and, arith_shift,
                    arith_add, arith_mul, arith_unary, arith_chain, greedy_op, arith_primary, or_op, and_op, shift_op, add_op, mul_op, access,
                    access_size, number_lit, name_lit, relation, relation_rhs, keyword, keyword_body, keyword_number, byteop,
                    group_unit, group_first, paren_number, group_chain, value_group, qualified_group, pnum);

std::string token_at(std::string_view text, std::size_t at) {
    if (at >= text.size()) return "end of expression";
    std::size_t e = at;
    while (e < text.size() && !is_filter_space(text[e])) ++e;
    return fmt::format("'{}'", text.substr(at, std::max<std::size_t>(e - at, 1)));
}

Span token_span(std::string_view text, std::size_t at) {
    std::size_t e = at;
    while (e < text.size() && !is_filter_space(text[e])) ++e;
    return {at, std::max(e, at + 1)};
}

// Words that look like pcap-filter keywords but that libpcap 1.10's scanner lacks (`oamf4s`,
// `oamf4e`, `llc2`): say so instead of reporting a syntax error.
constexpr std::array<std::string_view, 3> kOtherLinkTypes = {"oamf4s", "oamf4e", "llc2"};

std::optional<Diagnostic> not_yet_supported(std::string_view text, std::size_t at) {
    std::size_t e = at;
    while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
    std::string_view word = text.substr(at, e - at);
    if (std::find(kOtherLinkTypes.begin(), kOtherLinkTypes.end(), word) == kOtherLinkTypes.end()) return std::nullopt;
    if (word.starts_with("oamf4"))
        return Diagnostic{{at, e}, fmt::format("'{}' is not supported by sniff", word),
                          "libpcap's words are 'oamf4sc' (segment) and 'oamf4ec' (end-to-end); 'oamf4' (or 'oam') is both F4 flows"};
    return Diagnostic{{at, e}, fmt::format("'{}' is not supported by sniff", word),
                      "libpcap 1.10 has no such keyword either"};
}

std::size_t skip_spaces(std::string_view text, std::size_t at) {
    while (at < text.size() && is_filter_space(text[at])) ++at;
    return at;
}

}  // namespace

bool is_reserved_word(std::string_view w) {
    return std::find(kReserved.begin(), kReserved.end(), w) != kReserved.end() || is_link_keyword(w);
}

std::optional<std::string> keyword_like(std::string_view word) { return nearest(word, kReserved); }

std::expected<ast::Expr, Diagnostic> parse(std::string_view text) {
    // Spirit wants a NUL-terminated buffer for the look-ahead in on_qualified.
    std::string buffer(text);
    Iter begin = buffer.c_str();
    Iter first = begin;
    Iter last = begin + buffer.size();
    ast::Expr result;
    try {
        const std::vector<std::uint8_t> groups = boolean_groups(text);
        auto const parser = x3::with<boolean_groups_tag>(std::cref(groups))[x3::with<begin_tag>(begin)[expr]];
        bool ok = x3::phrase_parse(first, last, parser, x3::char_(" \t\r\n"), result);  // is_filter_space
        std::size_t at = skip_spaces(text, static_cast<std::size_t>(first - begin));
        if (ok && at == text.size()) return result;
        std::string found = token_at(text, at);
        if (auto d = not_yet_supported(text, at)) return std::unexpected(*d);
        if (!ok)
            return std::unexpected(Diagnostic{token_span(text, at), fmt::format("expected a primitive, found {}", found),
                                              "a filter starts with a qualifier and value (host 10.0.0.1, port 53), "
                                              "a protocol (tcp), 'not' or '('"});
        // "hots 10.0.0.1": the word before the surprise is probably a misspelled keyword.
        std::string hint = "join primitives with 'and' or 'or'";
        std::size_t prev_end = at;
        while (prev_end > 0 && is_filter_space(text[prev_end - 1])) --prev_end;
        std::size_t prev_begin = prev_end;
        while (prev_begin > 0 && !is_filter_space(text[prev_begin - 1])) --prev_begin;
        std::string_view previous = text.substr(prev_begin, prev_end - prev_begin);
        const bool word = !previous.empty() && std::isalpha(static_cast<unsigned char>(previous[0]));
        if (auto k = word ? keyword_like(previous) : std::nullopt) {
            return std::unexpected(Diagnostic{{prev_begin, prev_end}, fmt::format("'{}' is not a keyword", previous),
                                              fmt::format("did you mean '{}'?", *k)});
        }
        return std::unexpected(Diagnostic{token_span(text, at), fmt::format("unexpected {}", found), hint});
    } catch (const x3::expectation_failure<Iter>& e) {
        std::size_t at = skip_spaces(text, static_cast<std::size_t>(e.where() - begin));
        if (auto d = not_yet_supported(text, at)) return std::unexpected(*d);
        return std::unexpected(Diagnostic{token_span(text, at),
                                          fmt::format("expected {}, found {}", e.which(), token_at(text, at)), {}});
    } catch (const ParseError& e) {
        return std::unexpected(e.diagnostic);
    }
}

}  // namespace sniff
