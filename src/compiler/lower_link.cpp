// The link layer and encapsulations: MAC addresses, broadcast/multicast, protocol numbers,
// 802.2 LLC/SNAP, VLAN, MPLS, PPPoE, packet direction and interface.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

// Linux ancillary fields (SKF_AD_OFF + n), loaded like packet bytes.
constexpr std::uint32_t kAncillaryPktType = 0xfffff004, kAncillaryIfindex = 0xfffff008;

std::optional<Diagnostic> need_ethernet(const Context& c, Span where, std::string_view what) {
    if (c.layout.link().ethernet_header) return std::nullopt;
    return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", what, c.layout.link().name),
                      "it needs Ethernet frames (EN10MB)"};
}

// Six bytes at `offset`: the last four as a word first, then the first two (libpcap's order).
ir::Pred mac_at(std::uint32_t offset, const std::array<std::uint8_t, 6>& m) {
    std::uint32_t tail = (std::uint32_t{m[2]} << 24) | (m[3] << 16) | (m[4] << 8) | m[5];
    std::uint32_t head = (std::uint32_t{m[0]} << 8) | m[1];
    return ir::all({ir::eq(ir::load(offset + 2, 4), tail), ir::eq(ir::load(offset, 2), head)});
}

const char* keyword_name(ast::Keyword::Which w) {
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
ir::Pred llc_byte(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(ir::load(c.layout.nl(off), 1), v); }

ir::Pred llc_half(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(ir::load(c.layout.nl(off), 2), v); }

// SNAP: AA AA 03, a 3-byte OUI and a 2-byte type; compared as the last word, then the first.
ir::Pred snap(const Context& c, std::uint32_t oui, std::uint16_t type) {
    return ir::all({ir::eq(ir::load(c.layout.nl(4), 4), (((oui >> 8) & 0xff) << 24) | ((oui & 0xff) << 16) | type),
                    ir::eq(ir::load(c.layout.nl(0), 4), 0xaaaa0300u | (oui >> 16))});
}

ir::Pred llc_sap(const Context& c, std::uint32_t sap) {
    switch (sap) {
        case 0xfe: return llc_half(c, 0, 0xfefe);  // ISO: both SAPs
        case 0xf0: return llc_half(c, 0, 0xf0f0);  // NetBEUI: both SAPs
        case 0xe0:  // IPX: SNAP, 802.2, or "raw 802.3" (0xffff checksum)
            return ir::any({snap(c, 0, 0x8137), llc_byte(c, 0, 0xe0), llc_half(c, 0, 0xffff)});
        default: return llc_byte(c, 0, sap);
    }
}

ir::Pred lan_protocol(const Context& c, ast::Keyword::Which w) {
    using W = ast::Keyword::Which;
    const ir::Pred on_802_3 = c.layout.is_802_3();
    switch (w) {
        case W::Llc: return ir::all({on_802_3, ir::negate(llc_half(c, 0, 0xffff))});
        case W::Stp: return ir::all({on_802_3, llc_byte(c, 0, 0x42)});
        case W::Netbeui: return ir::all({on_802_3, llc_sap(c, 0xf0)});
        case W::Iso: return ir::all({on_802_3, llc_sap(c, 0xfe)});
        case W::Esis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, 3, 0x82)});
        case W::Isis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, 3, 0x83)});
        case W::Clnp: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, 3, 0x81)});
        case W::Ipx: return ir::any({c.layout.ethertype(0x8137), ir::all({on_802_3, llc_sap(c, 0xe0)})});
        case W::Atalk: return ir::any({c.layout.ethertype(0x809b), ir::all({on_802_3, snap(c, 0x080007, 0x809b)})});
        case W::Aarp: return ir::any({c.layout.ethertype(0x80f3), ir::all({on_802_3, snap(c, 0, 0x80f3)})});
        default: break;
    }
    return false;
}

}  // namespace

