// Lowering of primitives to IR predicates. Each builder mirrors what libpcap's gencode emits,
// including the order of tests (a load past the captured bytes rejects, so order is meaning).
#include "compiler/lower.hpp"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <optional>

#include "compiler/layout.hpp"
#include "compiler/lower_arith.hpp"
#include "compiler/names.hpp"
#include "compiler/parse.hpp"

namespace sniff {
namespace {

using ast::Dir;
using ast::Kind;
using ast::Proto;
using Result = std::expected<ir::Pred, Diagnostic>;

ir::Pred by_direction(Dir dir, const std::function<ir::Pred(bool src)>& side) {
    switch (dir) {
        case Dir::Src: return side(true);
        case Dir::Dst: return side(false);
        case Dir::SrcOrDst: return ir::any({side(true), side(false)});
        case Dir::SrcAndDst: return ir::all({side(true), side(false)});
    }
    return false;
}

// Linux ancillary fields (SKF_AD_OFF + n), loaded like packet bytes.
constexpr std::uint32_t kAncillaryPktType = 0xfffff004, kAncillaryIfindex = 0xfffff008;

ir::Pred masked_word_eq(std::uint32_t offset, std::uint32_t value, std::uint32_t mask) {
    // Nothing to compare (a /0 prefix): no load, as libpcap's optimiser leaves it.
    if (mask == 0) return true;
    if (mask == 0xffffffffu) return ir::eq(ir::load(offset, 4), value);
    return ir::eq(ir::arith(ir::ArithOp::And, ir::load(offset, 4), ir::constant(mask)), value & mask);
}

class Lowering {
public:
    explicit Lowering(const LinkType& lt) : layout_(lt) {}

    // `carry`: the qualifiers a bare value after and/or/not takes (libpcap's $<blk>0.q);
    // empty after a protocol keyword alone, where a bare value is a syntax error.
    Result expr(const ast::Expr& e, std::optional<ast::Qualifiers>& carry) {
        if (auto* p = std::get_if<ast::Primitive>(&e)) {
            if (!p->q.empty()) carry = p->q;
            if (!carry) {
                if (auto k = keyword_like(p->value.text))
                    return error(p->value.span, fmt::format("'{}' is not a keyword", p->value.text), fmt::format("did you mean '{}'?", *k));
                return error(p->value.span, fmt::format("'{}' needs a qualifier", p->value.text),
                             fmt::format("write 'host {0}', 'net {0}' or 'port {0}'", p->value.text));
            }
            return primitive(*carry, p->value);
        }
        if (auto* a = std::get_if<ast::ProtoAbbrev>(&e)) {
            carry.reset();
            if (a->proto == Proto::Ether)
                return error(a->span, "'ether' needs what follows it: 'ether host', 'ether src', 'ether proto'...");
            return layout_.proto_abbrev(a->proto);
        }
        if (auto* n = std::get_if<std::shared_ptr<ast::Not>>(&e)) {
            auto r = expr((*n)->operand, carry);
            if (!r) return r;
            return ir::negate(std::move(*r));
        }
        if (auto* r = std::get_if<std::shared_ptr<ast::Relation>>(&e)) {
            carry.reset();  // `tcp[0] = 1 and 2` is a syntax error in libpcap
            return lower_relation(**r, layout_);
        }
        if (auto* k = std::get_if<ast::Keyword>(&e)) {
            carry.reset();
            return keyword(*k);
        }
        const auto& b = *std::get<std::shared_ptr<ast::Binary>>(e);
        auto l = expr(b.lhs, carry);
        if (!l) return l;
        auto r = expr(b.rhs, carry);
        if (!r) return r;
        return b.op == ast::Binary::Op::And ? ir::all({std::move(*l), std::move(*r)})
                                            : ir::any({std::move(*l), std::move(*r)});
    }

private:
    Result primitive(const ast::Qualifiers& q, const ast::Value& v) {
        Dir dir = q.dir ? q.dir->value : Dir::SrcOrDst;
        Kind kind = q.kind ? q.kind->value : (v.prefix || v.mask ? Kind::Net : Kind::Host);
        if ((v.prefix || v.mask) && kind != Kind::Net)
            return error(v.prefix ? v.prefix->span : v.mask->span,
                         fmt::format("a network mask is only allowed with 'net', not '{}'", ast::name_of(kind)),
                         fmt::format("write 'net {}'", v.text));
        switch (kind) {
            case Kind::Broadcast: return broadcast(q);
            case Kind::Multicast: return multicast(q);
            case Kind::Protocol: return protocol(q, v);
            default: break;
        }
        if (q.proto && q.proto->value == Proto::Ether) return ether_host(q, dir, kind, v);
        switch (kind) {
            case Kind::Port: return port(q, dir, v);
            case Kind::PortRange: return port_range(q, dir, v);
            case Kind::Host:
            case Kind::Net: return address(q, dir, kind, v);
            default: break;
        }
        return false;
    }

