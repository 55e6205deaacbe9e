// DECnet Phase IV over Ethernet (EtherType 0x6003): the DNA Routing Layer (routing spec V2.0:
// a little-endian length, optional padding, the routing flags, then a short or long data header
// or a control message) and the Network Services Protocol messages it carries (NSP V4.0.1).
// Node addresses are 16-bit little-endian, area (6 bits) and node (10 bits).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string node_address(std::uint16_t a) { return fmt::format("{}.{}", a >> 10, a & 0x3ff); }

// Reads little-endian fields into the layer while they were captured.
struct LeReader {
    Context& c;
    Layer& l;
    bool ok = true;
    bool u8(std::string_view key, std::size_t at) {
        if (ok && !(ok = c.r.has(at, 1))) c.truncated("decnet");
        if (ok) l.set(key, c.r.u8(at));
        return ok;
    }
    bool u16(std::string_view key, std::size_t at) {
        if (ok && !(ok = c.r.has(at, 2))) c.truncated("decnet");
        if (ok) l.set(key, c.r.u16le(at));
        return ok;
    }
};

void dissect_nsp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("nsp", o);
    l.set("length", end > o ? end - o : 0);
    if (end < o + 5) return;  // shorter than the common message header: invalid
    LeReader f{c, l};
    if (!(f.u8("msgflg", o) && f.u16("dst", o + 1) && f.u16("src", o + 3))) return;
    const std::uint8_t flags = c.r.u8(o);
    switch (flags & 0x0c) {
        case 0x00:  // data messages, interrupt and link service: acknowledgement words, segment number
            // Each acknowledgement word is there when the one before says so (bit 15, bit 13).
            if (f.u16("ack_number", o + 5) && (c.r.u16le(o + 5) & 0x8000) && f.u16("ack_other", o + 7) &&
                (c.r.u16le(o + 7) & 0x2000))
                f.u16("segment", o + 9);
            if ((flags & 0x70) == 0x10) f.u8("ls_flags", o + 11) && f.u8("fc_value", o + 12);
            return;
        case 0x04:  // acknowledgements
            if ((flags & 0x70) != 0x20 && f.u16("ack_number", o + 5) && (c.r.u16le(o + 5) & 0x8000)) f.u16("ack_other", o + 7);
            return;
        case 0x08:  // control messages
            switch (flags & 0x70) {
                case 0x10: case 0x50: case 0x20:  // connect initiate, retransmitted, connect confirm
                    f.u8("services", o + 5) && f.u8("info", o + 6) && f.u16("segment_size", o + 7);
                    if ((flags & 0x70) == 0x20) f.u8("optional_length", o + 9);
                    return;
                case 0x30:  // disconnect initiate
                    f.u16("reason", o + 5) && f.u8("optional_length", o + 7);
                    return;
                case 0x40:  // disconnect confirm
                    f.u16("reason", o + 5);
                    return;
                default: return;
            }
        default: return;
    }
}

}  // namespace

void dissect_decnet(Context& c, std::size_t o, std::size_t /*end*/) {
    Layer& l = c.add("decnet", o);
    if (!c.r.has(o, 2)) return c.truncated("decnet");
    const std::size_t length = c.r.u16le(o);
    l.set("length", length);
    const std::size_t end = o + 2 + length;
    std::size_t at = o + 2;
    if (!c.r.has(at, 1)) return c.truncated("decnet");
    if (c.r.u8(at) & 0x80) at += c.r.u8(at) & 0x7f;  // padding, its count in the first byte
    if (!c.r.has(at, 1)) return c.truncated("decnet");
    const std::uint8_t flags = c.r.u8(at);
    l.set("flags", flags);
    LeReader f{c, l};
    if (flags & 0x01) {
        // Control messages: the type is bits 1-3. Endnode hello (6): version, ECO, user ECO,
        // source ID (HIORD and address), node info, block size, area, seed, designated router,
        // hello timer, reserved, data.
        if (((flags >> 1) & 7) != 6) return;
        f.u8("version", at + 1) && f.u8("eco", at + 2) && f.u8("user_eco", at + 3) && f.u16("src_address", at + 8) &&
            f.u8("node_info", at + 10) && f.u16("block_size", at + 11) && f.u16("router_address", at + 26) &&
            f.u16("hello_timer", at + 28) && f.u8("test_data", at + 31);
        return;
    }
    std::size_t nsp = 0;
    switch (flags & 7) {
        case 2:  // short data header: destination, source, forward
            if (!(f.u16("dst_address", at + 1) && f.u16("src_address", at + 3))) return;
            nsp = at + 6;
            break;
        case 6:  // long data header: area, subarea and ID of destination and source, then 4 bytes
            if (!(f.u16("dst_address", at + 7) && f.u16("src_address", at + 15))) return;
            nsp = at + 21;
            break;
        default: return;
    }
    if (c.can_nest()) dissect_nsp(c, nsp, end > nsp ? end : nsp);
}

void print_decnet(PrintContext& p, const Layer& l) {
    if (!l.has("flags")) return;  // nothing captured: the line ends with the marker alone
    const std::uint64_t flags = p.num(l, "flags");
    if (flags & 0x01) {
        if (((flags >> 1) & 7) != 6) return p.put("unknown control message");
        static constexpr const char* kTypes[] = {"reserved-ntype? ", "l2rout ", "l1rout ", "endnode "};
        const std::uint64_t info = p.num(l, "node_info");
        p.put("endnode-hello {}{}{}{}", kTypes[info & 3], (info & 0x04) ? "verif " : "", (info & 0x20) ? "nomcast " : "",
              (info & 0x10) ? "blo " : "");
        p.put("vers {} eco {} ueco {} src {} blksize {} rtr {} hello {} data {:o}", p.num(l, "version"), p.num(l, "eco"),
              p.num(l, "user_eco"), node_address(static_cast<std::uint16_t>(p.num(l, "src_address"))), p.num(l, "block_size"),
              node_address(static_cast<std::uint16_t>(p.num(l, "router_address"))), p.num(l, "hello_timer"), p.num(l, "test_data"));
        return;
    }
    p.put("{} > {} {} ", node_address(static_cast<std::uint16_t>(p.num(l, "src_address"))),
          node_address(static_cast<std::uint16_t>(p.num(l, "dst_address"))), p.num(l, "length"));
}

