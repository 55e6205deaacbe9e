// The link layer: MAC addresses (Ethernet, FDDI, Token Ring; 802.11 in lower_wlan.cpp),
// broadcast/multicast, protocol numbers, protochain, gateway, and the keyword primitives.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

// Linux ancillary fields (SKF_AD_OFF + n), loaded like packet bytes.
constexpr std::uint32_t kAncillaryPktType = 0xfffff004, kAncillaryIfindex = 0xfffff008;

// Link types with MAC addresses: Ethernet, FDDI, Token Ring and 802.11.
std::optional<Diagnostic> need_mac(const Context& c, Span where, std::string_view what) {
    if (c.layout.mac() == MacHeader::Arcnet)
        return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", what, c.layout.link().name),
                          "ARCnet addresses are one byte: write 'ether host $1f'"};
    if (c.layout.mac() != MacHeader::None) return std::nullopt;
    if (c.layout.in_pppoe())
        return Diagnostic{where, fmt::format("'{}' is not supported after 'pppoes'", what),
                          "the rest of the frame is PPP, which has no MAC addresses (as libpcap reads it)"};
    return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", what, c.layout.link().name),
                      "this link type has no MAC addresses; it needs Ethernet, FDDI, Token Ring or 802.11"};
}

// Where the destination address starts in a wired MAC header (the source is 6 bytes on).
std::uint32_t wired_mac_offset(MacHeader m) { return m == MacHeader::Fddi ? 1 : m == MacHeader::TokenRing ? 2 : 0; }

}  // namespace

// Six bytes at `offset` into the link header: the last four as a word first, then the first two
// (libpcap's order).
ir::Pred mac_at(const Context& c, std::uint32_t offset, const std::array<std::uint8_t, 6>& m) {
    std::uint32_t tail = (std::uint32_t{m[2]} << 24) | (m[3] << 16) | (m[4] << 8) | m[5];
    std::uint32_t head = (std::uint32_t{m[0]} << 8) | m[1];
    const Base& link = c.layout.link_header();
    return ir::all({ir::eq(link.load(offset + 2, 4), tail), ir::eq(link.load(offset, 2), head)});
}


Result ether_host(const Context& c, const ast::Qualifiers& q, Dir dir, Kind kind, const ast::Value& v) {
    if (auto e = need_mac(c, q.proto->span, c.text_of(q.proto->span) + " host")) return std::unexpected(*e);
    if (kind != Kind::Host)
        return error(q.kind ? q.kind->span : v.span, fmt::format("'{}' cannot qualify '{}'", c.text_of(q.proto->span), ast::name_of(kind)),
                     "write 'ether host', 'ether src' or 'ether dst' with a MAC address");
    const MacHeader m = c.layout.mac();
    if (ast::is_wlan_dir(dir) && m != MacHeader::Wlan)
        return error(q.dir->span, fmt::format("'{}' is not supported on link type {}", c.text_of(q.dir->span), c.layout.link().name),
                     "802.11 captures have link type IEEE802_11, IEEE802_11_RADIO, PRISM_HEADER or PPI");
    auto mac = names::parse_mac(v.text);
    if (!mac) {
        auto known = names::resolve_ether(v.text);
        if (!known) return error(v.span, fmt::format("'{}' is not a MAC address or a name in /etc/ethers", v.text),
                                 "write it as 00:11:22:33:44:55");
        mac = known;
    }
    if (m == MacHeader::Wlan) return wlan_host(c, dir, *mac);
    const std::uint32_t dst = wired_mac_offset(m);
    return ir::all({c.layout.mac_guard(), by_direction(dir, [&](bool src) { return mac_at(c, src ? dst + 6 : dst, *mac); })});
}

