// LDP over UDP and TCP port 646 (RFC 5036 section 3.5.1): PDUs of a 10-byte header (version,
// PDU length, LSR id, label space) followed by messages. TCP segments can hold several PDUs.
#include "decode/protocols.hpp"

namespace decode::detail {

namespace {
constexpr std::size_t kPduHeader = 10, kMessageHeader = 8;
}

void dissect_ldp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    // Each PDU gets its own layer; tcpdump reads on while more than a PDU header and a message
    // header are left (and prints only the first one at default verbosity). Too short for one
    // PDU: an empty layer, which prints nothing.
    if (end <= o || end - o <= kPduHeader + kMessageHeader) {
        c.add("ldp", o);
        return;
    }
    bool first = true;
    while (end > o && end - o > kPduHeader + kMessageHeader && c.can_nest()) {
        Layer& l = c.add("ldp", o);
        l.set_flag("first", first);
        // A later PDU cut by the capture ends the -v text only: its layer stays without fields.
        if (!r.has(o, 2)) return first ? c.truncated("ldp") : void();
        first = false;
        l.set("version", r.u16(o));
        if (r.u16(o) != 1) return;
        if (!r.has(o + 2, 8)) return l.flag("first") ? c.truncated("ldp") : void();
        std::size_t pdu_length = r.u16(o + 2);
        l.set("pdu_length", pdu_length).set("lsr_id", ipv4_text(r, o + 4)).set("label_space", r.u16(o + 8));
        if (pdu_length < kPduHeader - 4) return;
        o += pdu_length + 4;
    }
}

void print_ldp(PrintContext& p, const Layer& l) {
    if (!l.has("first")) return;
    if (!p.flag(l, "first") && !p.verbose()) return;
    const char* lead = p.verbose() ? "\n\t" : "";
    std::uint64_t version = p.num(l, "version");
    if (version != 1) return p.put("{}LDP version {} packet not supported", lead, version);
    std::uint64_t pdu_length = p.num(l, "pdu_length");
    if (pdu_length < kPduHeader - 4) return p.put("{}LDP, pdu-length: {} (too short, < {})", lead, pdu_length, kPduHeader - 4);
    p.put("{}LDP, Label-Space-ID: {}:{}, pdu-length: {}", lead, p.text(l, "lsr_id"), p.num(l, "label_space"), pdu_length);
}

}  // namespace decode::detail
