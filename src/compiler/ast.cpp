// Small helpers over the syntax tree.
#include "compiler/ast.hpp"

namespace sniff::ast {

Span span_of(const Expr& e) {
    struct Visitor {
        Span operator()(const Primitive& p) const { return p.span; }
        Span operator()(const ProtoAbbrev& p) const { return p.span; }
        Span operator()(const std::shared_ptr<Not>& n) const { return n->span; }
        Span operator()(const std::shared_ptr<Binary>& b) const { return b->span; }
        Span operator()(const std::shared_ptr<Relation>& r) const { return r->span; }
        Span operator()(const Keyword& k) const { return k.span; }
        Span operator()(const std::shared_ptr<Group>& g) const { return g->span; }
    };
    return std::visit(Visitor{}, e);
}

Span span_of(const Arith& a) {
    struct Visitor {
        Span operator()(const Number& n) const { return n.span; }
        Span operator()(const NamedConstant& n) const { return n.span; }
        Span operator()(const WireLength& l) const { return l.span; }
        Span operator()(const std::shared_ptr<Access>& x) const { return x->span; }
        Span operator()(const std::shared_ptr<ArithNode>& n) const { return n->span; }
    };
    return std::visit(Visitor{}, a);
}

const char* name_of(Proto p) {
    switch (p) {
        case Proto::Ether: return "ether";
        case Proto::Ip: return "ip";
        case Proto::Ip6: return "ip6";
        case Proto::Arp: return "arp";
        case Proto::Rarp: return "rarp";
        case Proto::Tcp: return "tcp";
        case Proto::Udp: return "udp";
        case Proto::Sctp: return "sctp";
        case Proto::Icmp: return "icmp";
        case Proto::Icmp6: return "icmp6";
        case Proto::Igmp: return "igmp";
        case Proto::Igrp: return "igrp";
        case Proto::Pim: return "pim";
        case Proto::Vrrp: return "vrrp";
        case Proto::Carp: return "carp";
        case Proto::Ah: return "ah";
        case Proto::Esp: return "esp";
        case Proto::Iso: return "iso";
        case Proto::Isis: return "isis";
        case Proto::Decnet: return "decnet";
    }
    return "?";
}

const char* name_of(Kind k) {
    switch (k) {
        case Kind::Host: return "host";
        case Kind::Net: return "net";
        case Kind::Port: return "port";
        case Kind::PortRange: return "portrange";
        case Kind::Protocol: return "proto";
        case Kind::Protochain: return "protochain";
        case Kind::Gateway: return "gateway";
        case Kind::Broadcast: return "broadcast";
        case Kind::Multicast: return "multicast";
    }
    return "?";
}

namespace {

// Detaches the next node of a chain while this one is its only holder, freeing the chain one
// node at a time (each freed node finds its own link already empty).
template <class Node>
void unlink_chain(Expr& link, Expr Node::*next) {
    while (auto* child = std::get_if<std::shared_ptr<Node>>(&link)) {
        if (!*child || child->use_count() != 1) break;
        Expr rest = std::move((**child).*next);
        link = std::move(rest);
    }
}

}  // namespace

Not::~Not() { unlink_chain(operand, &Not::operand); }
Binary::~Binary() { unlink_chain(lhs, &Binary::lhs); }
Group::~Group() { unlink_chain(inner, &Group::inner); }

}  // namespace sniff::ast