Result broadcast(const Context& c, const ast::Qualifiers& q) {
    if (!q.proto || q.proto->value == Proto::Ether) {
        Span where = q.proto ? q.proto->span : q.kind->span;
        if (c.layout.mac() == MacHeader::Arcnet) return arcnet_broadcast(c);
        if (auto e = need_mac(c, where, "broadcast")) return std::unexpected(*e);
        static constexpr std::array<std::uint8_t, 6> all_ones = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        if (c.layout.wlan()) return wlan_host(c, Dir::Dst, all_ones);
        return ir::all({c.layout.mac_guard(), mac_at(c, wired_mac_offset(c.layout.mac()), all_ones)});
    }
    if (q.proto->value == Proto::Ip) {
        // 0xffffffff is libpcap's PCAP_NETMASK_UNKNOWN.
        if (!c.netmask || *c.netmask == 0xffffffffu)
            return error(q.proto->span, "netmask not known, so 'ip broadcast' not supported",
                         "it needs the capture interface's netmask; write the broadcast address, e.g. 'ip dst host 10.0.0.255'");
        // The destination's host part all zeros or all ones (libpcap's gen_broadcast).
        const std::uint32_t host = ~*c.netmask;
        auto host_part_is = [&](std::uint32_t v) {
            ir::Value dst = c.layout.nl(16, 4);
            return ir::eq(host == 0xffffffffu ? dst : ir::arith(ir::ArithOp::And, dst, ir::constant(host)), v);
        };
        return ir::all({c.layout.ip(), ir::any({host_part_is(0), host_part_is(host)})});
    }
    return error(q.proto->span, fmt::format("'{}' cannot qualify 'broadcast'", ast::name_of(q.proto->value)),
                 "write 'ether broadcast' or 'ip broadcast'");
}

