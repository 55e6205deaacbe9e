// 802.11: which address is the source or destination for the frame type and DS bits, the RA/TA
// and addr1-4 fields, and `type`/`subtype`/`dir` (libpcap's gen_wlanhostop, gen_p80211_type).
#include "compiler/lower_parts.hpp"

#include <fmt/format.h>

#include <cctype>
#include <span>

#include "compiler/names.hpp"
#include "compiler/spelling.hpp"

namespace sniff::lowering {
namespace {

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

}  // namespace

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


ir::Pred wlan_destination(const Context& c, const std::function<ir::Pred(std::uint32_t)>& at_offset) {
    return wlan_destination(FrameControl{c}, at_offset);
}

namespace {

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
// Block ack request and block ack ("bar", "ba") are in libpcap's current grammar, not in 1.10.3's.
constexpr FrameName kCtlSubtypes[] = {{"bar", 0x80}, {"ba", 0x90}, {"ps-poll", 0xa0}, {"rts", 0xb0}, {"cts", 0xc0}, {"ack", 0xd0}, {"cf-end", 0xe0}, {"cf-end-ack", 0xf0}};
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

}  // namespace

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


}  // namespace sniff::lowering
