// The filter's syntax tree: what the user wrote, with the span of every part, before any meaning.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "compiler/span.hpp"

namespace sniff::ast {

// Protocol qualifiers (the first word of `ip host x`, `tcp port 80`) and protocol keywords used alone.
enum class Proto { Ether, Ip, Ip6, Arp, Rarp, Tcp, Udp, Sctp, Icmp, Icmp6 };
// Direction qualifiers.
enum class Dir { Src, Dst, SrcOrDst, SrcAndDst };
// Type qualifiers: what the value names.
enum class Kind { Host, Net, Port };

template <class T>
struct Spanned {
    T value;
    Span span;
};

struct Qualifiers {
    std::optional<Spanned<Proto>> proto;
    std::optional<Spanned<Dir>> dir;
    std::optional<Spanned<Kind>> kind;
    bool empty() const { return !proto && !dir && !kind; }
};

// A value as written: classified by its lexical shape, meaning comes in lowering.
struct Value {
    enum class Shape { Number, Ipv4, Ipv6, Name };
    Shape shape = Shape::Name;
    std::string text;                     // the address, number or name as written
    Span span;
    std::optional<Spanned<std::string>> prefix;  // "/len" for networks
    std::optional<Spanned<std::string>> mask;    // "mask a.b.c.d"
};

// `[qualifiers] value`. With no qualifiers at all it is an "id" that inherits the
// qualifiers of the primitive before it (libpcap: `host a or b`, `port 80 or 443`).
struct Primitive {
    Qualifiers q;
    Value value;
    Span span;
};

// A protocol keyword on its own: `tcp`, `ip6`, `arp`.
struct ProtoAbbrev {
    Proto proto;
    Span span;
};

struct Not;
struct Binary;
using Expr = std::variant<Primitive, ProtoAbbrev, std::shared_ptr<Not>, std::shared_ptr<Binary>>;

struct Not {
    Expr operand;
    Span span;
};

// `and` and `or` share one precedence and associate to the left (pcap-filter(7)).
struct Binary {
    enum class Op { And, Or };
    Op op;
    Expr lhs;
    Expr rhs;
    Span span;
};

Span span_of(const Expr& e);

const char* name_of(Proto p);
const char* name_of(Kind k);

}  // namespace sniff::ast
