// LMP over UDP port 701 (RFC 4204 section 12.1): version (4 bits), flags, message type,
// length; then objects.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_lmp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("lmp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 4)) return c.truncated("lmp");
    l.set("version", r.u8(o) >> 4).set("message_type", r.u8(o + 3));
}

void print_lmp(PrintContext& p, const Layer& l) {
    static constexpr std::string_view kTypes[] = {"", "Config", "Config ACK", "Config NACK", "Hello", "Begin Verify",
        "Begin Verify ACK", "Begin Verify NACK", "End Verify", "End Verify ACK", "Test", "Test Status Success",
        "Test Status Failure", "Test Status ACK", "Link Summary", "Link Summary ACK", "Link Summary NACK",
        "Channel Status", "Channel Status ACK", "Channel Status Request", "Channel Status Response"};
    std::uint64_t version = p.num(l, "version");
    if (version != 1) return p.put("LMP version {} packet not supported", version);
    std::uint64_t type = p.num(l, "message_type");
    std::string_view name = type < std::size(kTypes) ? kTypes[type] : "";
    p.put("LMPv{} ", version);
    if (name.empty()) p.put("unknown ({})", type);
    else p.raw(name);
    p.put(" Message, length: {}", p.num(l, "length"));
}

}  // namespace decode::detail