void print_nsp(PrintContext& p, const Layer& l) {
    const std::uint64_t length = p.num(l, "length");
    if (length < 5) return p.put(" (nsplen {} < 5) (invalid)", length);
    const std::uint64_t flags = p.num(l, "msgflg"), src = p.num(l, "src"), dst = p.num(l, "dst");
    // Acknowledgement words (NSP 6.x): bit 15 says the field is present, bits 12-13 qualify it.
    auto acks = [&](const char* other, const char* other_nak, bool segment) {
        std::uint64_t w = p.num(l, "ack_number");
        if (w & 0x8000) {
            p.put("{} {} ", (w & 0x1000) ? "nak" : "ack", w & 0xfff);
            w = p.num(l, "ack_other");
            if (w & 0x2000) {
                p.put("{} {} ", (w & 0x3000) == 0x3000 ? other_nak : other, w & 0xfff);
                if (segment) w = p.num(l, "segment");
            }
        }
        if (segment) p.put("seg {} ", w & 0xfff);
    };
    const std::uint64_t sub = flags & 0x70;
    switch (flags & 0x0c) {
        case 0x00:
            if (sub == 0x00 || sub == 0x20 || sub == 0x40 || sub == 0x60) {
                p.put("data {}>{} ", src, dst);
                return acks("oack", "onak", true);
            }
            if (sub == 0x30) {
                p.put("intr ");
                return acks("ackdat", "nakdat", true);
            }
            if (sub == 0x10) {
                p.put("link-service {}>{} ", src, dst);
                acks("ackdat", "nakdat", true);
                const std::uint64_t ls = p.num(l, "ls_flags"), fc = p.num(l, "fc_value");
                switch (ls & 0x0c) {
                    case 0x00:
                        p.put("dat seg count {} ", fc);
                        if ((ls & 3) == 1) p.put("donotsend-data ");
                        else if ((ls & 3) == 2) p.put("send-data ");
                        else if ((ls & 3) == 3) p.put("reserved-fcmod? {:x}", ls);
                        return;
                    case 0x04: return p.put("intr req count {} ", fc);
                    default: return p.put("reserved-fcval-int? {:x}", ls);
                }
            }
            return p.put("reserved-subtype? {:x} {} > {}", flags, src, dst);
        case 0x04:
            if (sub == 0x00) {
                p.put("data-ack {}>{} ", src, dst);
                return acks("oack", "onak", false);
            }
            if (sub == 0x10) {
                p.put("ils-ack {}>{} ", src, dst);
                return acks("ackdat", "nakdat", false);
            }
            if (sub == 0x20) return p.put("conn-ack {}", dst);
            return p.put("reserved-acktype? {:x} {} > {}", flags, src, dst);
        case 0x08: {
            auto connect = [&] {
                static constexpr const char* kServices[] = {"", "seg ", "msg ", "crypt "};
                static constexpr const char* kVersions[] = {"ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 "};
                const std::uint64_t services = p.num(l, "services"), info = p.num(l, "info");
                p.put("{}{}segsize {} ", kServices[(services >> 2) & 3], kVersions[info & 3], p.num(l, "segment_size"));
            };
            auto reason = [&] {
                static constexpr std::pair<unsigned, const char*> kReasons[] = {{0, "object rejected connect"},
                    {1, "insufficient resources"}, {2, "unrecognized node name"}, {3, "node is shutting down"},
                    {4, "unrecognized object"}, {5, "invalid object name format"}, {6, "object too busy"},
                    {7, "protocol error discovered"}, {8, "third party abort"}, {9, "user abort"},
                    {10, "invalid node name format"}, {11, "local node shutting down"}, {32, "insufficient local resources"},
                    {33, "insufficient remote user resources"}, {34, "invalid access control information"},
                    {35, "cryptographic service mismatch"}, {36, "bad ACCOUNT information"}, {38, "no response from object"},
                    {39, "node unreachable"}, {41, "no link terminate"}, {42, "disconnect complete"},
                    {43, "bad image data in connect"}};
                const std::uint64_t r = p.num(l, "reason");
                for (auto [value, name] : kReasons)
                    if (value == r) return p.put("{} ", name);
                p.put("reason-{} ", r);
            };
            switch (sub) {
                case 0x10: case 0x50:
                    p.put("{}{}>{} ", sub == 0x10 ? "conn-initiate " : "retrans-conn-initiate ", src, dst);
                    return connect();
                case 0x20:
                    p.put("conn-confirm {}>{} ", src, dst);
                    connect();
                    if (const std::uint64_t n = p.num(l, "optional_length")) p.put("optlen {} ", n);
                    return;
                case 0x30:
                    p.put("disconn-initiate {}>{} ", src, dst);
                    reason();
                    if (const std::uint64_t n = p.num(l, "optional_length")) p.put("optlen {} ", n);
                    return;
                case 0x40:
                    p.put("disconn-confirm {}>{} ", src, dst);
                    return reason();
                default: return p.put("reserved-ctltype? {:x} {} > {}", flags, src, dst);
            }
        }
        default: return p.put("reserved-type? {:x} {} > {}", flags, src, dst);
    }
}

}  // namespace decode::detail
