// A link type with no dissector: tcpdump prints "UNSUPPORTED" and dumps the captured bytes.
#include "decode/protocols.hpp"

namespace decode::detail {

void print_unsupported_link(PrintContext& p, const Layer& l) {
    p.put("UNSUPPORTED");
    print_hex_field(p, l, "data", true);
}

}  // namespace decode::detail
