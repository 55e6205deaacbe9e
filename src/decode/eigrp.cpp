// Cisco EIGRP, IP protocol 88 (RFC 7868 section 6.4): the 20-byte common header (version,
// opcode, checksum, flags, sequence, acknowledgement, virtual router id, autonomous system).
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

#include <fmt/format.h>

namespace decode::detail {
namespace {

std::string_view tlv_name(std::uint16_t type) {
    switch (type) {
        case 0x0001: return "General Parameters";
        case 0x0002: return "Authentication";
        case 0x0003: return "Sequence";
        case 0x0004: return "Software Version";
        case 0x0005: return "Next Multicast Sequence";
        case 0x0102: return "IP Internal routes";
        case 0x0103: return "IP External routes";
        case 0x0202: return "AppleTalk Internal routes";
        case 0x0203: return "AppleTalk External routes";
        case 0x0204: return "AppleTalk Cable configuration";
        case 0x0302: return "IPX Internal routes";
        case 0x0303: return "IPX External routes";
        default: return "Unknown";
    }
}

// The TLVs after the header (RFC 7868 section 6.6), as tcpdump -v lists them; false when the
// capture ends inside one.
bool describe_tlvs(const ByteReader& r, std::size_t at, std::size_t n, std::string& out) {
    while (n > 0) {
        if (!r.has(at, 4)) return false;
        std::uint16_t type = r.u16(at), len = r.u16(at + 2);
        if (len < 4 || len > n) {  // tcpdump dumps what the packet holds after the TLV header and stops
            out += hex_lines(r, at + 4, n - 4, "\n\t    ");
            return true;
        }
        out += fmt::format("\n\t  {} TLV (0x{:04x}), length: {}", tlv_name(type), type, len);
        if (!r.has(at, len)) return false;
        std::size_t v = at + 4;
        switch (type) {
            case 0x0001:  // K1-K5, reserved, hold time
                if (len < 12) { out += " (too short, < 12)"; break; }
                out += fmt::format("\n\t    holdtime: {}s, k1 {}, k2 {}, k3 {}, k4 {}, k5 {}", r.u16(v + 6), r.u8(v), r.u8(v + 1),
                                   r.u8(v + 2), r.u8(v + 3), r.u8(v + 4));
                break;
            case 0x0004:  // IOS and EIGRP release
                if (len < 8) { out += " (too short, < 8)"; break; }
                out += fmt::format("\n\t    IOS version: {}.{}, EIGRP version {}.{}", r.u8(v), r.u8(v + 1), r.u8(v + 2), r.u8(v + 3));
                break;
            case 0x0102: {  // next hop, delay, bandwidth, MTU (3), hops, reliability, load, reserved, prefix
                if (len < 4 + 20) {
                    out += " (too short, < 24)";
                    break;
                }
                std::uint8_t bits = r.u8(v + 20);
                if (bits > 32) {
                    out += fmt::format("\n\t    illegal prefix length {}", bits);
                    break;
                }
                std::size_t bytes = (bits + 7u) / 8u;
                if (!r.has(v + 21, bytes)) return false;
                std::uint8_t prefix[4] = {0, 0, 0, 0};
                for (std::size_t i = 0; i < bytes; ++i) prefix[i] = r.u8(v + 21 + i);
                std::string text = fmt::format("{}.{}.{}.{}", prefix[0], prefix[1], prefix[2], prefix[3]);
                std::uint32_t next_hop = r.u32(v);
                out += fmt::format("\n\t    IPv4 prefix: {:>15}/{}, nexthop: {}", text, bits,
                                   next_hop == 0 ? std::string("self") : ipv4_text(r, v));
                out += fmt::format("\n\t      delay {} ms, bandwidth {} Kbps, mtu {}, hop {}, reliability {}, load {}",
                                   r.u32(v + 4) / 100, r.u32(v + 8), (r.u32(v + 12) >> 8), r.u8(v + 15), r.u8(v + 16),
                                   r.u8(v + 17));
                break;
            }
            default: out += hex_lines(r, v, len - 4u, "\n\t    "); break;
        }
        at += len;
        n -= len;
    }
    return true;
}

}  // namespace

void dissect_eigrp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("eigrp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("eigrp");
    l.set("version", r.u8(o));
    if (r.u8(o) != 2) return;
    if (!r.has(o, 20)) return c.truncated("eigrp");
    l.set("opcode", r.u8(o + 1)).set("checksum", r.u16(o + 2)).set("flags", r.u32(o + 4)).set("sequence", r.u32(o + 8))
        .set("acknowledgement", r.u32(o + 12)).set("virtual_router_id", r.u16(o + 16)).set("autonomous_system", r.u16(o + 18));
    std::string tlvs;
    bool complete = describe_tlvs(r, o + 20, end > o + 20 ? end - o - 20 : 0, tlvs);
    l.set("tlvs", std::move(tlvs));
    if (complete) l.set_flag("tlvs_complete", true);
}

void print_eigrp(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    if (version != 2) return p.put("EIGRP version {} packet not supported", version);
    static constexpr std::string_view kOpcodes[] = {"", "Update", "", "Query", "Reply", "Hello", "IPX SAP"};
    std::uint64_t op = p.num(l, "opcode");
    std::string_view name = op < std::size(kOpcodes) ? kOpcodes[op] : "";
    std::string unknown = fmt::format("unknown ({})", op);
    if (name.empty()) name = unknown;
    if (!p.verbose()) return p.put("EIGRP {}, length: {}", name, p.num(l, "length"));
    std::uint64_t flags = p.num(l, "flags");
    std::string flag_text;
    static constexpr std::pair<unsigned, std::string_view> kFlags[] = {
        {0x01, "Init"}, {0x02, "Conditionally Received"}, {0x04, "Restart"}, {0x08, "End-of-Table"}};
    for (auto [bit, text] : kFlags) {
        if (!(flags & bit)) continue;
        if (!flag_text.empty()) flag_text += ", ";
        flag_text += text;
    }
    std::uint64_t length = p.num(l, "length");
    p.put("\n\tEIGRP v{}, opcode: {} ({}), chksum: 0x{:04x}, Flags: [{}]", version, name, op, p.num(l, "checksum"),
          flag_text.empty() ? "none" : flag_text);
    p.put("\n\tseq: 0x{:08x}, ack: 0x{:08x}, VRID: {}, AS: {}, length: {}", p.num(l, "sequence"), p.num(l, "acknowledgement"),
          p.num(l, "virtual_router_id"), p.num(l, "autonomous_system"), length >= 20 ? length - 20 : 0);
    p.raw(p.text(l, "tlvs"));
    p.flag(l, "tlvs_complete");
}

}  // namespace decode::detail
