// 802.2 LLC and the old LAN protocols (stp, ipx, iso, atalk…) on every link type, each the way
// libpcap's gen_linktype and gen_llc_linktype test it there.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <vector>

#include "compiler/names.hpp"

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
        // `llc` after SunATM's `lane` has no LE control test, the others have (libpcap's gen_llc).
        case W::Llc: return ir::all({c.layout.is_802_3(false), ir::negate(llc_half(c, 0, 0xffff))});
        case W::Stp: return ir::all({on_802_3, llc_byte(c, 0, 0x42)});
        case W::Netbeui: return ir::all({on_802_3, llc_sap(c, 0xf0)});
        case W::Iso: return ir::all({on_802_3, llc_sap(c, 0xfe)});
        case W::Esis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.nlpid_offset(), 0x82)});
        case W::Isis: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.nlpid_offset(), 0x83)});
        case W::Clnp: return ir::all({on_802_3, llc_sap(c, 0xfe), llc_byte(c, c.layout.nlpid_offset(), 0x81)});
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
    auto iso = [&](std::uint32_t nlpid) { return ir::all({llc_link_number(c, 0xfe), llc_byte(c, c.layout.nlpid_offset(), nlpid)}); };
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
    // Under MPLS the IP version says it (Layout::ethertype), on Cisco HDLC as on Ethernet.
    if (c.layout.field() != ProtocolField::EtherType || c.layout.mpls_depth() > 0)
        return c.layout.ethertype(static_cast<std::uint16_t>(number));
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
    auto iso = [&](std::uint32_t nlpid) { return ir::all({other_link_number(c, 0xfe), llc_byte(c, c.layout.nlpid_offset(), nlpid)}); };
    switch (k.which) {
        case W::Llc:
            if (c.layout.in_pppoe())
                return error(k.span, "'llc' is not supported after 'pppoes'", "the rest of the frame is PPP, which has no LLC header");
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

// `llc KIND`: the control byte after DSAP and SSAP, tested as libpcap's gen_llc_i, gen_llc_s,
// gen_llc_u, gen_llc_s_subtype and gen_llc_u_subtype test it (ISO/IEC 8802-2: an I frame has bit 0
// clear, S frames end in 01 and U frames in 11; S commands are the low nibble, U commands all but
// the poll/final bit 0x10). Names are compared case-insensitively, as libpcap's grammar does.
Result llc_frame_kind(const Context& c, const ast::Keyword& k) {
    struct FrameKind {
        std::string_view name;
        std::uint32_t mask, value;
    };
    static constexpr FrameKind kinds[] = {
        {"i", 0x01, 0x00},    {"s", 0x03, 0x01},     {"u", 0x03, 0x03},    {"rr", 0x0f, 0x01},   {"rnr", 0x0f, 0x05},
        {"rej", 0x0f, 0x09},  {"ui", 0xef, 0x03},    {"ua", 0xef, 0x63},   {"disc", 0xef, 0x43}, {"dm", 0xef, 0x0f},
        {"sabme", 0xef, 0x6f}, {"test", 0xef, 0xe3}, {"xid", 0xef, 0xaf},  {"frmr", 0xef, 0x87}};
    std::string name = k.arg->text;
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const FrameKind* kind = nullptr;
    for (const FrameKind& f : kinds)
        if (f.name == name) kind = &f;
    if (!kind)
        return error(k.arg->span, fmt::format("unknown LLC frame kind '{}'", k.arg->text),
                     "write i, s or u, an S frame (rr, rnr, rej) or a U frame (ui, ua, disc, dm, sabme, test, xid, frmr)");
    Result llc = keyword(c, ast::Keyword{ast::Keyword::Which::Llc, std::nullopt, std::nullopt, k.span});
    if (!llc) return llc;
    const ir::Value control = c.layout.llc(2, 1);
    // An I frame: libpcap tests the bit with jset and takes the false branch.
    ir::Pred test = kind->name == "i" ? ir::negate(ir::cmp(ir::CmpOp::AnySet, control, ir::constant(0x01)))
                                      : ir::eq(ir::arith(ir::ArithOp::And, control, ir::constant(kind->mask)), kind->value);
    return ir::all({std::move(*llc), std::move(test)});
}

// Where libpcap reads the IS-IS PDU type: 4 bytes past the start of the OSI payload (its
// OR_LINKPL_NOSNAP + 4). That is the header's PDU type field where the NLPID starts the payload.
// On Cisco HDLC the NLPID follows a fudge byte (nlpid_offset 1) and libpcap still reads 4 past the
// fudge byte, i.e. the header's ID length field: sniff reads the same byte, so that `l1`,
// `isis proto N`… keep the packets libpcap keeps there (gencode.c, gen_proto for Q_ISIS).
namespace {
std::uint32_t isis_pdu_type_offset(const Context& c) {
    const std::uint32_t fudge = c.layout.link().dlt == 104 && c.layout.nlpid_offset() == 1 ? 1 : 0;
    return c.layout.nlpid_offset() - fudge + 4;
}
}  // namespace

// IS-IS PDU types (ISO 10589 section 9): LAN hellos of level 1 (15) and 2 (16), the point-to-point
// hello (17, in both levels, as libpcap counts it), LSPs (18, 20), CSNPs (24, 25) and PSNPs (26, 27).
// The type is the fifth byte of the IS-IS header, which starts at the NLPID.
Result isis_pdu(const Context& c, const ast::Keyword& k) {
    using W = ast::Keyword::Which;
    std::vector<std::uint32_t> types;
    switch (k.which) {
        case W::IsisL1: types = {0x0f, 0x11, 0x12, 0x18, 0x1a}; break;
        case W::IsisL2: types = {0x10, 0x11, 0x14, 0x19, 0x1b}; break;
        case W::IsisIih: types = {0x0f, 0x10, 0x11}; break;
        case W::IsisLsp: types = {0x12, 0x14}; break;
        case W::IsisSnp: types = {0x18, 0x19, 0x1a, 0x1b}; break;
        case W::IsisCsnp: types = {0x18, 0x19}; break;
        default: types = {0x1a, 0x1b}; break;  // IsisPsnp
    }
    Result isis = keyword(c, ast::Keyword{W::Isis, std::nullopt, std::nullopt, k.span});
    if (!isis) return isis;
    const ir::Value pdu_type = c.layout.llc(isis_pdu_type_offset(c), 1);
    std::vector<ir::Pred> any;
    for (std::uint32_t t : types) any.push_back(ir::eq(pdu_type, t));
    return ir::all({std::move(*isis), ir::any(std::move(any))});
}

// `iso proto N` tests the NLPID of ISO traffic (libpcap's gen_proto for Q_ISO), `isis proto N`
// the IS-IS PDU type (Q_ISIS). libpcap does not check that N fits in the byte: `iso proto 300`
// compiles to a test no packet passes, and so it does here.
Result osi_protocol(const Context& c, const ast::Qualifiers& q, const ast::Value& v) {
    using W = ast::Keyword::Which;
    const bool isis = q.proto->value == Proto::Isis;
    const std::string qualifier = c.text_of(q.proto->span);
    if (q.dir) return error(q.dir->span, fmt::format("a direction cannot qualify '{} proto'", qualifier), fmt::format("write '{} proto N'", qualifier));
    std::optional<std::uint32_t> number;
    if (v.shape == ast::Value::Shape::Number) {
        auto n = names::parse_number(v.text);
        if (!n.value) return error(v.span, n.error);
        number = n.value;
    } else if (!isis) {
        std::string name = v.text;
        if (!name.empty() && name[0] == '\\') name.erase(0, 1);
        static const std::pair<std::string_view, std::uint32_t> nlpids[] = {{"clnp", 0x81}, {"esis", 0x82}, {"isis", 0x83}};
        for (auto [n, id] : nlpids)
            if (name == n) number = id;
        if (!number)
            return error(v.span, fmt::format("unknown OSI protocol '{}'", v.text), "write \\clnp, \\esis, \\isis or the NLPID as a number");
    } else {
        return error(v.span, fmt::format("'{} proto' takes a PDU type number, not '{}'", qualifier, v.text),
                     "e.g. 'isis proto 0x12' (a level 1 LSP)");
    }
    Result base = keyword(c, ast::Keyword{isis ? W::Isis : W::Iso, std::nullopt, std::nullopt, q.proto->span});
    if (!base) return base;
    const std::uint32_t at = isis ? isis_pdu_type_offset(c) : c.layout.nlpid_offset();
    return ir::all({std::move(*base), ir::eq(c.layout.llc(at, 1), *number)});
}

}  // namespace sniff::lowering
