// Cisco EIGRP, IP protocol 88 (RFC 7868 section 6.4): the 20-byte common header (version,
// opcode, checksum, flags, sequence, acknowledgement, virtual router id, autonomous system).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_eigrp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("eigrp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("eigrp");
    l.set("version", r.u8(o));
    if (r.u8(o) != 2) return;
    if (!r.has(o, 20)) return c.truncated("eigrp");
    l.set("opcode", r.u8(o + 1));
}

void print_eigrp(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    if (version != 2) return p.put("EIGRP version {} packet not supported", version);
    static constexpr std::string_view kOpcodes[] = {"", "Update", "", "Query", "Reply", "Hello", "IPX SAP"};
    std::uint64_t op = p.num(l, "opcode");
    std::string_view name = op < std::size(kOpcodes) ? kOpcodes[op] : "";
    if (name.empty()) p.put("EIGRP unknown ({}), length: {}", op, p.num(l, "length"));
    else p.put("EIGRP {}, length: {}", name, p.num(l, "length"));
}

}  // namespace decode::detail
