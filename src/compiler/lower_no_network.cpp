// Link types without a network layer libpcap filters on (SS7 MTP2/MTP3, ERF): the primitives that
// need one are refused, as libpcap 1.10 refuses them ("link-layer type filtering not implemented").
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

namespace sniff::lowering {
namespace {

using W = ast::Keyword::Which;

// What libpcap compiles on these link types: the link-level keywords (packet length, packet
// metadata, `byte`, and the SS7 ones, which check their own link type).
bool link_level(W w) {
    switch (w) {
        case W::Less: case W::Greater: case W::Inbound: case W::Outbound: case W::Ifindex:
        case W::ByteEq: case W::ByteLt: case W::ByteGt: case W::ByteAnd: case W::ByteOr:
        case W::WlanType: case W::WlanSubtype: case W::WlanDir:  // refused later as not 802.11
        case W::Fisu: case W::Lssu: case W::Msu: case W::Hfisu: case W::Hlssu: case W::Hmsu:
        case W::Sio: case W::Opc: case W::Dpc: case W::Sls: case W::Hsio: case W::Hopc: case W::Hdpc: case W::Hsls:
        case W::Lane: case W::Oam: case W::Metac: case W::Bcc: case W::Sc: case W::Ilmic: case W::Connectmsg:
        case W::Metaconnect: case W::Vpi: case W::Vci:  // refused as not SunATM
            return true;
        default: return false;
    }
}

// The first accessor in `a` that indexes a protocol above the link layer (`ip[0]`), if any.
const ast::Access* network_access(const ast::Arith& a) {
    if (const auto* acc = std::get_if<std::shared_ptr<ast::Access>>(&a)) {
        const std::string& p = (*acc)->proto;
        const bool link = p == "ether" || p == "link" || p == "wlan" || p == "fddi" || p == "tr" || p == "ppp" ||
                          p == "slip" || p == "radio";
        if (!link) return acc->get();
        return network_access((*acc)->index);
    }
    if (const auto* node = std::get_if<std::shared_ptr<ast::ArithNode>>(&a)) {
        if (const auto* found = network_access((*node)->lhs)) return found;
        return (*node)->op == ast::ArithOp::Neg ? nullptr : network_access((*node)->rhs);
    }
    return nullptr;
}

Diagnostic refuse(const Context& c, Span where) {
    const LinkType& lt = c.layout.link();
    return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", c.text_of(where), lt.name),
                      lt.mtp2_offset ? "SS7 MTP2 frames carry no network layer to filter on; use fisu, lssu, msu, sio, opc, "
                                       "dpc, sls or link[...]"
                                     : fmt::format("{} frames carry no network layer libpcap filters on; use link[...] or len",
                                                   lt.description)};
}

}  // namespace

std::optional<Diagnostic> needs_missing_network_layer(const Context& c, const ast::Expr& e) {
    if (c.layout.field() != ProtocolField::None) return std::nullopt;
    if (const auto* p = std::get_if<ast::Primitive>(&e)) {
        if (p->q.empty()) return std::nullopt;  // a bare value: "needs a qualifier" (only a refused primitive leaves one to inherit)
        // MAC addresses, broadcast and multicast are refused where they are lowered, for want of a MAC header.
        const bool mac = p->q.proto && p->q.proto->value == ast::Proto::Ether && !(p->q.kind && p->q.kind->value == Kind::Protocol);
        if (mac) return std::nullopt;
        return refuse(c, p->span);
    }
    if (const auto* a = std::get_if<ast::ProtoAbbrev>(&e)) {
        if (a->proto == ast::Proto::Ether) return std::nullopt;  // refused as incomplete
        return refuse(c, a->span);
    }
    if (const auto* r = std::get_if<std::shared_ptr<ast::Relation>>(&e)) {
        const ast::Access* acc = network_access((*r)->lhs);
        if (!acc) acc = network_access((*r)->rhs);
        if (acc) return refuse(c, acc->proto_span);
        return std::nullopt;
    }
    if (const auto* k = std::get_if<ast::Keyword>(&e)) {
        if (link_level(k->which)) return std::nullopt;
        Span word = k->span;
        const std::string_view text = c.text.substr(word.begin, word.end - word.begin);
        if (auto space = text.find_first_of(" \t\r\n"); space != std::string_view::npos) word.end = word.begin + space;
        return refuse(c, word);
    }
    return std::nullopt;
}

}  // namespace sniff::lowering
