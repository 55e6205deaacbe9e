// The filter's syntax tree: what the user wrote, with the span of every part, before any meaning.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "compiler/span.hpp"

namespace sniff::ast {

// Protocol qualifiers (the first word of `ip host x`, `tcp port 80`) and protocol keywords used alone.
// Iso and Isis qualify only `proto` (`iso proto \clnp`, `isis proto 0x1a`); alone they are LAN keywords.
// Decnet qualifies addresses only (`decnet host 1.1`); alone it is a LAN keyword too.
enum class Proto { Ether, Ip, Ip6, Arp, Rarp, Tcp, Udp, Sctp, Icmp, Icmp6, Igmp, Igrp, Pim, Vrrp, Carp, Ah, Esp, Iso, Isis, Decnet };
// Direction qualifiers; the last six name 802.11 address fields (`wlan ra 00:11:22:33:44:55`).
enum class Dir { Src, Dst, SrcOrDst, SrcAndDst, Ra, Ta, Addr1, Addr2, Addr3, Addr4 };
inline bool is_wlan_dir(Dir d) { return d >= Dir::Ra; }
// Type qualifiers: what the value names.
enum class Kind { Host, Net, Port, PortRange, Protocol, Protochain, Gateway, Broadcast, Multicast };

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

// ---- arithmetic (`tcp[13] & 2 != 0`, `len > 100`) ----

struct Number {
    std::string text;  // as written: decimal, 0x hex or 0-prefixed octal
    Span span;
};
// A named constant: tcpflags, tcp-syn, icmptype, icmp-echo, icmp6type…
struct NamedConstant {
    std::string name;
    Span span;
};
struct WireLength {
    Span span;
};
struct Access;
struct ArithNode;
using Arith = std::variant<Number, NamedConstant, WireLength, std::shared_ptr<Access>, std::shared_ptr<ArithNode>>;

// proto[index] or proto[index:size]
struct Access {
    std::string proto;
    Span proto_span;
    Arith index;
    unsigned size = 1;      // 0 when the size written is not a number
    std::string size_text;  // the size as written (decimal, 0x hex or 0 octal, as libpcap's NUM)
    Span size_span;
    Span span;
};

enum class ArithOp { Add, Sub, Mul, Div, Mod, And, Or, Xor, Lsh, Rsh, Neg };

struct ArithNode {
    ArithOp op;
    Arith lhs;
    Arith rhs;  // unused for Neg
    Span span;
};

enum class RelOp { Eq, Ne, Gt, Ge, Lt, Le };

struct Relation {
    RelOp op;
    Arith lhs;
    Arith rhs;
    Span span;
};

// Keyword primitives with an optional argument: less N, greater N, vlan [N], mpls [N], pppoed,
// pppoes [N], inbound, outbound, ifindex N, the LAN protocols (`llc` with an optional frame kind in
// arg: `llc ui`), the IS-IS PDU types, 802.11's type/subtype/dir, and `byte N op V`.
struct Keyword {
    enum class Which {
        Less, Greater, Vlan, Mpls, Pppoed, Pppoes, Inbound, Outbound, Ifindex,
        // Link-layer protocols of old LANs: 802.2 LLC and SNAP on Ethernet, or plain EtherTypes.
        Llc, Stp, Ipx, Netbeui, Iso, Esis, Isis, Clnp, Atalk, Aarp, Decnet, Lat, Sca, Moprc, Mopdl,
        // IS-IS PDU types by level and kind: l1, l2, iih, lsp, snp, csnp, psnp.
        IsisL1, IsisL2, IsisIih, IsisLsp, IsisSnp, IsisCsnp, IsisPsnp,
        // 802.11 frame control: `type T [subtype S]`, `subtype S`, `dir D` (names or numbers, as written).
        WlanType, WlanSubtype, WlanDir,
        Geneve,  // `geneve [vni]`
        // The old byte primitive `byte N op V`: the offset in arg, the value in arg2.
        ByteEq, ByteLt, ByteGt, ByteAnd, ByteOr,
        // OpenBSD pf log fields (PFLOG only): `on`/`ifname` NAME, `rset`/`ruleset` NAME,
        // `rnr`/`rulenum` N, `srnr`/`subrulenum` N, `reason` NAME|N, `action` NAME; arg as written.
        PfIfname, PfRuleset, PfRulenum, PfSubrulenum, PfReason, PfAction,
        // SS7 (Q.703, Q.704): MTP2 signal unit types, and MTP3 routing label fields compared with
        // the number in arg by `relop` (`opc > 5`); the `h` forms for high-speed links (Q.703 Annex A).
        Fisu, Lssu, Msu, Hfisu, Hlssu, Hmsu, Sio, Opc, Dpc, Sls, Hsio, Hopc, Hdpc, Hsls,
        // SunATM: `lane` (and what follows is LANE-encapsulated Ethernet), the well-known virtual
        // circuits (`oam`, `metac`, `bcc`, `sc`, `ilmic`), signalling messages on two of them
        // (`connectmsg`, `metaconnect`), and `vpi`/`vci` compared with arg like the SS7 fields.
        Lane, Oam, Oamf4sc, Oamf4ec, Metac, Bcc, Sc, Ilmic, Connectmsg, Metaconnect, Vpi, Vci
    };
    Which which;
    std::optional<Number> arg;
    std::optional<Number> arg2;  // the subtype of `type T subtype S`, the value of `byte N op V`
    Span span;
    RelOp relop = RelOp::Eq;  // how the link-layer fields (`opc > 5`) compare with arg
};

struct Not;
struct Binary;
struct Group;
using Expr = std::variant<Primitive, ProtoAbbrev, std::shared_ptr<Not>, std::shared_ptr<Binary>, std::shared_ptr<Relation>,
                          Keyword, std::shared_ptr<Group>>;

// Chains of `not` and of `and`/`or` are as deep as they are long; the destructors take them
// apart one node at a time, so a 100,000-term list costs no stack to free.
struct Not {
    Expr operand;
    Span span;
    ~Not();
};

// A parenthesised expression. Inside, a bare value takes the qualifiers from before the '('; after
// the ')', so does the next one, whatever the group held (libpcap's `paren expr ')'` passes on the
// qualifiers it was given): `tcp port 80 or (udp port 53) or 123` ends with `tcp port 123`.
struct Group {
    Expr inner;
    Span span;  // from '(' to ')'
    ~Group();
};

// `and` and `or` share one precedence and associate to the left (pcap-filter(7)).
struct Binary {
    enum class Op { And, Or };
    Op op;
    Expr lhs;
    Expr rhs;
    Span span;
    ~Binary();
};

Span span_of(const Expr& e);
Span span_of(const Arith& a);

const char* name_of(Proto p);
const char* name_of(Kind k);

}  // namespace sniff::ast
