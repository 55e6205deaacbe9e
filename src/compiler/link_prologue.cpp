// The prologues follow libpcap's gencode: the same loads, so the same packets are rejected when
// a header is cut short.
#include "compiler/link_prologue.hpp"

namespace sniff {
namespace {

using ir::ArithOp;
using ir::CmpOp;

ir::Pred bit_set(ir::Value v, std::uint32_t bits) { return ir::cmp(CmpOp::AnySet, std::move(v), ir::constant(bits)); }

// A little-endian 16-bit field (radiotap's and PPI's header length).
ir::Value le16(std::uint32_t at) {
    return ir::arith(ArithOp::Or, ir::arith(ArithOp::Lsh, ir::load(at + 1, 1), ir::constant(8)), ir::load(at, 1));
}

constexpr std::uint32_t kPrismLength = 144, kAvsMagic = 0x80211000, kPpiDlt80211 = 0x69000000;  // 105, little-endian
// Radiotap "present" word, loaded big-endian: TSFT (bit 0), FLAGS (bit 1), EXT (bit 31).
constexpr std::uint32_t kPresentTsft = 0x01000000, kPresentFlags = 0x02000000, kPresentExt = 0x00000080;
constexpr std::uint32_t kFlagDataPad = 0x20;

void link_header_length(LinkPrefix prefix, std::vector<ir::Assign>& out) {
    switch (prefix) {
        case LinkPrefix::Radiotap:
        case LinkPrefix::Ppi: out.push_back({kLinkHeaderVar, true, le16(2)}); break;
        case LinkPrefix::Prism:
            // A Prism header is 144 bytes; an AVS header (magic in the top 20 bits) says its length.
            out.push_back({kLinkHeaderVar, true, ir::constant(kPrismLength)});
            out.push_back({kLinkHeaderVar,
                           ir::eq(ir::arith(ArithOp::And, ir::load(0, 4), ir::constant(0xfffff000)), kAvsMagic),
                           ir::load(4, 4)});
            break;
        case LinkPrefix::Avs:
            // DLT 163 is always AVS: libpcap loads the length without PRISM_HEADER's magic test.
            out.push_back({kLinkHeaderVar, true, ir::load(4, 4)});
            break;
        case LinkPrefix::None:
        case LinkPrefix::Pflog: break;
    }
}

// The 802.11 header: 24 bytes, 2 more for QoS data frames, and on radiotap, padded to 4 bytes
// when the radiotap flags say the driver padded it.
void payload_offset(LinkPrefix prefix, std::vector<ir::Assign>& out) {
    const bool prefixed = prefix != LinkPrefix::None;
    const ir::Value header = ir::var(kLinkHeaderVar), payload = ir::var(kPayloadVar);
    out.push_back({kPayloadVar, true, prefixed ? ir::arith(ArithOp::Add, header, ir::constant(24)) : ir::constant(24)});
    const ir::Value fc = prefixed ? ir::load_indexed(header, 0, 1) : ir::load(0, 1);
    const ir::Pred data = ir::all({bit_set(fc, 0x08), ir::negate(bit_set(fc, 0x04))});
    out.push_back({kPayloadVar, ir::all({data, bit_set(fc, 0x80)}), ir::arith(ArithOp::Add, payload, ir::constant(2))});
    if (prefix != LinkPrefix::Radiotap) return;
    const ir::Value present = ir::load(4, 4);
    // The flags field follows the 8-byte TSFT field when that is present.
    const ir::Pred padded = ir::any({ir::all({bit_set(present, kPresentTsft), bit_set(ir::load(16, 1), kFlagDataPad)}),
                                     ir::all({ir::negate(bit_set(present, kPresentTsft)), bit_set(ir::load(8, 1), kFlagDataPad)})});
    out.push_back({kPayloadVar,
                   ir::all({data, bit_set(present, kPresentFlags), ir::negate(bit_set(present, kPresentExt)), padded}),
                   ir::arith(ArithOp::And, ir::arith(ArithOp::Add, payload, ir::constant(3)), ir::constant(~3u))});
}

// Where the network header starts after a pflog header: its length (byte 0, in bytes) rounded
// up to 4, as libpcap computes it (gencode's PFLOG offset; struct pfloghdr is padded so).
ir::Value pflog_network_offset() {
    return ir::arith(ArithOp::And, ir::arith(ArithOp::Add, ir::load(0, 1), ir::constant(3)), ir::constant(~3u));
}

}  // namespace

LinkSetup link_setup(const LinkType& link, std::uint32_t vars_used) {
    LinkSetup setup;
    const bool payload = vars_used & (1u << kPayloadVar);
    if (link.prefix == LinkPrefix::Pflog) {
        if (payload) setup.prologue.push_back({kPayloadVar, true, pflog_network_offset()});
        return setup;
    }
    const bool header = (vars_used & (1u << kLinkHeaderVar)) || (payload && link.prefix != LinkPrefix::None);
    if (header) link_header_length(link.prefix, setup.prologue);
    if (payload) payload_offset(link.prefix, setup.prologue);
    if (link.prefix == LinkPrefix::Ppi) setup.precondition = ir::eq(ir::load(4, 4), kPpiDlt80211);
    return setup;
}

}  // namespace sniff
