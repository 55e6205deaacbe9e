// Cisco UniDirectional Link Detection (RFC 5171; SNAP OUI 00000c, PID 0x0111): version (3 bits)
// and opcode (5 bits), flags, checksum, then TLVs (section 6).
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_udld(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("udld", o);
    l.set("length", end > o ? end - o : 0);
    if (!c.r.has(o, 2)) return c.truncated("udld");
    l.set("version", c.r.u8(o) >> 5).set("opcode", c.r.u8(o) & 0x1f).set("flags", c.r.u8(o + 1));
}

void print_udld(PrintContext& p, const Layer& l) {
    // Opcodes (section 6) and flags (RT: recommended timeout, RSY: resynch).
    static constexpr const char* kOpcodes[] = {"Reserved", "Probe message", "Echo message", "Flush message"};
    const std::uint64_t opcode = p.num(l, "opcode"), flags = p.num(l, "flags");
    std::string names = std::string((flags & 1) ? "RT" : "") + ((flags & 2) ? ((flags & 1) ? ", RSY" : "RSY") : "");
    p.put("UDLDv{}, Code {} ({}), Flags [{}] (0x{:02x}), length {}", p.num(l, "version"),
          opcode < std::size(kOpcodes) ? kOpcodes[opcode] : "Unknown", opcode, names.empty() ? "none" : names, flags,
          p.num(l, "length"));
}

}  // namespace decode::detail