    // ---- link layer ----

    std::optional<Diagnostic> need_ethernet(Span where, std::string_view what) const {
        if (layout_.link().ethernet_header) return std::nullopt;
        return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", what, layout_.link().name),
                          "it needs Ethernet frames (EN10MB)"};
    }

    // Six bytes at `offset`: the last four as a word first, then the first two (libpcap's order).
    static ir::Pred mac_at(std::uint32_t offset, const std::array<std::uint8_t, 6>& m) {
        std::uint32_t tail = (std::uint32_t{m[2]} << 24) | (m[3] << 16) | (m[4] << 8) | m[5];
        std::uint32_t head = (std::uint32_t{m[0]} << 8) | m[1];
        return ir::all({ir::eq(ir::load(offset + 2, 4), tail), ir::eq(ir::load(offset, 2), head)});
    }

    Result ether_host(const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
        if (auto e = need_ethernet(q.proto->span, "ether host")) return std::unexpected(*e);
        if (kind != Kind::Host)
            return error(q.kind ? q.kind->span : v.span, fmt::format("'ether' cannot qualify '{}'", ast::name_of(kind)),
                         "write 'ether host', 'ether src' or 'ether dst' with a MAC address");
        auto mac = names::parse_mac(v.text);
        if (!mac) {
            auto known = names::resolve_ether(v.text);
            if (!known) return error(v.span, fmt::format("'{}' is not a MAC address or a name in /etc/ethers", v.text),
                                     "write it as 00:11:22:33:44:55");
            mac = known;
        }
        return by_direction(dir, [&](bool src) { return mac_at(src ? 6 : 0, *mac); });
    }

