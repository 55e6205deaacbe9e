// The link layer and encapsulations: MAC addresses, broadcast/multicast, protocol numbers,
// 802.2 LLC/SNAP, VLAN, MPLS, PPPoE, packet direction and interface.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <span>
#include <functional>
#include <optional>

#include "compiler/names.hpp"
#include "compiler/spelling.hpp"

namespace sniff::lowering {
namespace {

// Linux ancillary fields (SKF_AD_OFF + n), loaded like packet bytes.
constexpr std::uint32_t kAncillaryPktType = 0xfffff004, kAncillaryIfindex = 0xfffff008;

// Link types with MAC addresses: Ethernet, FDDI, Token Ring and 802.11.
std::optional<Diagnostic> need_mac(const Context& c, Span where, std::string_view what) {
    if (c.layout.mac() != MacHeader::None) return std::nullopt;
    return Diagnostic{where, fmt::format("'{}' is not supported on link type {}", what, c.layout.link().name),
                      "this link type has no MAC addresses; it needs Ethernet, FDDI, Token Ring or 802.11"};
}

// Six bytes at `offset` into the link header: the last four as a word first, then the first two
// (libpcap's order).
ir::Pred mac_at(const Context& c, std::uint32_t offset, const std::array<std::uint8_t, 6>& m) {
    std::uint32_t tail = (std::uint32_t{m[2]} << 24) | (m[3] << 16) | (m[4] << 8) | m[5];
    std::uint32_t head = (std::uint32_t{m[0]} << 8) | m[1];
    const Base& link = c.layout.link_header();
    return ir::all({ir::eq(link.load(offset + 2, 4), tail), ir::eq(link.load(offset, 2), head)});
}

// Where the destination address starts in a wired MAC header (the source is 6 bytes on).
std::uint32_t wired_mac_offset(MacHeader m) { return m == MacHeader::Fddi ? 1 : m == MacHeader::TokenRing ? 2 : 0; }

// 802.11 frame control bits, as libpcap tests them.
struct FrameControl {
    const Context& c;
    ir::Value fc0() const { return c.layout.link_header().load(0, 1); }
    ir::Value fc1() const { return c.layout.link_header().load(1, 1); }
    ir::Pred set0(std::uint32_t bits) const { return ir::cmp(ir::CmpOp::AnySet, fc0(), ir::constant(bits)); }
    ir::Pred set1(std::uint32_t bits) const { return ir::cmp(ir::CmpOp::AnySet, fc1(), ir::constant(bits)); }
    ir::Pred masked0(std::uint32_t mask, std::uint32_t v) const { return ir::eq(ir::arith(ir::ArithOp::And, fc0(), ir::constant(mask)), v); }
    ir::Pred not_control() const { return ir::negate(masked0(0x0c, 0x04)); }
    // Frames with a second address: all but CTS and ACK control frames.
    ir::Pred has_addr2() const {
        return ir::any({not_control(), ir::all({ir::negate(masked0(0xf0, 0xc0)), ir::negate(masked0(0xf0, 0xd0))})});
    }
};

// The destination (DA) of an 802.11 frame, tested by `at_offset`: at 4 in management frames and
// in data frames without To DS, at 16 in data frames with To DS; control frames have none.
ir::Pred wlan_destination(const FrameControl& f, const std::function<ir::Pred(std::uint32_t)>& at_offset) {
    ir::Pred data = ir::all({f.set0(0x08), ir::any({ir::all({ir::negate(f.set1(0x01)), at_offset(4)}),
                                                    ir::all({f.set1(0x01), at_offset(16)})})});
    return ir::all({ir::negate(f.set0(0x04)), ir::any({ir::all({ir::negate(f.set0(0x08)), at_offset(4)}), data})});
}

// The source (SA): at 10 in management frames and data frames without From DS; with From DS, at
// 16 without To DS and at 24 (the fourth address) with it.
ir::Pred wlan_source(const FrameControl& f, const std::function<ir::Pred(std::uint32_t)>& at_offset) {
    ir::Pred from_ds = ir::all({f.set1(0x02), ir::any({ir::all({ir::negate(f.set1(0x01)), at_offset(16)}),
                                                       ir::all({f.set1(0x01), at_offset(24)})})});
    ir::Pred data = ir::all({f.set0(0x08), ir::any({ir::all({ir::negate(f.set1(0x02)), at_offset(10)}), from_ds})});
    return ir::all({ir::negate(f.set0(0x04)), ir::any({ir::all({ir::negate(f.set0(0x08)), at_offset(10)}), data})});
}

Result wlan_host(const Context& c, Dir dir, const std::array<std::uint8_t, 6>& mac) {
    FrameControl f{c};
    auto at = [&](std::uint32_t off) { return mac_at(c, off, mac); };
    switch (dir) {
        case Dir::Src: return wlan_source(f, at);
        case Dir::Dst: return wlan_destination(f, at);
        case Dir::SrcOrDst: return ir::any({wlan_source(f, at), wlan_destination(f, at)});
        case Dir::SrcAndDst: return ir::all({wlan_source(f, at), wlan_destination(f, at)});
        case Dir::Addr1: return at(4);
        case Dir::Addr2: return ir::all({f.has_addr2(), at(10)});
        case Dir::Addr3: return ir::all({f.not_control(), at(16)});
        case Dir::Addr4: return ir::all({ir::eq(ir::arith(ir::ArithOp::And, f.fc1(), ir::constant(0x03)), 0x03), at(24)});
        // libpcap tests RA and TA in data frames only (FC type bit 0x08).
        case Dir::Ra: return ir::all({f.set0(0x08), at(4)});
        case Dir::Ta: return ir::all({f.has_addr2(), f.set0(0x08), at(10)});
    }
    return false;
}

// 802.2 LLC and SNAP tests on Ethernet, in libpcap's order (gen_llc_linktype, gen_snap).
ir::Pred llc_byte(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(c.layout.llc(off, 1), v); }

ir::Pred llc_half(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(c.layout.llc(off, 2), v); }

// SNAP: AA AA 03, a 3-byte OUI and a 2-byte type; compared as the last word, then the first.
ir::Pred snap(const Context& c, std::uint32_t oui, std::uint16_t type) {
    return ir::all({ir::eq(c.layout.llc(4, 4), (((oui >> 8) & 0xff) << 24) | ((oui & 0xff) << 16) | type),
                    ir::eq(c.layout.llc(0, 4), 0xaaaa0300u | (oui >> 16))});
}

ir::Pred llc_sap(const Context& c, std::uint32_t sap) {
    switch (sap) {
        case 0x06: return llc_half(c, 0, 0x0606);  // IP: both SAPs
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
        case W::Esis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.link().nlpid_offset, 0x82)});
        case W::Isis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.link().nlpid_offset, 0x83)});
        case W::Clnp: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.link().nlpid_offset, 0x81)});
        case W::Ipx: return ir::any({c.layout.ethertype(0x8137), ir::all({on_802_3, llc_sap(c, 0xe0)})});
        case W::Atalk: return ir::any({c.layout.ethertype(0x809b), ir::all({on_802_3, snap(c, 0x080007, 0x809b)})});
        case W::Aarp: return ir::any({c.layout.ethertype(0x80f3), ir::all({on_802_3, snap(c, 0, 0x80f3)})});
        default: break;
    }
    return false;
}