Result ether_host(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
    if (auto e = need_ethernet(c, q.proto->span, "ether host")) return std::unexpected(*e);
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

Result broadcast(const Context& c, const ast::Qualifiers& q) {
    if (!q.proto || q.proto->value == Proto::Ether) {
        Span where = q.proto ? q.proto->span : q.kind->span;
        if (auto e = need_ethernet(c, where, "broadcast")) return std::unexpected(*e);
        return mac_at(0, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    }
    if (q.proto->value == Proto::Ip)
        return error(q.proto->span, "netmask not known, so 'ip broadcast' not supported",
                     "libpcap needs the capture interface's netmask for this; write the broadcast address, e.g. 'ip dst host 10.0.0.255'");
    return error(q.proto->span, fmt::format("'{}' cannot qualify 'broadcast'", ast::name_of(q.proto->value)),
                 "write 'ether broadcast' or 'ip broadcast'");
}

Result multicast(const Context& c, const ast::Qualifiers& q) {
    if (!q.proto || q.proto->value == Proto::Ether) {
        Span where = q.proto ? q.proto->span : q.kind->span;
        if (auto e = need_ethernet(c, where, "multicast")) return std::unexpected(*e);
        return ir::cmp(ir::CmpOp::AnySet, ir::load(0, 1), ir::constant(1));  // group bit of the destination
    }
    if (q.proto->value == Proto::Ip)  // 224.0.0.0/4 and above, as libpcap tests it
        return ir::all({c.layout.ip(), ir::cmp(ir::CmpOp::Ge, ir::load(c.layout.nl(16), 1), ir::constant(224))});
    if (q.proto->value == Proto::Ip6) return ir::all({c.layout.ip6(), ir::eq(ir::load(c.layout.nl(24), 1), 255)});
    return error(q.proto->span, fmt::format("'{}' cannot qualify 'multicast'", ast::name_of(q.proto->value)),
                 "write 'ether multicast', 'ip multicast' or 'ip6 multicast'");
}

// `proto N`, `ip proto N`, `ip6 proto N`, `ether proto N`.
Result protocol(const Context& c, const ast::Qualifiers& q, const ast::Value& v) {
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
            if (auto e = need_ethernet(c, v.span, "ether proto with an LLC SAP")) return std::unexpected(*e);
            // The SAPs with keywords of their own mean those keywords (IPX also has an EtherType).
            if (*number == 0xe0) return lan_protocol(c, ast::Keyword::Which::Ipx);
            return ir::all({c.layout.is_802_3(), llc_sap(c, *number)});
        }
        return c.layout.ethertype(static_cast<std::uint16_t>(*number));
    }
    if (!number) {
        auto p = names::resolve_protocol(name);
        if (!p) return error(v.span, fmt::format("unknown IP protocol '{}'", name), "names come from /etc/protocols; numbers work too");
        number = p;
    }
    if (*number > 255) return error(v.span, fmt::format("IP protocol {} is out of range", *number), "protocols are 0..255");
    auto p = static_cast<std::uint8_t>(*number);
    if (!q.proto) return ir::any({c.layout.ip_proto(p), c.layout.ip6_proto(p)});
    if (q.proto->value == Proto::Ip) return c.layout.ip_proto(p);
    if (q.proto->value == Proto::Ip6) return c.layout.ip6_proto(p);
    return error(q.proto->span, fmt::format("'{}' cannot qualify 'proto'", ast::name_of(q.proto->value)),
                 "write 'ip proto', 'ip6 proto' or 'ether proto'");
}

Result keyword(const Context& c, const ast::Keyword& k) {
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
            if (auto e = need_ethernet(c, k.span, "vlan")) return std::unexpected(*e);
            if (c.layout.mpls_depth() > 0) return error(k.span, "no VLAN match after MPLS", "put 'vlan' before 'mpls'");
            if (n && *n > 4095) return error(k.arg->span, fmt::format("VLAN id {} is out of range", *n), "VLAN ids are 0..4095");
            // 802.1Q, 802.1ad or the old QinQ EtherType, then (optionally) the 12-bit id.
            std::vector<ir::Pred> terms = {ir::any({c.layout.ethertype(0x8100), c.layout.ethertype(0x88a8), c.layout.ethertype(0x9100)})};
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(c.layout.nl(0), 2), ir::constant(0x0fff)), *n));
            c.layout.skip_vlan_tag();
            return ir::all(std::move(terms));
        }
        case ast::Keyword::Which::Mpls: {
            if (n && *n > 0xfffff) return error(k.arg->span, fmt::format("MPLS label {} is out of range", *n), "labels are 0..1048575");
            std::vector<ir::Pred> terms;
            if (c.layout.mpls_depth() == 0) {
                // The first label: the link layer says MPLS (unicast).
                const int dlt = c.layout.link().dlt;
                if (dlt != 1 && dlt != 104 && dlt != 9)
                    return error(k.span, fmt::format("'mpls' is not supported on link type {}", c.layout.link().name));
                terms.push_back(c.layout.ethertype(dlt == 9 ? 0x0281 : 0x8847));
            } else {
                // A label below another: the one above is not the bottom of the stack.
                terms.push_back(ir::negate(ir::cmp(ir::CmpOp::AnySet, ir::load(c.layout.nl(0) - 2, 1), ir::constant(1))));
            }
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(c.layout.nl(0), 4), ir::constant(0xfffff000)), *n << 12));
            c.layout.skip_mpls_label();
            return ir::all(std::move(terms));
        }
        case ast::Keyword::Which::Pppoed: return c.layout.ethertype(0x8863);
        case ast::Keyword::Which::Pppoes: {
            if (n && *n > 0xffff) return error(k.arg->span, fmt::format("PPPoE session id {} is out of range", *n), "ids are 0..65535");
            std::vector<ir::Pred> terms = {c.layout.ethertype(0x8864)};
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(c.layout.nl(0), 4), ir::constant(0xffff)), *n));
            c.layout.enter_pppoe_session();
            return ir::all(std::move(terms));
        }
        case ast::Keyword::Which::Inbound:
        case ast::Keyword::Which::Outbound: {
            // Linux packet type 4 is PACKET_OUTGOING: in the cooked header, else the kernel's
            // ancillary field (which only a live capture has; offline it never matches).
            const int dlt = c.layout.link().dlt;
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
            if (auto e = need_ethernet(c, k.span, keyword_name(k.which))) return std::unexpected(*e);
            return lan_protocol(c, k.which);
        case ast::Keyword::Which::Decnet: return c.layout.ethertype(0x6003);
        case ast::Keyword::Which::Lat: return c.layout.ethertype(0x6004);
        case ast::Keyword::Which::Sca: return c.layout.ethertype(0x6007);
        case ast::Keyword::Which::Moprc: return c.layout.ethertype(0x6002);
        case ast::Keyword::Which::Mopdl: return c.layout.ethertype(0x6001);
        case ast::Keyword::Which::Ifindex:
            if (c.layout.link().dlt == 276) return ir::eq(ir::load(4, 4), *n);
            return ir::eq(ir::load(kAncillaryIfindex, 4), *n);
    }
    return false;
}

}  // namespace sniff::lowering
