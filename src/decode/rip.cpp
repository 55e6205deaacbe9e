// RIP over UDP port 520: version 1 (RFC 1058 section 3.1) and 2 (RFC 2453 section 4). Header:
// command, version, unused; then route entries.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_rip(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("rip", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 2)) return c.truncated("rip");
    l.set("command", r.u8(o)).set("version", r.u8(o + 1));
}

void print_rip(PrintContext& p, const Layer& l) {
    static constexpr std::string_view kCommands[] = {"", "Request", "Response", "Trace on", "Trace off", "Poll",
                                                     "Poll Entry"};
    std::uint64_t version = p.num(l, "version"), command = p.num(l, "command");
    p.put("{}RIPv{}, ", p.verbose() ? "\n\t" : "", version);
    std::string_view name = command < std::size(kCommands) ? kCommands[command] : "";
    if (name.empty()) p.put("unknown command ({})", command);
    else p.raw(name);
    p.put(", length: {}", p.num(l, "length"));
}

}  // namespace decode::detail