// The same protocols on link types whose frames always carry 802.2 LLC (FDDI, Token Ring, and
// 802.11 data frames): no 802.3 length check, and IPX by its SAP alone (libpcap's gen_llc_linktype).
ir::Pred llc_link_number(const Context& c, std::uint32_t number) {
    const ir::Pred data = c.layout.data_frame();
    switch (number) {
        case 0x06:
        case 0xfe:
        case 0xf0: return ir::all({data, llc_half(c, 0, (number << 8) | number)});  // both SAPs
        case 0x809b: return ir::all({data, snap(c, 0x080007, 0x809b)});            // AppleTalk over SNAP
        default: break;
    }
    if (number <= 1500) return ir::all({data, llc_byte(c, 0, number)});  // the DSAP
    return c.layout.ethertype(static_cast<std::uint16_t>(number));      // SNAP's EtherType
}

ir::Pred llc_link_protocol(const Context& c, ast::Keyword::Which w) {
    using W = ast::Keyword::Which;
    auto iso = [&](std::uint32_t nlpid) { return ir::all({llc_link_number(c, 0xfe), llc_byte(c, c.layout.link().nlpid_offset, nlpid)}); };
    switch (w) {
        case W::Llc: return c.layout.data_frame();
        case W::Stp: return llc_link_number(c, 0x42);
        case W::Ipx: return llc_link_number(c, 0xe0);
        case W::Netbeui: return llc_link_number(c, 0xf0);
        case W::Iso: return llc_link_number(c, 0xfe);
        case W::Esis: return iso(0x82);
        case W::Isis: return iso(0x83);
        case W::Clnp: return iso(0x81);
        case W::Atalk: return llc_link_number(c, 0x809b);
        case W::Aarp: return llc_link_number(c, 0x80f3);
        default: break;
    }
    return false;
}

