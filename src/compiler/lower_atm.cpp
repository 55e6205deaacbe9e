// SunATM: the traffic type, VPI and VCI of the 4-byte SunATM header, the well-known virtual
// circuits (ITU-T I.610 OAM F4, UNI 3.1 signalling and ILMI), Q.2931 call messages, and `lane`,
// as libpcap 1.10's gen_atmtype_abbrev and gen_atmfield_code compile them.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <initializer_list>
#include <vector>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

using W = ast::Keyword::Which;

// SunATM traffic types (low nibble of byte 0), as libpcap numbers them.
constexpr std::uint32_t kTrafficLane = 1;
// Q.2931 message types (§4.4.2): the byte libpcap reads 9 bytes into the frame (5 into the
// signalling PDU), on the signalling circuit (`connectmsg`) and the meta-signalling one (`metaconnect`).
constexpr std::uint32_t kCallProceeding = 0x02, kConnect = 0x07, kConnectAck = 0x0f, kSetup = 0x05, kRelease = 0x4d,
                        kReleaseComplete = 0x5a;

// The header's fields. libpcap reads them from the link header, which `lane` moves to the LANE
// Ethernet frame: after `lane`, `vpi 1` reads byte 7 of the frame, as libpcap 1.10 does.
ir::Value vpi(const Context& c) { return c.layout.link_header().load(1, 1); }
ir::Value vci(const Context& c) { return c.layout.link_header().load(2, 2); }

// A virtual circuit: VPI 0 and one of `vcis` (the well-known channels of ATM Forum UNI 3.1).
ir::Pred circuit(const Context& c, std::initializer_list<std::uint32_t> vcis) {
    std::vector<ir::Pred> any;
    for (std::uint32_t v : vcis) any.push_back(ir::eq(vci(c), v));
    return ir::all({ir::eq(vpi(c), 0), ir::any(std::move(any))});
}

ir::Pred message(const Context& c, std::initializer_list<std::uint32_t> types) {
    std::vector<ir::Pred> any;
    for (std::uint32_t t : types) any.push_back(ir::eq(c.layout.link_header().load(9, 1), t));
    return ir::any(std::move(any));
}

}  // namespace

Result atm(const Context& c, const ast::Keyword& k) {
    const LinkType& lt = c.layout.link();
    if (!lt.sunatm) {
        std::string word = c.text_of(k.span).substr(0, c.text_of(k.span).find_first_of(" \t\r\n(<>=!"));
        return error(k.span, fmt::format("'{}' is not supported on link type {}", word, lt.name),
                     "it needs raw ATM frames with a SunATM header (link type SUNATM)");
    }
    switch (k.which) {
        case W::Lane: {
            ir::Pred lane = ir::eq(ir::arith(ir::ArithOp::And, c.layout.link_header().load(0, 1), ir::constant(0x0f)), kTrafficLane);
            c.layout.enter_lane();
            return lane;
        }
        case W::Oam: return circuit(c, {3, 4});  // OAM F4 segment and end-to-end flows (I.610)
        case W::Oamf4sc: return circuit(c, {3});
        case W::Oamf4ec: return circuit(c, {4});
        case W::Metac: return circuit(c, {1});
        case W::Bcc: return circuit(c, {2});
        case W::Sc: return circuit(c, {5});
        case W::Ilmic: return circuit(c, {16});
        case W::Connectmsg:
            return ir::all({circuit(c, {5}), message(c, {kReleaseComplete, kRelease, kConnectAck, kConnect, kSetup, kCallProceeding})});
        case W::Metaconnect:
            return ir::all({circuit(c, {1}), message(c, {kReleaseComplete, kRelease, kConnect, kSetup, kCallProceeding})});
        default: break;
    }
    // `vpi`/`vci`: no range check, as libpcap has none (`vpi 256` matches nothing).
    auto n = names::parse_number(k.arg->text);
    if (!n.value) return error(k.arg->span, n.error);
    return field_relation(k.relop, k.which == W::Vpi ? vpi(c) : vci(c), *n.value);
}

}  // namespace sniff::lowering
