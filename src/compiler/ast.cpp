// Small helpers over the syntax tree.
#include "compiler/ast.hpp"

namespace sniff::ast {

Span span_of(const Expr& e) {
    struct Visitor {
        Span operator()(const Primitive& p) const { return p.span; }
        Span operator()(const ProtoAbbrev& p) const { return p.span; }
        Span operator()(const std::shared_ptr<Not>& n) const { return n->span; }
        Span operator()(const std::shared_ptr<Binary>& b) const { return b->span; }
    };
    return std::visit(Visitor{}, e);
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
    }
    return "?";
}

const char* name_of(Kind k) {
    switch (k) {
        case Kind::Host: return "host";
        case Kind::Net: return "net";
        case Kind::Port: return "port";
    }
    return "?";
}

}  // namespace sniff::ast