// The same numbers on link types without 802.2 headers of their own (libpcap's gen_linktype):
// Linux cooked v1 says "802.2 follows" with protocol 4 (and "raw 802.3", i.e. IPX, with 1);
// PPP has numbers of its own for some; cooked v2 and Cisco HDLC compare the number as it is.
ir::Pred other_link_number(const Context& c, std::uint32_t number) {
    const LinkType& lt = c.layout.link();
    if (c.layout.field() != ProtocolField::EtherType || c.layout.in_geneve()) return c.layout.ethertype(static_cast<std::uint16_t>(number));
    const ir::Value proto = c.layout.protocol_field();
    auto is = [&](std::uint32_t v) { return ir::eq(proto, v); };
    if (lt.dlt == 104 && number == 0xfe) return is(0xfefe);  // Cisco HDLC: ISO as both SAPs
    if (lt.dlt != 113) return is(number);
    constexpr std::uint32_t kSll8022 = 4, kSll8023 = 1;
    switch (number) {
        case 0x06:
        case 0xfe:
        case 0xf0: return ir::all({is(kSll8022), llc_half(c, 0, (number << 8) | number)});
        case 0xe0:
            return ir::any({is(0x8137), is(kSll8023), ir::all({is(kSll8022), ir::any({llc_byte(c, 0, 0xe0), snap(c, 0, 0x8137)})})});
        case 0x809b: return ir::any({is(number), ir::all({is(kSll8022), snap(c, 0x080007, 0x809b)})});
        case 0x80f3: return ir::any({is(number), ir::all({is(kSll8022), snap(c, 0, 0x80f3)})});
        default: break;
    }
    if (number <= 1500) return ir::all({is(kSll8022), llc_byte(c, 0, number)});
    return is(number);
}

Result other_link_protocol(const Context& c, const ast::Keyword& k) {
    using W = ast::Keyword::Which;
    auto iso = [&](std::uint32_t nlpid) { return ir::all({other_link_number(c, 0xfe), llc_byte(c, c.layout.link().nlpid_offset, nlpid)}); };
    switch (k.which) {
        case W::Llc:
            return error(k.span, fmt::format("'llc' is not supported on link type {}", c.layout.link().name),
                         "802.2 LLC headers appear on Ethernet, FDDI, Token Ring and 802.11");
        case W::Stp: return other_link_number(c, 0x42);
        case W::Ipx: return other_link_number(c, 0xe0);
        case W::Netbeui: return other_link_number(c, 0xf0);
        case W::Iso: return other_link_number(c, 0xfe);
        case W::Esis: return iso(0x82);
        case W::Isis: return iso(0x83);
        case W::Clnp: return iso(0x81);
        case W::Atalk: return other_link_number(c, 0x809b);
        case W::Aarp: return other_link_number(c, 0x80f3);
        default: break;
    }
    return false;
}

