// BGP-4 over TCP port 179 (RFC 4271 section 4.1): a stream of messages, each with a 16-byte
// marker, a length and a type. At default verbosity tcpdump only names the protocol.
#include "decode/protocols.hpp"

namespace decode::detail {

void dissect_bgp(Context& c, std::size_t o, std::size_t end) {
    c.add("bgp", o).set("length", end > o ? end - o : 0);
}

void print_bgp(PrintContext& p, const Layer&) { p.put(": BGP"); }

}  // namespace decode::detail
