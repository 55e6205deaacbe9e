// IS-IS over 802.2 LLC (DSAP 0xfe, OSI, ISO/IEC 10589 section 9): the 8-byte common header
// (intradomain routeing protocol discriminator 0x83, length indicator, version, ID length, PDU
// type, version, reserved, maximum area addresses) and the fixed part of each PDU type:
// LAN and point-to-point IIH (9.5-9.7), LSP (9.8), CSNP and PSNP (9.9-9.10).
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

#include <fmt/format.h>

namespace decode::detail {
namespace {

constexpr std::size_t kCommonHeader = 8;

// System and node identifiers as tcpdump writes them: 6 bytes in dotted groups of two bytes,
// a 7th (pseudonode) byte after a dot and an 8th (LSP number) after a dash.
std::string isis_id(const ByteReader& r, std::size_t o, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 2 || i == 4 || i == 6) out += '.';
        if (i == 7) out += '-';
        out += fmt::format("{:02x}", r.u8(o + i));
    }
    return out;
}

std::size_t fixed_header_size(std::uint8_t pdu_type) {
    switch (pdu_type) {
        case 15: case 16: return kCommonHeader + 19;  // LAN IIH
        case 17: return kCommonHeader + 12;           // point-to-point IIH
        case 18: case 20: return kCommonHeader + 19;  // LSP
        case 24: case 25: return kCommonHeader + 25;  // CSNP
        case 26: case 27: return kCommonHeader + 9;   // PSNP
        default: return 0;
    }
}

}  // namespace

void dissect_isis(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("isis", o);
    std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (length < kCommonHeader || !r.has(o, kCommonHeader)) return c.truncated("isis");
    std::uint8_t id_length = r.u8(o + 3);
    l.set("length_indicator", r.u8(o + 1)).set("version", r.u8(o + 2)).set("id_length", id_length)
        .set("pdu_type", r.u8(o + 4) & 0x1f).set("pdu_version", r.u8(o + 5)).set("max_area", r.u8(o + 7));
    std::uint8_t type = r.u8(o + 4) & 0x1f;
    std::size_t fixed = fixed_header_size(type);
    // A PDU tcpdump will not decode is reported and dumped in hex.
    l.set("dump", hex_lines(r, o, length));
    if (r.u8(o + 2) != 1 || r.u8(o + 5) != 1 || (id_length != 0 && id_length != 6) || r.u8(o + 7) == 255) return;
    if (r.u8(o + 1) > length) return;
    if (fixed == 0 || r.u8(o + 1) != fixed) return;
    if (!r.has(o, fixed)) return c.truncated("isis");
    std::size_t h = o + kCommonHeader;
    switch (type) {
        case 15: case 16:
            l.set("source_id", isis_id(r, h + 1, 6)).set("lan_id", isis_id(r, h + 12, 7)).set("priority", r.u8(h + 11));
            break;
        case 17: l.set("source_id", isis_id(r, h + 1, 6)); break;
        case 18: case 20:
            l.set("remaining_lifetime", r.u16(h + 2)).set("lsp_id", isis_id(r, h + 4, 8)).set("sequence", r.u32(h + 12));
            break;
        default: l.set("source_id", isis_id(r, h + 2, 7)); break;  // CSNP, PSNP
    }
}

void print_isis(PrintContext& p, const Layer& l) {
    if (!l.has("version")) return;  // shorter than the common header: only the marker
    p.put("IS-IS");
    std::uint64_t version = p.num(l, "version"), id_length = p.num(l, "id_length");
    std::string_view dump = p.text(l, "dump");
    if (version != 1) return p.put("version {} packet not supported{}", version, dump);
    if (id_length != 0 && id_length != 6) return p.put("system ID length of {} is not supported{}", id_length, dump);
    if (p.num(l, "pdu_version") != 1) return p.put("version {} packet not supported{}", l.num("pdu_version"), dump);
    if (p.num(l, "max_area") == 255) return p.put("bad packet -- 255 areas{}", dump);
    if (p.num(l, "length_indicator") > p.num(l, "length"))
        return p.put("fixed header length {} > packet length {}{}", l.num("length_indicator"), l.num("length"), dump);
    std::uint64_t type = p.num(l, "pdu_type");
    std::string_view name;
    switch (type) {
        case 15: name = "L1 Lan IIH"; break;
        case 16: name = "L2 Lan IIH"; break;
        case 17: name = "p2p IIH"; break;
        case 18: name = "L1 LSP"; break;
        case 20: name = "L2 LSP"; break;
        case 24: name = "L1 CSNP"; break;
        case 25: name = "L2 CSNP"; break;
        case 26: name = "L1 PSNP"; break;
        case 27: name = "L2 PSNP"; break;
        default: break;
    }
    if (name.empty()) return p.put(", unknown PDU-Type {}{}", type, dump);
    p.put(", {}", name);
    std::size_t fixed = fixed_header_size(static_cast<std::uint8_t>(type));
    if (p.num(l, "length_indicator") != fixed)
        return p.put(", bogus fixed header length {} should be {}{}", l.num("length_indicator"), fixed, dump);
    switch (type) {
        case 15: case 16:
            p.put(", src-id {}, lan-id {}, prio {}", p.text(l, "source_id"), p.text(l, "lan_id"), p.num(l, "priority"));
            break;
        case 18: case 20:
            p.put(", lsp-id {}, seq 0x{:08x}, lifetime {:5}s", p.text(l, "lsp_id"), p.num(l, "sequence"),
                  p.num(l, "remaining_lifetime"));
            break;
        default: p.put(", src-id {}", p.text(l, "source_id")); break;
    }
    p.put(", length {}", p.num(l, "length"));
}

// ISO/IEC 8802-2 LLC with DSAP and SSAP 0xfe and a UI control field carries an OSI network
// layer PDU, named by its first byte (the NLPID, ISO/TR 9577).
void dissect_osi_llc(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    if (r.u8(o + 1) == 0xfe && r.u8(o + 2) == 0x03) {
        if (end <= o + 3 || !r.has(o + 3, 1)) {  // no NLPID
            c.add("isis", o + 3).set("length", end > o + 3 ? end - o - 3 : 0);
            return c.truncated("isoclns");
        }
        if (r.u8(o + 3) == 0x83) return dissect_isis(c, o + 3, end);
    }
    c.add("llc", o).set("dsap", r.u8(o)).set("ssap", r.u8(o + 1)).set("length", end > o ? end - o : 0);
}

// Cisco HDLC names OSI PDUs with EtherType 0xfefe; some routers put a padding byte before the
// NLPID, which tcpdump skips when the byte after it is an OSI NLPID (0x81 CLNP, 0x82 ES-IS,
// 0x83 IS-IS).
void dissect_osi_ethertype(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    // The link header gave no length of its own: the packet's length on the wire bounds it.
    if (c.out.wire_length > end) end = c.out.wire_length;
    std::uint8_t second = r.u8(o + 1);
    if (r.has(o + 1, 1) && second >= 0x81 && second <= 0x83) ++o;
    if (r.has(o, 1) && r.u8(o) == 0x83) return dissect_isis(c, o, end);
    c.add("unknown", o).set("ethertype", 0xfefe).set("length", r.available(o, r.size()));
}

}  // namespace decode::detail