Result multicast(const Context& c, const ast::Qualifiers& q) {
    if (!q.proto || q.proto->value == Proto::Ether) {
        Span where = q.proto ? q.proto->span : q.kind->span;
        if (c.layout.mac() == MacHeader::Arcnet) return arcnet_broadcast(c);  // libpcap's test: the same
        if (auto e = need_mac(c, where, "multicast")) return std::unexpected(*e);
        // The group bit of the destination address.
        auto group_bit = [&](std::uint32_t off) {
            return ir::cmp(ir::CmpOp::AnySet, c.layout.link_header().load(off, 1), ir::constant(1));
        };
        if (c.layout.wlan()) return wlan_destination(c, group_bit);
        return ir::all({c.layout.mac_guard(), group_bit(wired_mac_offset(c.layout.mac()))});
    }
    if (q.proto->value == Proto::Ip)  // 224.0.0.0/4 and above, as libpcap tests it
        return ir::all({c.layout.ip(), ir::cmp(ir::CmpOp::Ge, c.layout.nl(16, 1), ir::constant(224))});
    if (q.proto->value == Proto::Ip6) return ir::all({c.layout.ip6(), ir::eq(c.layout.nl(24, 1), 255)});
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
    if (q.proto && (q.proto->value == Proto::Iso || q.proto->value == Proto::Isis)) return osi_protocol(c, q, v);
    bool ether = q.proto && q.proto->value == Proto::Ether;
    if (ether) {
        // `ether proto` names the link layer's protocol field on any link type (libpcap's gen_linktype).
        if (!number) {
            // libpcap's EtherType names (pcap_nametoeproto), then its 802.2 SAP names (pcap_nametollc);
            // case matters there too. Each then means its number, as `ether proto 0xfe` does.
            static const std::pair<const char*, std::uint32_t> names[] = {
                {"aarp", 0x80f3}, {"arp", kEtherArp}, {"atalk", 0x809b}, {"decnet", 0x6003}, {"ip", kEtherIp},
                {"ip6", kEtherIp6}, {"lat", 0x6004}, {"loopback", 0x9000}, {"mopdl", 0x6001}, {"moprc", 0x6002},
                {"rarp", kEtherRarp}, {"sca", 0x6007}, {"iso", 0xfe}, {"stp", 0x42}, {"ipx", 0xe0}, {"netbeui", 0xf0}};
            for (auto [n, t] : names)
                if (name == n) number = t;
            if (!number)
                return error(v.span, fmt::format("unknown ether protocol '{}'", name),
                             "give the EtherType as a number (e.g. 0x88cc) or a name: \\ip, \\ip6, \\arp, \\rarp, \\atalk, "
                             "\\aarp, \\decnet, \\lat, \\sca, \\moprc, \\mopdl, loopback, \\iso, \\stp, \\ipx, \\netbeui");
        }
        if (*number > 0xffff) return error(v.span, fmt::format("EtherType {} does not fit in 16 bits", *number));
        if (c.layout.field() == ProtocolField::Llc) return llc_link_number(c, *number);
        if (c.layout.mac() != MacHeader::Ethernet) return other_link_number(c, *number);
        if (*number <= 1500) {
            // An 802.2 SAP, on Ethernet's 802.3 frames.
            // The SAPs with keywords of their own mean those keywords (IPX also has an EtherType).
            if (*number == 0xe0) return lan_protocol(c, ast::Keyword::Which::Ipx);
            return ir::all({c.layout.is_802_3(), llc_sap(c, *number)});
        }
        // AppleTalk and AARP also travel over SNAP on 802.3 frames.
        if (c.layout.mac() == MacHeader::Ethernet && *number == 0x809b) return lan_protocol(c, ast::Keyword::Which::Atalk);
        if (c.layout.mac() == MacHeader::Ethernet && *number == 0x80f3) return lan_protocol(c, ast::Keyword::Which::Aarp);
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

// `protochain N`: N anywhere in the IP header chain (IPv4 then IPv6 without a qualifier).
Result protochain(const Context& c, const ast::Qualifiers& q, const ast::Value& v) {
    std::string name = v.text;
    if (!name.empty() && name[0] == '\\') name.erase(0, 1);
    std::optional<std::uint32_t> number;
    if (v.shape == ast::Value::Shape::Number) {
        auto n = names::parse_number(v.text);
        if (!n.value) return error(v.span, n.error);
        number = n.value;
    } else {
        number = names::resolve_protocol(name);
        if (!number) return error(v.span, fmt::format("unknown IP protocol '{}'", name), "names come from /etc/protocols; numbers work too");
    }
    if (*number > 255) return error(v.span, fmt::format("IP protocol {} is out of range", *number), "protocols are 0..255");
    const Base& nl = c.layout.network();
    auto chain = [&](bool ipv6) {
        return ir::all({ipv6 ? c.layout.ip6() : c.layout.ip(),
                        ir::ProtoChain{ipv6, static_cast<std::uint8_t>(*number), nl.k, nl.var, ir::kProtochainMaxHeaders}});
    };
    if (!q.proto) return ir::any({chain(false), chain(true)});
    if (q.proto->value == Proto::Ip) return chain(false);
    if (q.proto->value == Proto::Ip6) return chain(true);
    return error(q.proto->span, fmt::format("'{}' cannot qualify 'protochain'", ast::name_of(q.proto->value)),
                 "write 'ip protochain', 'ip6 protochain' or 'protochain'");
}

// `gateway name`: through the host as a router: its MAC address (/etc/ethers) in the link
// header, none of its IPv4 addresses (/etc/hosts, DNS) in the IP/ARP/RARP header. libpcap
// builds built with IPv6 (every Linux distribution's) refuse it; this is its documented meaning.
Result gateway(const Context& c, const ast::Qualifiers& q, const ast::Value& v) {
    if (q.dir) return error(q.dir->span, "a direction cannot qualify 'gateway'", "write 'gateway NAME'");
    std::optional<Proto> proto = q.proto ? std::optional(q.proto->value) : std::nullopt;
    if (proto && *proto != Proto::Ip && *proto != Proto::Arp && *proto != Proto::Rarp)
        return error(q.proto->span, fmt::format("'{}' cannot qualify 'gateway'", c.text_of(q.proto->span)),
                     "gateway applies to ip, arp or rarp");
    if (v.shape != ast::Value::Shape::Name)
        return error(v.span, "'gateway' requires a name", "the name must be in /etc/ethers and resolve to an IPv4 address");
    if (auto e = need_mac(c, q.kind->span, "gateway")) return std::unexpected(*e);
    auto mac = names::resolve_ether(v.text);
    if (!mac) return error(v.span, fmt::format("unknown ether host '{}'", v.text), "gateway names must be in /etc/ethers");
    auto hosts = names::resolve_host(v.text);
    if (hosts.v4.empty()) return error(v.span, fmt::format("unknown host '{}'", v.text), "gateway names must have an IPv4 address");
    ir::Pred link = c.layout.wlan() ? *wlan_host(c, Dir::SrcOrDst, *mac) : ir::all({c.layout.mac_guard(), by_direction(Dir::SrcOrDst, [&](bool src) {
        const std::uint32_t dst = wired_mac_offset(c.layout.mac());
        return mac_at(c, src ? dst + 6 : dst, *mac);
    })});
    std::vector<ir::Pred> addresses;
    for (std::uint32_t a : hosts.v4) addresses.push_back(ipv4_host(c, proto, Dir::SrcOrDst, a));
    return ir::all({std::move(link), ir::negate(ir::any(std::move(addresses)))});
}

namespace {

// The kernel's per-packet metadata (direction, interface) exists only live; libpcap refuses the
// primitives that need it when compiling for a savefile (gencode.c gen_inbound, gen_ifindex).
std::optional<Diagnostic> need_packet_metadata(const Context& c, const ast::Keyword& k, std::string_view what) {
    if (!c.layout.savefile()) return std::nullopt;
    return Diagnostic{k.span, fmt::format("{} not supported on {} when reading savefiles", what, c.layout.link().description),
                      "a capture file has no packet direction or interface, except in Linux cooked headers"};
}

// `byte N op V`: the byte at N from the link-layer header (where `link[N]` reads), compared with V
// unsigned, as libpcap's gen_byteop does for `=`, `<` and `>`. For `&` and `|` libpcap 1.10 never
// loads the byte: its program tests what the accumulator held before (0 at the start). sniff tests
// `link[N] & V != 0` and `link[N] | V != 0`, as libpcap does since its byte fixes (PR 1496);
// README, "Deliberate differences".
Result byte_primitive(const Context& c, const ast::Keyword& k, std::uint32_t offset) {
    auto v = names::parse_number(k.arg2->text);
    if (!v.value) return error(k.arg2->span, v.error);
    ir::Value byte = c.layout.link_header().load(offset, 1);
    switch (k.which) {
        case ast::Keyword::Which::ByteEq: return ir::eq(byte, *v.value);
        case ast::Keyword::Which::ByteLt: return ir::negate(ir::cmp(ir::CmpOp::Ge, byte, ir::constant(*v.value)));
        case ast::Keyword::Which::ByteGt: return ir::cmp(ir::CmpOp::Gt, byte, ir::constant(*v.value));
        case ast::Keyword::Which::ByteAnd: return ir::cmp(ir::CmpOp::AnySet, byte, ir::constant(*v.value));
        default: return ir::negate(ir::eq(ir::arith(ir::ArithOp::Or, byte, ir::constant(*v.value)), 0));
    }
}

}  // namespace

Result keyword(const Context& c, const ast::Keyword& k) {
    std::optional<std::uint32_t> n;
    using W = ast::Keyword::Which;
    if (is_pf_keyword(k.which)) return pf_keyword(c, k);  // their arguments are names too
    if (k.arg && k.which != W::WlanType && k.which != W::WlanSubtype && k.which != W::WlanDir && k.which != W::Llc) {
        auto v = names::parse_number(k.arg->text);
        if (!v.value) return error(k.arg->span, v.error);
        n = v.value;
    }
    switch (k.which) {
        case ast::Keyword::Which::Less: return ir::negate(ir::cmp(ir::CmpOp::Gt, ir::WireLength{}, ir::constant(*n)));
        case ast::Keyword::Which::Greater: return ir::cmp(ir::CmpOp::Ge, ir::WireLength{}, ir::constant(*n));
        case ast::Keyword::Which::Vlan: return vlan(c, k, n);
        case ast::Keyword::Which::Mpls: return mpls(c, k, n);
        case ast::Keyword::Which::Pppoed: return c.layout.ethertype(0x8863);
        case ast::Keyword::Which::Pppoes: return pppoes(c, k, n);
        case ast::Keyword::Which::Inbound:
        case ast::Keyword::Which::Outbound: {
            // Linux packet type 4 is PACKET_OUTGOING: in the cooked header, else the kernel's
            // ancillary field, which a capture file does not have (libpcap refuses it there).
            const int dlt = c.layout.link().dlt;
            if (dlt == 117) return pflog_direction(k.which == ast::Keyword::Which::Outbound);
            if (dlt != 113 && dlt != 276)
                if (auto e = need_packet_metadata(c, k, "inbound/outbound")) return std::unexpected(*e);
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
        case ast::Keyword::Which::Aarp: {
            if (k.which == W::Llc && k.arg) return llc_frame_kind(c, k);
            if (c.layout.field() == ProtocolField::Llc) return llc_link_protocol(c, k.which);
            if (c.layout.mac() != MacHeader::Ethernet) return other_link_protocol(c, k);
            return lan_protocol(c, k.which);
        }
        case ast::Keyword::Which::IsisL1:
        case ast::Keyword::Which::IsisL2:
        case ast::Keyword::Which::IsisIih:
        case ast::Keyword::Which::IsisLsp:
        case ast::Keyword::Which::IsisSnp:
        case ast::Keyword::Which::IsisCsnp:
        case ast::Keyword::Which::IsisPsnp: return isis_pdu(c, k);
        case ast::Keyword::Which::WlanType:
        case ast::Keyword::Which::WlanSubtype:
        case ast::Keyword::Which::WlanDir: return wlan_frame(c, k);
        case ast::Keyword::Which::Geneve: return geneve(c, k, n);
        case ast::Keyword::Which::Decnet: return c.layout.ethertype(0x6003);
        case ast::Keyword::Which::Lat: return c.layout.ethertype(0x6004);
        case ast::Keyword::Which::Sca: return c.layout.ethertype(0x6007);
        case ast::Keyword::Which::Moprc: return c.layout.ethertype(0x6002);
        case ast::Keyword::Which::Mopdl: return c.layout.ethertype(0x6001);
        case ast::Keyword::Which::Ifindex:
            if (c.layout.link().dlt == 276) return ir::eq(ir::load(4, 4), *n);
            if (auto e = need_packet_metadata(c, k, "ifindex")) return std::unexpected(*e);
            return ir::eq(ir::load(kAncillaryIfindex, 4), *n);
        case ast::Keyword::Which::ByteEq:
        case ast::Keyword::Which::ByteLt:
        case ast::Keyword::Which::ByteGt:
        case ast::Keyword::Which::ByteAnd:
        case ast::Keyword::Which::ByteOr: return byte_primitive(c, k, *n);
        case ast::Keyword::Which::PfIfname:
        case ast::Keyword::Which::PfRuleset:
        case ast::Keyword::Which::PfRulenum:
        case ast::Keyword::Which::PfSubrulenum:
        case ast::Keyword::Which::PfReason:
        case ast::Keyword::Which::PfAction: return pf_keyword(c, k);
        case W::Fisu: case W::Lssu: case W::Msu: case W::Hfisu: case W::Hlssu: case W::Hmsu:
        case W::Sio: case W::Opc: case W::Dpc: case W::Sls: case W::Hsio: case W::Hopc: case W::Hdpc: case W::Hsls:
            return mtp(c, k);
        case W::Lane: case W::Oam: case W::Oamf4sc: case W::Oamf4ec: case W::Metac: case W::Bcc: case W::Sc: case W::Ilmic: case W::Connectmsg:
        case W::Metaconnect: case W::Vpi: case W::Vci:
            return atm(c, k);
    }
    return false;
}

}  // namespace sniff::lowering
