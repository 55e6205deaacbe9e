// Babel routing protocol over UDP ports 6696 (RFC 8966) and 6697 (the experimental port of RFC
// 6126). Packet header (RFC 8966 section 4.2): magic 42, version 2, body length; the body is a
// sequence of TLVs (type, length, value; type 0, Pad1, is a single byte) and the bytes after the
// body form the packet trailer (RFC 8967 section 4.2), TLVs as well.
#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// Walks the TLVs in [at, at + n) and returns their names as tcpdump lists them at default
// verbosity (" hello ihu update/prefix"); `invalid` is set when a TLV overruns the area.
std::string tlv_names(const ByteReader& r, std::size_t at, std::size_t n, bool& invalid, bool& cut) {
    std::string out;
    std::size_t i = 0;
    while (i < n) {
        if (!r.has(at + i, 1)) { cut = true; return out; }
        std::uint8_t type = r.u8(at + i);
        if (type == 0) {
            out += " pad1";
            i += 1;
            continue;
        }
        if (!r.has(at + i, 2)) { cut = true; return out; }
        if (i + 2 > n) { invalid = true; return out; }
        std::size_t len = r.u8(at + i + 1);
        if (i + 2 + len > n) { invalid = true; return out; }
        switch (type) {
            case 1: out += " padN"; break;
            case 2: out += " ack-req"; break;
            case 3: out += " ack"; break;
            case 4: out += " hello"; break;
            case 5: out += " ihu"; break;
            case 6: out += " router-id"; break;
            case 7: out += " nh"; break;
            case 8: {
                out += " update";
                if (len < 10) { invalid = true; return out; }
                if (!r.has(at + i + 3, 1)) { cut = true; return out; }
                std::uint8_t flags = r.u8(at + i + 3);
                if (flags & 0x80) out += "/prefix";
                if (flags & 0x40) out += "/id";
                if (flags & 0x3f) out += "/unknown";
                break;
            }
            case 9: out += " route-request"; break;
            case 10: out += " seqno-request"; break;
            case 11: out += " tspc"; break;
            case 12: out += " hmac"; break;
            case 16: out += " mac"; break;
            case 17: out += " pc"; break;
            case 18: out += " challenge-request"; break;
            case 19: out += " challenge-reply"; break;
            default: out += " unknown"; break;
        }
        i += 2 + len;
    }
    return out;
}

}  // namespace

void dissect_babel(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("babel", o);
    std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (!r.has(o, 4)) return c.truncated("babel");
    l.set("magic", r.u8(o)).set("version", r.u8(o + 1));
    if (r.u8(o) != 42 || r.u8(o + 1) != 2) return;
    std::size_t body = r.u16(o + 2);
    l.set("body_length", body);
    if (length < 4 || length - 4 < body) {
        l.set_flag("invalid", true);
        return;
    }
    bool invalid = false, cut = false;
    std::string names = tlv_names(r, o + 4, body, invalid, cut);
    if (!invalid && !cut && length - 4 > body) {
        names += " |";
        names += tlv_names(r, o + 4 + body, length - 4 - body, invalid, cut);
    }
    l.set("tlvs", std::move(names));
    if (invalid) l.set_flag("invalid", true);
    if (cut) c.truncated("babel");
}

void print_babel(PrintContext& p, const Layer& l) {
    p.put("babel");
    if (p.num(l, "magic") != 42) return p.put(" invalid header");
    std::uint64_t version = p.num(l, "version");
    p.put(" {}", version);
    if (version != 2) return p.put(" unknown version");
    p.put(" ({})", p.num(l, "body_length"));
    if (l.has("tlvs")) p.raw(l.text("tlvs"));
    if (l.flag("invalid")) p.put(" (invalid)");
}

}  // namespace decode::detail
