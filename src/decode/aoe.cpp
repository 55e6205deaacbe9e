// ATA over Ethernet (Coraid "AoE Protocol Definition", revision 11; EtherType 0x88a2): the
// common header's version, flags and error. tcpdump's first line prints the version and flags.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_aoe(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("aoe", o);
    l.set("length", end > o ? end - o : 0);
    if (end <= o) return;
    if (!c.r.has(o, 1)) return c.truncated("aoe");
    l.set("version", c.r.u8(o) >> 4).set("flags", c.r.u8(o) & 0x0f);
    if (!c.r.has(o + 1, 1)) return c.truncated("aoe");
    l.set("error", c.r.u8(o + 1));
}

void print_aoe(PrintContext& p, const Layer& l) {
    const std::uint64_t length = p.num(l, "length");
    p.put("AoE length {}", length);
    if (length < 1) return p.put(" (invalid)");
    p.put(", Ver {}", p.num(l, "version"));
    if (p.num(l, "version") != 1) return;  // only version 1 is defined
    if (length < 10) return p.put(" (invalid)");  // shorter than the common header (section 2)
    // Header flags (section 2): R (response), E (error), two bits that must be zero.
    static constexpr std::pair<unsigned, const char*> kFlags[] = {{0x8, "Response"}, {0x4, "Error"}, {0x2, "MBZ-1"}, {0x1, "MBZ-0"}};
    std::uint64_t flags = p.num(l, "flags");
    std::string names;
    for (auto [bit, name] : kFlags)
        if (flags & bit) names += names.empty() ? name : std::string(", ") + name;
    p.put(", Flags: [{}]", names.empty() ? "none" : names);
}

}  // namespace decode::detail