// 802.11 frame types and subtypes by name (libpcap's tables), as FC byte 0 values.
struct FrameName {
    std::string_view name;
    std::uint8_t value;
};
constexpr FrameName kFrameTypes[] = {{"mgt", 0x00}, {"management", 0x00}, {"ctl", 0x04}, {"control", 0x04}, {"data", 0x08}};
constexpr FrameName kMgtSubtypes[] = {
    {"assocreq", 0x00}, {"assoc-req", 0x00}, {"assocresp", 0x10}, {"assoc-resp", 0x10}, {"reassocreq", 0x20},
    {"reassoc-req", 0x20}, {"reassocresp", 0x30}, {"reassoc-resp", 0x30}, {"probereq", 0x40}, {"probe-req", 0x40},
    {"proberesp", 0x50}, {"probe-resp", 0x50}, {"beacon", 0x80}, {"atim", 0x90}, {"disassoc", 0xa0},
    {"disassociation", 0xa0}, {"auth", 0xb0}, {"authentication", 0xb0}, {"deauth", 0xc0}, {"deauthentication", 0xc0}};
constexpr FrameName kCtlSubtypes[] = {{"ps-poll", 0xa0}, {"rts", 0xb0}, {"cts", 0xc0}, {"ack", 0xd0}, {"cf-end", 0xe0}, {"cf-end-ack", 0xf0}};
constexpr FrameName kDataSubtypes[] = {
    {"data", 0x00}, {"data-cf-ack", 0x10}, {"data-cf-poll", 0x20}, {"data-cf-ack-poll", 0x30}, {"null", 0x40},
    {"cf-ack", 0x50}, {"cf-poll", 0x60}, {"cf-ack-poll", 0x70}, {"qos-data", 0x80}, {"qos-data-cf-ack", 0x90},
    {"qos-data-cf-poll", 0xa0}, {"qos-data-cf-ack-poll", 0xb0}, {"qos", 0xc0}, {"qos-cf-poll", 0xe0}, {"qos-cf-ack-poll", 0xf0}};
constexpr FrameName kDirections[] = {{"nods", 0}, {"tods", 1}, {"fromds", 2}, {"dstods", 3}};

std::span<const FrameName> subtypes_of(std::uint32_t type) {
    if (type == 0x00) return kMgtSubtypes;
    if (type == 0x04) return kCtlSubtypes;
    if (type == 0x08) return kDataSubtypes;
    return {};
}

std::optional<std::uint8_t> find_frame_name(std::span<const FrameName> table, std::string_view name) {
    for (const auto& n : table)
        if (iequals(n.name, name)) return n.value;
    return std::nullopt;
}

std::string frame_names(std::span<const FrameName> table) {
    std::string out;
    for (const auto& n : table) out += fmt::format("{}{}", out.empty() ? "" : ", ", n.name);
    return out;
}

