// Parser: the tree shape (precedence, associativity, qualifiers, spans) and syntax errors with positions.
#include <cstring>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/parse.hpp"

namespace {

using namespace sniff;

std::string show(const ast::Expr& e);

std::string show_qualifiers(const ast::Qualifiers& q) {
    std::string out;
    if (q.proto) out += std::string(ast::name_of(q.proto->value)) + " ";
    if (q.dir) {
        const char* names[] = {"src", "dst", "src-or-dst", "src-and-dst"};
        out += std::string(names[static_cast<int>(q.dir->value)]) + " ";
    }
    if (q.kind) out += std::string(ast::name_of(q.kind->value)) + " ";
    return out;
}

std::string show(const ast::Expr& e) {
    if (auto* p = std::get_if<ast::Primitive>(&e)) {
        std::string v = p->value.text;
        if (p->value.prefix) v += "/" + p->value.prefix->value;
        if (p->value.mask) v += " mask " + p->value.mask->value;
        return "[" + show_qualifiers(p->q) + v + "]";
    }
    if (auto* a = std::get_if<ast::ProtoAbbrev>(&e)) return ast::name_of(a->proto);
    if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(&e)) return "(not " + show((*n)->operand) + ")";
    if (auto* g = std::get_if<std::shared_ptr<ast::Group>>(&e)) return show((*g)->inner);
    if (auto* k = std::get_if<ast::Keyword>(&e)) {
        using W = ast::Keyword::Which;
        if (k->which >= W::ByteEq) {
            const char* ops[] = {"=", "<", ">", "&", "|"};
            return fmt::format("(byte {} {} {})", k->arg->text, ops[static_cast<int>(k->which) - static_cast<int>(W::ByteEq)],
                               k->arg2->text);
        }
        return "keyword";
    }
    const auto& b = *std::get<std::shared_ptr<ast::Binary>>(e);
    return fmt::format("({} {} {})", b.op == ast::Binary::Op::And ? "and" : "or", show(b.lhs), show(b.rhs));
}

struct ShapeCase {
    const char* text;
    const char* tree;
};

const ShapeCase kShapes[] = {
    {"tcp", "tcp"},
    {"host 10.0.0.1", "[host 10.0.0.1]"},
    {"  ip   host   10.0.0.1  ", "[ip host 10.0.0.1]"},
    {"tcp port 443", "[tcp port 443]"},
    {"src host 10.0.0.1", "[src host 10.0.0.1]"},
    {"src or dst port 53", "[src-or-dst port 53]"},
    {"src and dst net 10.0.0.0/8", "[src-and-dst net 10.0.0.0/8]"},
    // Negated and parenthesised values after qualifiers (libpcap's `not id` and `paren pid`):
    // the first value takes the qualifiers, the others carry them over.
    {"host not 10.0.0.1", "(not [host 10.0.0.1])"},
    {"port (80 or 443)", "(or [port 80] [443])"},
    {"ip src host (10.0.0.1 and not 10.0.0.2)", "(and [ip src host 10.0.0.1] (not [10.0.0.2]))"},
    {"port ((80) or 443)", "(or [port 80] [443])"},
    {"decnet src 1.1", "[decnet src 1.1]"},
    {"decnet", "keyword"},
    {"udp dst port domain", "[udp dst port domain]"},
    {"net 10.0.0.0 mask 255.0.0.0", "[net 10.0.0.0 mask 255.0.0.0]"},
    {"net 2001:db8::/32", "[net 2001:db8::/32]"},
    {"host ::1", "[host ::1]"},
    {"src 10.0.0.1", "[src 10.0.0.1]"},
    // and/or share one precedence and associate left (pcap-filter(7)).
    {"tcp or udp and icmp", "(and (or tcp udp) icmp)"},
    {"tcp and udp or icmp", "(or (and tcp udp) icmp)"},
    {"tcp or (udp and icmp)", "(or tcp (and udp icmp))"},
    {"not tcp and udp", "(and (not tcp) udp)"},
    {"! tcp && udp || icmp", "(or (and (not tcp) udp) icmp)"},
    {"not not arp", "(not (not arp))"},
    // Bare values: qualifiers come later, from lowering.
    {"port 80 or 443", "(or [port 80] [443])"},
    {"host a-b.example and not c_d", "(and [host a-b.example] (not [c_d]))"},
    {"((ip))", "ip"},
    // Issue 12: libpcap's mirrored directions, the byte primitive, /128 hosts, short netmasks.
    {"dst or src port 53", "[src-or-dst port 53]"},
    {"dst and src net 10.0.0.0/8", "[src-and-dst net 10.0.0.0/8]"},
    {"tcp dst or src 10.0.0.1 or 10.0.0.2", "(or [tcp src-or-dst 10.0.0.1] [10.0.0.2])"},
    {"byte 8 = 5", "(byte 8 = 5)"},
    {"byte 8 == 5", "(byte 8 = 5)"},
    {"byte 0x8<5", "(byte 0x8 < 5)"},
    {"byte 8 > 010", "(byte 8 > 010)"},
    {"byte 0 & 0xf0", "(byte 0 & 0xf0)"},
    {"byte 0|1 or tcp", "(or (byte 0 | 1) tcp)"},
    {"not byte 0 = 1", "(not (byte 0 = 1))"},
    {"host ::1/128", "[host ::1/128]"},
    {"net 192.168 mask 255.255", "[net 192.168 mask 255.255]"},
    {"ether dst abcdef000003", "[ether dst abcdef000003]"},
    // `iso` and `isis` qualify `proto` (carried over like any qualifier); alone they are keywords.
    {"iso proto \\clnp", "[iso proto \\clnp]"},
    {"isis proto 0x1a or 0x18", "(or [isis proto 0x1a] [0x18])"},
    {"is-is proto 20", "[isis proto 20]"},
    {"iso or isis", "(or keyword keyword)"},
    {"iso and proto 5", "(and keyword [proto 5])"},
    {"llc ui or llc", "(or keyword keyword)"},
    {"llc and stp", "(and keyword keyword)"},
    {"(llc)", "keyword"},
    {"l1 or l2 or iih or lsp or snp or csnp or psnp", "(or (or (or (or (or (or keyword keyword) keyword) keyword) keyword) keyword) keyword)"},
};

