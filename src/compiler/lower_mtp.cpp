// SS7 signalling units (ITU-T Q.703 MTP2, Q.704 MTP3): `fisu`, `lssu`, `msu` and the fields of
// the MTP3 routing label, at the offsets and with the bit packing of libpcap 1.10's programs.
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include "compiler/names.hpp"

namespace sniff::lowering {
namespace {

using W = ast::Keyword::Which;

// A routing label field: where it is from the SIO, how many bytes are loaded, which bits of them
// hold it, the largest value it takes, and how a value is laid out in those bits.
struct Field {
    const char* name;
    std::uint32_t from_sio;  // bytes after the SIO
    std::uint8_t size;       // bytes loaded (1 or 4)
    std::uint32_t mask;      // 0xffffffff: the whole load
    std::uint32_t max;
    std::uint32_t (*pack)(std::uint32_t);
};

// The routing label (Q.704 §2.2) is DPC (14 bits), OPC (14 bits), SLS (4 bits), sent least
// significant bit first: loaded as a big-endian word at the byte after the SIO, the DPC's low 8
// bits are the top byte and its high 6 bits the low 6 of the next; the OPC's low 2 bits are the
// top 2 of that byte, its next 8 the third byte and its high 4 the low 4 of the fourth; the SLS is
// the fourth byte's high nibble. The values are packed to match, as libpcap's gen_mtp3field_code does.
std::uint32_t as_is(std::uint32_t v) { return v; }
std::uint32_t pack_dpc(std::uint32_t v) { return ((v & 0xff) << 24) | ((v & 0x3f00) << 8); }
std::uint32_t pack_opc(std::uint32_t v) { return ((v & 0x3c00) >> 10) | ((v & 0x3fc) << 6) | ((v & 0x3) << 22); }
std::uint32_t pack_sls(std::uint32_t v) { return v << 4; }

constexpr Field kSio{"sio", 0, 1, 0xffffffff, 255, as_is};
constexpr Field kOpc{"opc", 1, 4, 0x00c0ff0f, 16383, pack_opc};
constexpr Field kDpc{"dpc", 1, 4, 0xff3f0000, 16383, pack_dpc};
constexpr Field kSls{"sls", 4, 1, 0xf0, 15, pack_sls};

const Field& field_of(W w) {
    switch (w) {
        case W::Opc: case W::Hopc: return kOpc;
        case W::Dpc: case W::Hdpc: return kDpc;
        case W::Sls: case W::Hsls: return kSls;
        default: return kSio;
    }
}

bool high_speed(W w) { return w == W::Hfisu || w == W::Hlssu || w == W::Hmsu || w == W::Hsio || w == W::Hopc || w == W::Hdpc || w == W::Hsls; }

ir::Value masked(ir::Value v, std::uint32_t mask) {
    return mask == 0xffffffff ? v : ir::arith(ir::ArithOp::And, std::move(v), ir::constant(mask));
}

}  // namespace

// libpcap 1.10 compiles `!=` on these fields as `=` (its grammar maps NEQ to an equality test it
// never reverses); sniff tests inequality, as pcap-filter(7) says (README, "Deliberate differences").
ir::Pred field_relation(ast::RelOp op, ir::Value v, std::uint32_t k) {
    switch (op) {
        case ast::RelOp::Eq: return ir::eq(std::move(v), k);
        case ast::RelOp::Ne: return ir::negate(ir::eq(std::move(v), k));
        case ast::RelOp::Gt: return ir::cmp(ir::CmpOp::Gt, std::move(v), ir::constant(k));
        case ast::RelOp::Ge: return ir::cmp(ir::CmpOp::Ge, std::move(v), ir::constant(k));
        case ast::RelOp::Le: return ir::negate(ir::cmp(ir::CmpOp::Gt, std::move(v), ir::constant(k)));
        case ast::RelOp::Lt: return ir::negate(ir::cmp(ir::CmpOp::Ge, std::move(v), ir::constant(k)));
    }
    return false;
}

Result mtp(const Context& c, const ast::Keyword& k) {
    const LinkType& lt = c.layout.link();
    const bool hsl = high_speed(k.which);
    const bool unit_type = k.which <= W::Hmsu;
    if (!lt.mtp2_offset) {
        std::string word = c.text_of(k.span).substr(0, c.text_of(k.span).find_first_of(" \t\r\n(<>=!"));
        return error(k.span, fmt::format("'{}' is not supported on link type {}", word, lt.name),
                     "it needs SS7 MTP2 frames: link type MTP2, MTP2_WITH_PHDR or ERF (libpcap has no MTP3 offsets)");
    }
    const std::uint32_t li = *lt.mtp2_offset;
    if (unit_type) {
        // Q.703 §2.3.3: the length indicator (low 6 bits) is 0 for a FISU, 1 or 2 for an LSSU, more
        // for an MSU. High-speed links (Annex A) have a 9-bit indicator in the top of a 16-bit word
        // 2 bytes on, compared with libpcap's constants 0 and 0x100 (its bit 7 up, as it loads them).
        const ir::Value length = hsl ? ir::arith(ir::ArithOp::And, ir::load(li + 2, 2), ir::constant(0xff80))
                                     : ir::arith(ir::ArithOp::And, ir::load(li, 1), ir::constant(0x3f));
        const std::uint32_t lssu_max = hsl ? 0x100 : 2;
        switch (k.which) {
            case W::Fisu: case W::Hfisu: return ir::eq(length, 0);
            case W::Lssu: case W::Hlssu:
                return ir::all({ir::cmp(ir::CmpOp::Gt, length, ir::constant(0)),
                                ir::negate(ir::cmp(ir::CmpOp::Gt, length, ir::constant(lssu_max)))});
            default: return ir::cmp(ir::CmpOp::Gt, length, ir::constant(lssu_max));
        }
    }
    const Field& f = field_of(k.which);
    auto n = names::parse_number(k.arg->text);
    if (!n.value) return error(k.arg->span, n.error);
    if (*n.value > f.max)
        return error(k.arg->span, fmt::format("{}{} value {} is too big: at most {}", hsl ? "h" : "", f.name, *n.value, f.max),
                     f.max == 255 ? "the SIO is one byte" : f.max == 15 ? "the SLS has 4 bits" : "point codes have 14 bits");
    const std::uint32_t sio = hsl ? li + 4 : li + 1;
    return field_relation(k.relop, masked(ir::load(sio + f.from_sio, f.size), f.mask), f.pack(*n.value));
}

}  // namespace sniff::lowering