Result wlan_frame(const Context& c, const ast::Keyword& k) {
    using W = ast::Keyword::Which;
    const char* what = k.which == W::WlanDir ? "dir" : k.which == W::WlanType ? "type" : "subtype";
    // libpcap has these on 802.11 with or without a radio header, but not inside PPI.
    if (!c.layout.link().wlan() || c.layout.link().prefix == LinkPrefix::Ppi)
        return error(k.span, fmt::format("'{}' is not supported on link type {}", what, c.layout.link().name),
                     "802.11 frame tests need IEEE802_11, IEEE802_11_RADIO or PRISM_HEADER captures");
    FrameControl f{c};
    const ast::Number& arg = *k.arg;
    auto number = [&]() -> std::optional<std::uint32_t> {
        if (!std::isdigit(static_cast<unsigned char>(arg.text[0]))) return std::nullopt;
        return names::parse_number(arg.text).value;
    };
    if (k.which == W::WlanDir) {
        auto n = number();
        if (!n) n = find_frame_name(kDirections, arg.text);
        if (!n) return error(arg.span, fmt::format("unknown 802.11 direction '{}'", arg.text), "directions are nods, tods, fromds, dstods or a number");
        return ir::eq(ir::arith(ir::ArithOp::And, f.fc1(), ir::constant(0x03)), *n);
    }
    if (k.which == W::WlanSubtype) {
        // A subtype alone names its type too; the first table that has the name wins.
        for (std::uint32_t type : {0x00u, 0x04u, 0x08u})
            if (auto v = find_frame_name(subtypes_of(type), arg.text)) return f.masked0(0xfc, type | *v);
        return error(arg.span, fmt::format("unknown 802.11 subtype name '{}'", arg.text),
                     "use a name such as beacon, probe-req, ack, qos-data; a number needs 'type T subtype N'");
    }
    auto type = number();
    if (type && (*type & ~0x0cu))
        return error(arg.span, fmt::format("invalid 802.11 type value 0x{:02x}", *type), "types are 0 (mgt), 4 (ctl), 8 (data) and 12");
    if (!type) type = find_frame_name(kFrameTypes, arg.text);
    if (!type) return error(arg.span, fmt::format("unknown 802.11 type name '{}'", arg.text), "types are mgt, ctl and data");
    if (!k.arg2) return f.masked0(0x0c, *type);
    const ast::Number& sub = *k.arg2;
    std::optional<std::uint32_t> subtype;
    if (std::isdigit(static_cast<unsigned char>(sub.text[0]))) {
        subtype = names::parse_number(sub.text).value;
        if (subtype && (*subtype & ~0xf0u))
            return error(sub.span, fmt::format("invalid 802.11 subtype value 0x{:02x}", *subtype), "subtype values are multiples of 0x10 up to 0xf0");
    } else {
        subtype = find_frame_name(subtypes_of(*type), sub.text);
        if (!subtype) {
            if (subtypes_of(*type).empty()) return error(arg.span, fmt::format("802.11 type 0x{:02x} has no named subtypes", *type));
            return error(sub.span, fmt::format("unknown 802.11 subtype name '{}' for type '{}'", sub.text, arg.text),
                         fmt::format("valid subtypes: {}", frame_names(subtypes_of(*type))));
        }
    }
    if (!subtype) return error(sub.span, fmt::format("'{}' is not a number", sub.text));
    return f.masked0(0xfc, *type | *subtype);
}

}  // namespace

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
        if (auto e = need_mac(c, where, "multicast")) return std::unexpected(*e);
        // The group bit of the destination address.
        auto group_bit = [&](std::uint32_t off) {
            return ir::cmp(ir::CmpOp::AnySet, c.layout.link_header().load(off, 1), ir::constant(1));
        };
        if (c.layout.wlan()) return wlan_destination(FrameControl{c}, group_bit);
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
    // Walking more headers than this needs a loop, which classic BPF cannot have (README).
    constexpr unsigned kMaxHeaders = 16;
    const Base& nl = c.layout.network();
    auto chain = [&](bool ipv6) {
        return ir::all({ipv6 ? c.layout.ip6() : c.layout.ip(),
                        ir::ProtoChain{ipv6, static_cast<std::uint8_t>(*number), nl.k, nl.var, kMaxHeaders}});
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

// The first `vlan` live on Ethernet (libpcap's gen_vlan_bpf_extensions): a tag the kernel took
// out is in its ancillary fields, and later primitives stay where they are; a tag still in the
// frame (the kernel strips only the outer one, and not on every path) is tested as offline and
// moves them 4 bytes on, whether or not it matched, as libpcap's offsets do.
ir::Pred kernel_vlan(const Context& c, std::optional<std::uint32_t> id) {
    constexpr std::uint32_t kAncillaryVlanTci = 0xfffff02c, kAncillaryVlanPresent = 0xfffff030;  // SKF_AD_OFF + 44, + 48
    Layout& l = c.layout;
    l.enter_kernel_vlan();
    // Byte loads, as libpcap emits them: the kernel gives the whole field whatever the size, and
    // libpcap's user-space filter (used until the kernel's takes over) knows only this form.
    const ir::Pred stripped = ir::eq(ir::load(kAncillaryVlanPresent, 1), 1);
    const ir::Pred shift = ir::set_vars({{kVlanProtocol, true, ir::arith(ir::ArithOp::Add, ir::var(kVlanProtocol), ir::constant(4))},
                                         {kVlanNetwork, true, ir::arith(ir::ArithOp::Add, ir::var(kVlanNetwork), ir::constant(4))}});
    std::vector<ir::Pred> kernel = {stripped}, in_frame = {ir::any({l.ethertype(0x8100), l.ethertype(0x88a8), l.ethertype(0x9100)})};
    if (id) {
        kernel.push_back(ir::eq(ir::arith(ir::ArithOp::And, ir::load(kAncillaryVlanTci, 1), ir::constant(0x0fff)), *id));
        in_frame.push_back(ir::eq(ir::arith(ir::ArithOp::And, l.nl(0, 2), ir::constant(0x0fff)), *id));
    }
    in_frame.push_back(shift);
    return ir::any({ir::all(std::move(kernel)),
                    ir::all({ir::negate(stripped), ir::any({ir::all(std::move(in_frame)), ir::all({shift, false})})})});
}

// `geneve [vni]`: UDP to port 6081 carrying Geneve version 0 (with that VNI); later primitives
// look inside, at the Ethernet frame (protocol 0x6558) or packet (any other) it carries, whose
// offset depends on the Geneve options' length (libpcap's gen_geneve).
Result geneve(const Context& c, const ast::Keyword& k, std::optional<std::uint32_t> vni) {
    if (vni && *vni > 0xffffff) return error(k.arg->span, fmt::format("Geneve VNI {} is out of range", *vni), "VNIs are 0..16777215");
    constexpr std::uint32_t kGenevePort = 6081, kTransparentEthernet = 0x6558;
    using ir::ArithOp;
    Layout& l = c.layout;
    auto version_0 = [](ir::Value first_byte) { return ir::eq(ir::arith(ArithOp::And, std::move(first_byte), ir::constant(0xc0)), 0); };
    auto vni_is = [&](ir::Value word) { return ir::eq(ir::arith(ArithOp::And, std::move(word), ir::constant(0xffffff00)), *vni << 8); };
    // Over IPv4: a first fragment; the Geneve header 8 bytes into the UDP header.
    std::vector<ir::Pred> v4 = {l.ip(), ir::eq(l.nl(9, 1), kProtoUdp), l.ipv4_first_fragment(),
                                ir::eq(l.transport(2, 2), kGenevePort), version_0(l.transport(8, 1))};
    if (vni) v4.push_back(vni_is(l.transport(12, 4)));
    v4.push_back(ir::set_vars({{kGeneveHeader, true,
                                ir::arith(ArithOp::Add, l.transport_index(), ir::constant(l.network().k + 8))}}));
    // Over IPv6: UDP right after the fixed header.
    std::vector<ir::Pred> v6 = {l.ip6(), ir::eq(l.nl(6, 1), kProtoUdp), ir::eq(l.nl(42, 2), kGenevePort), version_0(l.nl(48, 1))};
    if (vni) v6.push_back(vni_is(l.nl(52, 4)));
    v6.push_back(ir::set_vars({{kGeneveHeader, true, l.network().plus(48).offset()}}));
    // The payload follows the 8-byte header and 4 * (byte 0 & 0x3f) bytes of options; its
    // protocol is an EtherType at byte 2, 0x6558 for an Ethernet frame.
    const ir::Value header = ir::var(kGeneveHeader), payload = ir::var(kGenevePayload);
    const ir::Pred ethernet = ir::eq(ir::load_indexed(header, 2, 2), kTransparentEthernet);
    ir::Value options = ir::arith(ArithOp::Lsh, ir::arith(ArithOp::And, ir::load_indexed(header, 0, 1), ir::constant(0x3f)), ir::constant(2));
    ir::Pred inner = ir::set_vars({
        {kGeneveProtocol, true, ir::arith(ArithOp::Add, header, ir::constant(2))},
        {kGenevePayload, true, ir::arith(ArithOp::Add, ir::arith(ArithOp::Add, header, ir::constant(8)), options)},
        {kGeneveNetwork, true, payload},
        {kGeneveProtocol, ethernet, ir::arith(ArithOp::Add, payload, ir::constant(12))},
        {kGeneveNetwork, ethernet, ir::arith(ArithOp::Add, payload, ir::constant(14))},
    });
    ir::Pred matched = ir::all({ir::any({ir::all(std::move(v4)), ir::all(std::move(v6))}), std::move(inner)});
    l.enter_geneve();
    return matched;
}

Result keyword(const Context& c, const ast::Keyword& k) {
    std::optional<std::uint32_t> n;
    using W = ast::Keyword::Which;
    if (k.arg && k.which != W::WlanType && k.which != W::WlanSubtype && k.which != W::WlanDir) {
        auto v = names::parse_number(k.arg->text);
        if (!v.value) return error(k.arg->span, v.error);
        n = v.value;
    }
    switch (k.which) {
        case ast::Keyword::Which::Less: return ir::negate(ir::cmp(ir::CmpOp::Gt, ir::WireLength{}, ir::constant(*n)));
        case ast::Keyword::Which::Greater: return ir::cmp(ir::CmpOp::Ge, ir::WireLength{}, ir::constant(*n));
        case ast::Keyword::Which::Vlan: {
            // libpcap matches VLAN tags on Ethernet and in 802.11 data frames (not inside PPI).
            const LinkType& lt = c.layout.link();
            if (!(c.layout.mac() == MacHeader::Ethernet || (c.layout.wlan() && lt.prefix != LinkPrefix::Ppi)))
                return error(k.span, fmt::format("'vlan' is not supported on link type {}", lt.name), "it needs Ethernet or 802.11 frames");
            if (c.layout.mpls_depth() > 0) return error(k.span, "no VLAN match after MPLS", "put 'vlan' before 'mpls'");
            if (n && *n > 4095) return error(k.arg->span, fmt::format("VLAN id {} is out of range", *n), "VLAN ids are 0..4095");
            if (c.kernel_vlan && c.layout.vlan_depth() == 0 && lt.mac == MacHeader::Ethernet && !c.layout.in_geneve() &&
                c.layout.field() == ProtocolField::EtherType)
                return kernel_vlan(c, n);
            // 802.1Q, 802.1ad or the old QinQ EtherType, then (optionally) the 12-bit id.
            std::vector<ir::Pred> terms = {ir::any({c.layout.ethertype(0x8100), c.layout.ethertype(0x88a8), c.layout.ethertype(0x9100)})};
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 2), ir::constant(0x0fff)), *n));
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
                terms.push_back(ir::negate(ir::cmp(ir::CmpOp::AnySet, c.layout.nl_before(2, 1), ir::constant(1))));
            }
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 4), ir::constant(0xfffff000)), *n << 12));
            c.layout.skip_mpls_label();
            return ir::all(std::move(terms));
        }
        case ast::Keyword::Which::Pppoed: return c.layout.ethertype(0x8863);
        case ast::Keyword::Which::Pppoes: {
            if (n && *n > 0xffff) return error(k.arg->span, fmt::format("PPPoE session id {} is out of range", *n), "ids are 0..65535");
            std::vector<ir::Pred> terms = {c.layout.ethertype(0x8864)};
            if (n) terms.push_back(ir::eq(ir::arith(ir::ArithOp::And, c.layout.nl(0, 4), ir::constant(0xffff)), *n));
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
            if (c.layout.field() == ProtocolField::Llc) return llc_link_protocol(c, k.which);
            if (c.layout.mac() != MacHeader::Ethernet) return other_link_protocol(c, k);
            return lan_protocol(c, k.which);
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
            return ir::eq(ir::load(kAncillaryIfindex, 4), *n);
    }
    return false;
}

}  // namespace sniff::lowering