TEST(Parser, BuildsTheExpectedTree) {
    for (const auto& c : kShapes) {
        auto r = parse(c.text);
        ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().message;
        EXPECT_EQ(show(*r), c.tree) << c.text;
    }
}

TEST(Parser, PrimitiveSpansCoverTheirText) {
    const std::string text = "tcp and  src host 10.0.0.1";
    auto r = parse(text);
    ASSERT_TRUE(r.has_value());
    const auto& b = *std::get<std::shared_ptr<ast::Binary>>(*r);
    const auto& p = std::get<ast::Primitive>(b.rhs);
    EXPECT_EQ(text.substr(p.span.begin, p.span.end - p.span.begin), "src host 10.0.0.1");
    EXPECT_EQ(text.substr(p.value.span.begin, p.value.span.end - p.value.span.begin), "10.0.0.1");
    EXPECT_EQ(text.substr(p.q.dir->span.begin, p.q.dir->span.end - p.q.dir->span.begin), "src");
    EXPECT_EQ(ast::span_of(*r), (Span{0, text.size()}));
}

struct ErrorCase {
    const char* text;
    std::size_t column;       // 1-based, as printed
    const char* message_part;
};

const ErrorCase kErrors[] = {
    {"tcp port", 9, "expected a port number or name after 'port'"},
    {"tcp port and host 10.0.0.1", 10, "expected a port number or name after 'port'"},
    {"host", 5, "expected a host address or name after 'host'"},
    {"net and tcp", 5, "expected a network"},
    {"src", 4, "expected 'host', 'net', 'port' or an address"},
    // Issue 12's third increment: libpcap's grammar has no direction before proto or protochain,
    // and its scanner reads "10" as a number, which takes no prefix length or mask.
    {"src proto 1", 1, "'src' cannot qualify 'proto'"},
    {"ip dst protochain \\tcp", 4, "'dst' cannot qualify 'protochain'"},
    {"src or dst proto \\udp", 1, "'src or dst' cannot qualify 'proto'"},
    {"net 10/8", 5, "'10' is a number, not an address: a prefix length needs a dotted address"},
    {"net 10 mask 255.0.0.0", 5, "a netmask needs a dotted address"},
    {"src net 0x0a000000/8", 9, "is a number, not an address"},
    {"host (10.0.0.1 or port 80)", 19, "expected a value, 'not' or '('"},
    {"host ((10.0.0.1) or 10.0.0.2)", 6, "expected a host address"},
    {"host 10.0.0.1 and", 18, "after the operator, found end of expression"},
    {"(tcp or udp", 12, "expected ')'"},
    {"port 80 443", 9, "unexpected '443'"},
    {"tcp )", 5, "unexpected ')'"},
    {"and tcp", 1, "expected a primitive, found 'and'"},
    {"net 10.0.0.0/", 14, "a prefix length after '/'"},
    {"net 10.0.0.0 mask", 18, "a netmask after 'mask'"},
    {"not", 4, "found end of expression"},
    {"dst or src", 11, "expected 'host', 'net', 'port' or an address"},
    {"dst and", 5, "expected 'host', 'net', 'port' or an address"},
    {"length", 1, "expected a primitive, found 'length'"},
    {"host length", 6, "expected a host address or name after 'host'"},
    // libpcap's byteop is one of = < > & |; `<=`, `!=`, `&&` and the rest are other tokens there.
    {"byte 8 != 5", 8, "expected '=', '<', '>', '&' or '|', found '!='"},
    {"byte 8 <= 5", 8, "expected '=', '<', '>', '&' or '|', found '<='"},
    {"byte 8 >> 5", 8, "expected '=', '<', '>', '&' or '|'"},
    {"byte 8 && 5", 8, "expected '=', '<', '>', '&' or '|'"},
    {"byte 8", 7, "found end of expression"},
    {"byte = 5", 6, "expected a number, found '='"},
    {"byte 8 = len", 10, "expected a number, found 'len'"},
    {"byte 8 = -1", 10, "expected a number"},
    {"host byte", 6, "expected a host address or name after 'host'"},
    // `llc` takes a frame kind name, not a number or another keyword (libpcap's `LLC ID`).
    {"llc 5", 5, "unexpected '5'"},
    {"llc host 1.2.3.4", 5, "unexpected 'host'"},
    // `iso`/`isis` qualify only `proto`; `esis proto` and the rest are refused by libpcap too.
    {"iso host 1.2.3.4", 5, "unexpected 'host'"},
    {"esis proto 1", 6, "unexpected 'proto'"},
    {"iso proto", 10, "expected a protocol number or name after 'proto'"},
    {"iso proto clnp", 11, "expected a protocol number or name after 'proto'"},
    {"host lsp", 6, "expected a host address or name after 'host'"},
    {"llc[0] = 1", 4, "unexpected '[0]'"},
};

