// 802.2 LLC and the old LAN protocols (stp, ipx, iso, atalk…) on every link type, each the way
// libpcap's gen_linktype and gen_llc_linktype test it there.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

namespace sniff::lowering {
namespace {

// 802.2 LLC and SNAP tests on Ethernet, in libpcap's order (gen_llc_linktype, gen_snap).
ir::Pred llc_byte(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(c.layout.llc(off, 1), v); }

ir::Pred llc_half(const Context& c, std::uint32_t off, std::uint32_t v) { return ir::eq(c.layout.llc(off, 2), v); }

// SNAP: AA AA 03, a 3-byte OUI and a 2-byte type; compared as the last word, then the first.
ir::Pred snap(const Context& c, std::uint32_t oui, std::uint16_t type) {
    return ir::all({ir::eq(c.layout.llc(4, 4), (((oui >> 8) & 0xff) << 24) | ((oui & 0xff) << 16) | type),
                    ir::eq(c.layout.llc(0, 4), 0xaaaa0300u | (oui >> 16))});
}

}  // namespace

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
    if (c.layout.field() != ProtocolField::EtherType) return c.layout.ethertype(static_cast<std::uint16_t>(number));
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


}  // namespace sniff::lowering