    Result broadcast(const ast::Qualifiers& q) {
        if (!q.proto || q.proto->value == Proto::Ether) {
            Span where = q.proto ? q.proto->span : q.kind->span;
            if (auto e = need_ethernet(where, "broadcast")) return std::unexpected(*e);
            return mac_at(0, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
        }
        if (q.proto->value == Proto::Ip)
            return error(q.proto->span, "netmask not known, so 'ip broadcast' not supported",
                         "libpcap needs the capture interface's netmask for this; write the broadcast address, e.g. 'ip dst host 10.0.0.255'");
        return error(q.proto->span, fmt::format("'{}' cannot qualify 'broadcast'", ast::name_of(q.proto->value)),
                     "write 'ether broadcast' or 'ip broadcast'");
    }

    Result multicast(const ast::Qualifiers& q) {
        if (!q.proto || q.proto->value == Proto::Ether) {
            Span where = q.proto ? q.proto->span : q.kind->span;
            if (auto e = need_ethernet(where, "multicast")) return std::unexpected(*e);
            return ir::cmp(ir::CmpOp::AnySet, ir::load(0, 1), ir::constant(1));  // group bit of the destination
        }
        if (q.proto->value == Proto::Ip)  // 224.0.0.0/4 and above, as libpcap tests it
            return ir::all({layout_.ip(), ir::cmp(ir::CmpOp::Ge, ir::load(layout_.nl(16), 1), ir::constant(224))});
        if (q.proto->value == Proto::Ip6) return ir::all({layout_.ip6(), ir::eq(ir::load(layout_.nl(24), 1), 255)});
        return error(q.proto->span, fmt::format("'{}' cannot qualify 'multicast'", ast::name_of(q.proto->value)),
                     "write 'ether multicast', 'ip multicast' or 'ip6 multicast'");
    }

    // `proto N`, `ip proto N`, `ip6 proto N`, `ether proto N`.
    Result protocol(const ast::Qualifiers& q, const ast::Value& v) {
        std::string name = v.text;
        if (!name.empty() && name[0] == '\\') name.erase(0, 1);  // `ip proto \tcp`: keywords escaped
        std::optional<std::uint32_t> number;
        if (v.shape == ast::Value::Shape::Number) {
            auto n = names::parse_number(v.text);
            if (!n.value) return error(v.span, n.error);
            number = n.value;
        }
        bool ether = q.proto && q.proto->value == Proto::Ether;
        if (ether) {
            // `ether proto` names the link layer's protocol field on any link type (libpcap's gen_linktype).
            if (!number) {
                static const std::pair<const char*, std::uint32_t> names[] = {
                    {"ip", kEtherIp}, {"ip6", kEtherIp6}, {"arp", kEtherArp}, {"rarp", kEtherRarp}};
                for (auto [n, t] : names)
                    if (name == n) number = t;
                if (!number) return error(v.span, fmt::format("unknown ether protocol '{}'", name), "give the EtherType as a number, e.g. 0x88cc");
            }
            if (*number > 0xffff) return error(v.span, fmt::format("EtherType {} does not fit in 16 bits", *number));
            if (*number <= 1500) {
                // An 802.2 SAP, on Ethernet's 802.3 frames.
                if (auto e = need_ethernet(v.span, "ether proto with an LLC SAP")) return std::unexpected(*e);
                // The SAPs with keywords of their own mean those keywords (IPX also has an EtherType).
                if (*number == 0xe0) return lan_protocol(ast::Keyword::Which::Ipx);
                return ir::all({layout_.is_802_3(), llc_sap(*number)});
            }
            return layout_.ethertype(static_cast<std::uint16_t>(*number));
        }
        if (!number) {
            auto p = names::resolve_protocol(name);
            if (!p) return error(v.span, fmt::format("unknown IP protocol '{}'", name), "names come from /etc/protocols; numbers work too");
            number = p;
        }
        if (*number > 255) return error(v.span, fmt::format("IP protocol {} is out of range", *number), "protocols are 0..255");
        auto p = static_cast<std::uint8_t>(*number);
        if (!q.proto) return ir::any({layout_.ip_proto(p), layout_.ip6_proto(p)});
        if (q.proto->value == Proto::Ip) return layout_.ip_proto(p);
        if (q.proto->value == Proto::Ip6) return layout_.ip6_proto(p);
        return error(q.proto->span, fmt::format("'{}' cannot qualify 'proto'", ast::name_of(q.proto->value)),
                     "write 'ip proto', 'ip6 proto' or 'ether proto'");
    }

    static const char* keyword_name(ast::Keyword::Which w) {
        using W = ast::Keyword::Which;
        switch (w) {
            case W::Llc: return "llc";
            case W::Stp: return "stp";
            case W::Ipx: return "ipx";
            case W::Netbeui: return "netbeui";
            case W::Iso: return "iso";
            case W::Esis: return "esis";
            case W::Isis: return "isis";
            case W::Clnp: return "clnp";
            case W::Atalk: return "atalk";
            case W::Aarp: return "aarp";
            default: return "this keyword";
        }
    }

    // 802.2 LLC and SNAP tests on Ethernet, in libpcap's order (gen_llc_linktype, gen_snap).
    ir::Pred llc_byte(std::uint32_t off, std::uint32_t v) const { return ir::eq(ir::load(layout_.nl(off), 1), v); }
    ir::Pred llc_half(std::uint32_t off, std::uint32_t v) const { return ir::eq(ir::load(layout_.nl(off), 2), v); }
    // SNAP: AA AA 03, a 3-byte OUI and a 2-byte type; compared as the last word, then the first.
    ir::Pred snap(std::uint32_t oui, std::uint16_t type) const {
        return ir::all({ir::eq(ir::load(layout_.nl(4), 4), (((oui >> 8) & 0xff) << 24) | ((oui & 0xff) << 16) | type),
                        ir::eq(ir::load(layout_.nl(0), 4), 0xaaaa0300u | (oui >> 16))});
    }

    ir::Pred llc_sap(std::uint32_t sap) const {
        switch (sap) {
            case 0xfe: return llc_half(0, 0xfefe);  // ISO: both SAPs
            case 0xf0: return llc_half(0, 0xf0f0);  // NetBEUI: both SAPs
            case 0xe0:  // IPX: SNAP, 802.2, or "raw 802.3" (0xffff checksum)
                return ir::any({snap(0, 0x8137), llc_byte(0, 0xe0), llc_half(0, 0xffff)});
            default: return llc_byte(0, sap);
        }
    }

    ir::Pred lan_protocol(ast::Keyword::Which w) const {
        using W = ast::Keyword::Which;
        const ir::Pred on_802_3 = layout_.is_802_3();
        switch (w) {
            case W::Llc: return ir::all({on_802_3, ir::negate(llc_half(0, 0xffff))});
            case W::Stp: return ir::all({on_802_3, llc_byte(0, 0x42)});
            case W::Netbeui: return ir::all({on_802_3, llc_sap(0xf0)});
            case W::Iso: return ir::all({on_802_3, llc_sap(0xfe)});
            case W::Esis: return ir::all({on_802_3, llc_sap(0xfe), llc_byte(3, 0x82)});
            case W::Isis: return ir::all({on_802_3, llc_sap(0xfe), llc_byte(3, 0x83)});
            case W::Clnp: return ir::all({on_802_3, llc_sap(0xfe), llc_byte(3, 0x81)});
            case W::Ipx: return ir::any({layout_.ethertype(0x8137), ir::all({on_802_3, llc_sap(0xe0)})});
            case W::Atalk: return ir::any({layout_.ethertype(0x809b), ir::all({on_802_3, snap(0x080007, 0x809b)})});
            case W::Aarp: return ir::any({layout_.ethertype(0x80f3), ir::all({on_802_3, snap(0, 0x80f3)})});
            default: break;
        }
        return false;
    }

    Result keyword(const ast::Keyword& k) {
        std::optional<std::uint32_t> n;
        if (k.arg) {
            auto v = names::parse_number(k.arg->text);
            if (!v.value) return error(k.arg->span, v.error);
            n = v.value;
        }
        switch (k.which) {
            case ast::Keyword::Which::Less: return ir::negate(ir::cmp(ir::CmpOp::Gt, ir::WireLength{}, ir::constant(*n)));
            case ast::Keyword::Which::Greater: return ir::cmp(ir::CmpOp::Ge, ir::WireLength{}, ir::constant(*n));
            case ast::Keyword::Which::Vlan: {
                if (auto e = need_ethernet(k.span, "vlan")) return std::unexpected(*e);
                if (layout_.mpls_depth() > 0) return error(k.span, "no VLAN match after MPLS", "put 'vlan' before 'mpls'");
                if (n && *n > 4095) return error(k.arg->span, fmt::format("VLAN id {} is out of range", *n), "VLAN ids are 0..4095");
                // 802.1Q, 802.1ad or the old QinQ EtherType, then (optionally) the 12-bit id.
                std::vector<ir::Pred> terms = {ir::any({layout_.ethertype(0x8100), layout_.ethertype(0x88a8), layout_.ethertype(0x9100)})};
                if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(layout_.nl(0), 2), ir::constant(0x0fff)), *n));
                layout_.skip_vlan_tag();
                return ir::all(std::move(terms));
            }
            case ast::Keyword::Which::Mpls: {
                if (n && *n > 0xfffff) return error(k.arg->span, fmt::format("MPLS label {} is out of range", *n), "labels are 0..1048575");
                std::vector<ir::Pred> terms;
                if (layout_.mpls_depth() == 0) {
                    // The first label: the link layer says MPLS (unicast).
                    const int dlt = layout_.link().dlt;
                    if (dlt != 1 && dlt != 104 && dlt != 9)
                        return error(k.span, fmt::format("'mpls' is not supported on link type {}", layout_.link().name));
                    terms.push_back(layout_.ethertype(dlt == 9 ? 0x0281 : 0x8847));
                } else {
                    // A label below another: the one above is not the bottom of the stack.
                    terms.push_back(ir::negate(ir::cmp(ir::CmpOp::AnySet, ir::load(layout_.nl(0) - 2, 1), ir::constant(1))));
                }
                if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(layout_.nl(0), 4), ir::constant(0xfffff000)), *n << 12));
                layout_.skip_mpls_label();
                return ir::all(std::move(terms));
            }
            case ast::Keyword::Which::Pppoed: return layout_.ethertype(0x8863);
            case ast::Keyword::Which::Pppoes: {
                if (n && *n > 0xffff) return error(k.arg->span, fmt::format("PPPoE session id {} is out of range", *n), "ids are 0..65535");
                std::vector<ir::Pred> terms = {layout_.ethertype(0x8864)};
                if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(layout_.nl(0), 4), ir::constant(0xffff)), *n));
                layout_.enter_pppoe_session();
                return ir::all(std::move(terms));
            }
            case ast::Keyword::Which::Inbound:
            case ast::Keyword::Which::Outbound: {
                // Linux packet type 4 is PACKET_OUTGOING: in the cooked header, else the kernel's
                // ancillary field (which only a live capture has; offline it never matches).
                const int dlt = layout_.link().dlt;
                ir::Value type = dlt == 113 ? ir::load(0, 2) : dlt == 276 ? ir::load(10, 1) : ir::load(kAncillaryPktType, 2);
                ir::Pred outgoing = ir::eq(type, 4);
                return k.which == ast::Keyword::Which::Outbound ? outgoing : ir::negate(outgoing);
            }
            case ast::Keyword::Which::Llc:
            case ast::Keyword::Which::Stp:
            case ast::Keyword::Which::Ipx:
            case ast::Keyword::Which::Netbeui:
            case ast::Keyword::Which::Iso:
            case ast::Keyword::Which::Esis:
            case ast::Keyword::Which::Isis:
            case ast::Keyword::Which::Clnp:
            case ast::Keyword::Which::Atalk:
            case ast::Keyword::Which::Aarp:
                if (auto e = need_ethernet(k.span, keyword_name(k.which))) return std::unexpected(*e);
                return lan_protocol(k.which);
            case ast::Keyword::Which::Decnet: return layout_.ethertype(0x6003);
            case ast::Keyword::Which::Lat: return layout_.ethertype(0x6004);
            case ast::Keyword::Which::Sca: return layout_.ethertype(0x6007);
            case ast::Keyword::Which::Moprc: return layout_.ethertype(0x6002);
            case ast::Keyword::Which::Mopdl: return layout_.ethertype(0x6001);
            case ast::Keyword::Which::Ifindex:
                if (layout_.link().dlt == 276) return ir::eq(ir::load(4, 4), *n);
                return ir::eq(ir::load(kAncillaryIfindex, 4), *n);
        }
        return false;
    }

    // ---- ports ----

    Result port(const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
        std::optional<Proto> proto;
        if (q.proto) {
            Proto p = q.proto->value;
            if (p != Proto::Tcp && p != Proto::Udp && p != Proto::Sctp)
                return error(q.proto->span, fmt::format("'{}' cannot qualify 'port'", ast::name_of(p)),
                             "ports belong to tcp, udp or sctp: write e.g. 'tcp port 80', or 'port 80' for all three");
            proto = p;
        }
        if (v.shape == ast::Value::Shape::Number) {
            auto n = names::parse_number(v.text);
            if (!n.value) return error(v.span, n.error);
            if (*n.value > 65535)
                return error(v.span, fmt::format("port number {} is out of range", *n.value), "ports are 0..65535");
            return port_pred(proto, dir, static_cast<std::uint16_t>(*n.value));
        }
        if (v.shape != ast::Value::Shape::Name)
            return error(v.span, fmt::format("'{}' is not a port number or name", v.text));
        // A service name may differ between transports; match each with its own number.
        std::vector<ir::Pred> alternatives;
        const std::pair<Proto, const char*> transports[] = {{Proto::Tcp, "tcp"}, {Proto::Udp, "udp"}, {Proto::Sctp, "sctp"}};
        auto tcp = names::resolve_service(v.text, "tcp");
        auto udp = names::resolve_service(v.text, "udp");
        if (!proto && tcp && udp && *tcp == *udp) return port_pred(std::nullopt, dir, *tcp);
        for (auto [p, name] : transports) {
            if (proto && *proto != p) continue;
            auto num = names::resolve_service(v.text, name);
            // libpcap resolves sctp ports through tcp's entries when sctp has none.
            if (!num && p == Proto::Sctp) num = tcp;
            if (num) alternatives.push_back(port_pred(p, dir, *num));
        }
        if (alternatives.empty())
            return error(v.span, fmt::format("unknown port name '{}'", v.text), "names come from /etc/services");
        return ir::any(std::move(alternatives));
    }

    ir::Pred port_pred(std::optional<Proto> proto, Dir dir, std::uint16_t port) const {
        return transport_ports(proto, dir, [&](ir::Value v) { return ir::eq(v, port); });
    }

    // TCP/UDP/SCTP over IPv4 (first fragments only) and IPv6, with `test` applied to the source
    // and/or destination port as the direction says.
    ir::Pred transport_ports(std::optional<Proto> proto, Dir dir, const std::function<ir::Pred(ir::Value)>& test) const {
        auto proto_test = [&](std::uint32_t field) {
            auto is = [&](std::uint8_t p) { return ir::eq(ir::load(field, 1), p); };
            if (proto == Proto::Tcp) return is(kProtoTcp);
            if (proto == Proto::Udp) return is(kProtoUdp);
            if (proto == Proto::Sctp) return is(kProtoSctp);
            return ir::any({is(kProtoSctp), is(kProtoTcp), is(kProtoUdp)});
        };
        const ir::Value header_len = ir::IpHeaderLength{layout_.nl(0)};
        ir::Pred not_fragment = ir::negate(ir::cmp(ir::CmpOp::AnySet, ir::load(layout_.nl(6), 2), ir::constant(0x1fff)));
        ir::Pred v4 = ir::all({layout_.ip(), proto_test(layout_.nl(9)), not_fragment, by_direction(dir, [&](bool src) {
                                   return test(ir::load_indexed(header_len, layout_.nl(src ? 0 : 2), 2));
                               })});
        ir::Pred v6 = ir::all({layout_.ip6(), proto_test(layout_.nl(6)), by_direction(dir, [&](bool src) {
                                   return test(ir::load(layout_.nl(src ? 40 : 42), 2));
                               })});
        return ir::any({v4, v6});
    }

    Result port_range(const ast::Qualifiers& q, Dir dir, const ast::Value& v) {
        std::optional<Proto> proto;
        if (q.proto) {
            Proto p = q.proto->value;
            if (p != Proto::Tcp && p != Proto::Udp && p != Proto::Sctp)
                return error(q.proto->span, fmt::format("'{}' cannot qualify 'portrange'", ast::name_of(p)),
                             "port ranges belong to tcp, udp or sctp");
            proto = p;
        }
        // Names may hold dashes themselves (ftp-data-http): take the first split where both ends resolve.
        auto port_number = [](const std::string& t) -> std::optional<std::uint32_t> {
            if (auto n = names::parse_number(t); n.value) return n.value;
            if (auto p = names::resolve_service(t, "tcp")) return *p;
            if (auto p = names::resolve_service(t, "udp")) return *p;
            return std::nullopt;
        };
        std::optional<std::uint32_t> ends[2];
        for (std::size_t dash = v.text.find('-', 1); dash != std::string::npos; dash = v.text.find('-', dash + 1)) {
            ends[0] = port_number(v.text.substr(0, dash));
            ends[1] = port_number(v.text.substr(dash + 1));
            if (ends[0] && ends[1]) break;
        }
        if (!ends[0] || !ends[1])
            return error(v.span, fmt::format("'{}' is not a port range", v.text), "write it as low-high, e.g. 6000-6010 or ftp-data-http");
        for (auto e : ends)
            if (*e > 65535) return error(v.span, fmt::format("port number {} is out of range", *e), "ports are 0..65535");
        auto lo = static_cast<std::uint16_t>(std::min(*ends[0], *ends[1])), hi = static_cast<std::uint16_t>(std::max(*ends[0], *ends[1]));
        return transport_ports(proto, dir, [&](ir::Value port) {
            if (lo == hi) return ir::eq(port, lo);
            return ir::all({ir::cmp(ir::CmpOp::Ge, port, ir::constant(lo)), ir::negate(ir::cmp(ir::CmpOp::Gt, port, ir::constant(hi)))});
        });
    }

    // ---- hosts and networks ----

    Result address(const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
        std::optional<Proto> proto = q.proto ? std::optional(q.proto->value) : std::nullopt;
        if (proto && *proto != Proto::Ip && *proto != Proto::Ip6 && *proto != Proto::Arp && *proto != Proto::Rarp)
            return error(q.proto->span, fmt::format("'{}' cannot qualify '{}'", ast::name_of(*proto), ast::name_of(kind)),
                         fmt::format("{} applies to ip, ip6, arp or rarp", ast::name_of(kind)));
        switch (v.shape) {
            case ast::Value::Shape::Number: {
                auto n = names::parse_number(v.text);
                if (!n.value) return error(v.span, n.error);
                std::uint32_t addr = *n.value, mask = 0xffffffffu;
                // libpcap promotes a short network number: `net 10` is 10.0.0.0/8.
                if (kind == Kind::Net)
                    while (addr && (addr & 0xff000000u) == 0) { addr <<= 8; mask <<= 8; }
                return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
            }
            case ast::Value::Shape::Ipv4: return ipv4_value(q, proto, dir, kind, v);
            case ast::Value::Shape::Ipv6: return ipv6_value(q, proto, dir, kind, v);
            case ast::Value::Shape::Name: return named(q, proto, dir, kind, v);
        }
        return false;
    }

    Result ipv4_value(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        auto a = names::parse_ipv4(v.text);
        if (!a.error.empty()) return error(v.span, a.error);
        std::uint32_t addr = a.bits == 32 ? a.value : a.value << (32 - a.bits);
        std::uint32_t mask = a.bits == 32 ? 0xffffffffu : ~0u << (32 - a.bits);
        if (v.prefix) {
            auto len = names::parse_number(v.prefix->value);
            if (!len.value || *len.value > 32)
                return error(v.prefix->span, "mask length must be <= 32", "an IPv4 prefix is /0 to /32");
            mask = *len.value == 0 ? 0 : ~0u << (32 - *len.value);
        } else if (v.mask) {
            auto m = names::parse_ipv4(v.mask->value);
            if (!m.error.empty() || m.bits != 32)
                return error(v.mask->span, fmt::format("'{}' is not a dotted IPv4 netmask", v.mask->value));
            mask = m.value;
        }
        if (v.prefix || v.mask) {
            if (addr & ~mask) {
                Span whole{v.span.begin, (v.prefix ? v.prefix->span : v.mask->span).end};
                return error(whole, fmt::format("non-network bits set in '{}'", text_of(whole)),
                             fmt::format("the network is {}", format_ipv4(addr & mask)));
            }
        }
        return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
    }

    Result ipv4_or_error(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, const ast::Value&,
                         std::uint32_t addr, std::uint32_t mask, Kind kind) {
        if (proto == Proto::Ip6)
            return error(q.proto->span, fmt::format("'ip6' cannot qualify the IPv4 {}", ast::name_of(kind)));
        return host_v4(proto, dir, addr, mask);
    }

    ir::Pred host_v4(std::optional<Proto> proto, Dir dir, std::uint32_t addr, std::uint32_t mask) const {
        // IPv4 addresses at 12/16 in the IP header; ARP/RARP sender/target protocol address at 14/24.
        auto on = [&](ir::Pred is_proto, std::uint32_t src_off, std::uint32_t dst_off) {
            return ir::all({std::move(is_proto), by_direction(dir, [&](bool src) {
                                return masked_word_eq(layout_.nl(src ? src_off : dst_off), addr, mask);
                            })});
        };
        ir::Pred ip = on(layout_.ip(), 12, 16);
        ir::Pred arp = on(layout_.ethertype(kEtherArp), 14, 24);
        ir::Pred rarp = on(layout_.ethertype(kEtherRarp), 14, 24);
        if (!proto) return ir::any({ip, arp, rarp});
        if (*proto == Proto::Ip) return ip;
        if (*proto == Proto::Arp) return arp;
        return rarp;
    }

    Result ipv6_value(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        auto a = names::parse_ipv6(v.text);
        if (!a) return error(v.span, fmt::format("'{}' is not an IPv6 address", v.text));
        unsigned len = 128;
        if (v.mask) return error(v.mask->span, "'mask' takes an IPv4 netmask; write an IPv6 prefix as addr/len");
        if (v.prefix) {
            auto n = names::parse_number(v.prefix->value);
            if (!n.value || *n.value > 128)
                return error(v.prefix->span, "mask length must be <= 128", "an IPv6 prefix is /0 to /128");
            len = *n.value;
            for (unsigned bit = len; bit < 128; ++bit)
                if ((*a)[bit / 8] & (0x80 >> (bit % 8))) {
                    Span whole{v.span.begin, v.prefix->span.end};
                    return error(whole, fmt::format("non-network bits set in '{}'", text_of(whole)));
                }
        }
        if (proto && *proto != Proto::Ip6)
            return error(q.proto->span, fmt::format("'{}' cannot qualify the IPv6 {}", ast::name_of(*proto), ast::name_of(kind)),
                         "write 'ip6' or no protocol");
        return host_v6(dir, *a, len);
    }

    ir::Pred host_v6(Dir dir, const std::array<std::uint8_t, 16>& a, unsigned len) const {
        auto side = [&](bool src) {
            std::vector<ir::Pred> words;
            for (unsigned w = 0; w < 4; ++w) {
                unsigned bits = len > w * 32 ? std::min(32u, len - w * 32) : 0;
                if (bits == 0) continue;
                std::uint32_t mask = bits == 32 ? 0xffffffffu : ~0u << (32 - bits);
                std::uint32_t value = (std::uint32_t{a[w * 4]} << 24) | (a[w * 4 + 1] << 16) | (a[w * 4 + 2] << 8) | a[w * 4 + 3];
                words.push_back(masked_word_eq(layout_.nl((src ? 8 : 24) + 4 * w), value, mask));
            }
            return ir::all(std::move(words));
        };
        return ir::all({layout_.ip6(), by_direction(dir, side)});
    }

    Result named(const ast::Qualifiers& q, std::optional<Proto> proto, Dir dir, Kind kind, const ast::Value& v) {
        if (kind == Kind::Net) {
            auto n = names::resolve_network(v.text);
            if (!n) return error(v.span, fmt::format("unknown network '{}'", v.text), "names come from /etc/networks");
            std::uint32_t addr = *n, mask = 0xffffffffu;
            while (addr && (addr & 0xff000000u) == 0) { addr <<= 8; mask <<= 8; }
            return ipv4_or_error(q, proto, dir, v, addr, mask, kind);
        }
        auto hosts = names::resolve_host(v.text);
        std::vector<ir::Pred> alternatives;
        if (proto != Proto::Ip6)
            for (std::uint32_t a : hosts.v4) alternatives.push_back(host_v4(proto, dir, a, 0xffffffffu));
        if (!proto || proto == Proto::Ip6)
            for (const auto& a : hosts.v6) alternatives.push_back(host_v6(dir, a, 128));
        if (alternatives.empty())
            return error(v.span, fmt::format("unknown host '{}'", v.text), "names come from /etc/hosts and DNS");
        return ir::any(std::move(alternatives));
    }

    std::string text_of(Span s) const { return text_ ? std::string(text_->substr(s.begin, s.end - s.begin)) : std::string{}; }
    static std::string format_ipv4(std::uint32_t a) {
        return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    }

public:
    const std::string_view* text_ = nullptr;

private:
    Layout layout_;
};

}  // namespace

std::expected<ir::Pred, Diagnostic> lower(const ast::Expr& expr, const LinkType& link, std::string_view text) {
    Lowering l(link);
    l.text_ = &text;
    std::optional<ast::Qualifiers> carry;
    return l.expr(expr, carry);
}

}  // namespace sniff