TEST(Parser, SyntaxErrorsPointAtTheProblem) {
    for (const auto& c : kErrors) {
        auto r = parse(c.text);
        ASSERT_FALSE(r.has_value()) << c.text << " parsed as " << show(*r);
        EXPECT_EQ(r.error().span.begin + 1, c.column) << c.text << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.text << ": " << r.error().message;
    }
}

TEST(Parser, ReservedWordsAreNotNames) {
    EXPECT_TRUE(is_reserved_word("port"));
    EXPECT_TRUE(is_reserved_word("and"));
    EXPECT_FALSE(is_reserved_word("example"));
    EXPECT_FALSE(parse("host port").has_value());
    EXPECT_TRUE(is_reserved_word("length"));
    EXPECT_TRUE(is_reserved_word("byte"));
    for (const char* w : {"l1", "l2", "iih", "lsp", "snp", "csnp", "psnp"}) EXPECT_TRUE(is_reserved_word(w)) << w;
}

// `llc KIND` keeps the kind's span, for the error on an unknown name; `llc rnr` takes pf's keyword.
TEST(Parser, LlcFrameKindSpansItsName) {
    for (const char* kind : {"ui", "rnr", "RR", "foo"}) {
        const std::string text = fmt::format("tcp or llc  {}", kind);
        auto r = parse(text);
        ASSERT_TRUE(r.has_value()) << text << ": " << r.error().message;
        const auto& k = std::get<ast::Keyword>(std::get<std::shared_ptr<ast::Binary>>(*r)->rhs);
        EXPECT_EQ(k.which, ast::Keyword::Which::Llc);
        ASSERT_TRUE(k.arg.has_value()) << text;
        EXPECT_EQ(k.arg->text, kind);
        EXPECT_EQ(k.arg->span, (Span{12, 12 + std::strlen(kind)}));
        EXPECT_EQ(k.span, (Span{7, text.size()}));
    }
}

// The byte primitive keeps the spans of its offset and value, for errors in lowering.
TEST(Parser, BytePrimitiveSpansItsNumbers) {
    const std::string text = "tcp and byte 8 = 8";
    auto r = parse(text);
    ASSERT_TRUE(r.has_value());
    const auto& k = std::get<ast::Keyword>(std::get<std::shared_ptr<ast::Binary>>(*r)->rhs);
    auto piece = [&](Span s) { return text.substr(s.begin, s.end - s.begin); };
    EXPECT_EQ(piece(k.span), "byte 8 = 8");
    EXPECT_EQ(k.arg->span, (Span{13, 14}));
    EXPECT_EQ(k.arg2->span, (Span{17, 18}));
}

TEST(Diagnostic, RendersColumnCaretAndHint) {
    Diagnostic d{{9, 12}, "expected a port number or name after 'port'", "ports are 0..65535"};
    EXPECT_EQ(render(d, "tcp port and host 10.0.0.1"),
              "filter error at column 10: expected a port number or name after 'port'\n"
              "  tcp port and host 10.0.0.1\n"
              "           ^~~\n"
              "  hint: ports are 0..65535\n");
}

}  // namespace
