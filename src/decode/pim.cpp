// PIM version 2, IP protocol 103 (RFC 7761 section 4.9): version (4 bits), type (4 bits),
// reserved, checksum; the message types of RFC 7761, RFC 3973 (dense mode: graft, state
// refresh) and RFC 5015 (bidirectional: DF election).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_pim(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("pim", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("pim");
    l.set("version", r.u8(o) >> 4).set("type", r.u8(o) & 0x0f);
}

void print_pim(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    if (version != 2) return p.put("PIMv{}, length {}", version, p.num(l, "length"));
    static constexpr std::string_view kTypes[] = {"Hello", "Register", "Register Stop", "Join / Prune", "Bootstrap",
        "Assert", "Graft", "Graft Acknowledgement", "Candidate RP Advertisement", "Prune Refresh", "DF Election", "ECMP Redirect"};
    std::uint64_t type = p.num(l, "type");
    p.put("PIMv2, {}, length {}", type < std::size(kTypes) ? kTypes[type] : "Unknown Type", p.num(l, "length"));
}

}  // namespace decode::detail
