// A link type with no dissector: tcpdump prints "UNSUPPORTED" and dumps the captured bytes.
#include <utility>

#include "decode/protocols.hpp"

namespace decode::detail {

bool tcpdump_lacks_printer(int dlt) {
    // The LINKTYPE values up to 300 for which tcpdump 4.99 prints "UNSUPPORTED".
    static constexpr std::pair<int, int> kRanges[] = {
        {110, 111}, {115, 116}, {118, 118}, {120, 121}, {124, 126}, {128, 128}, {139, 148}, {150, 162}, {165, 165},
        {169, 177}, {183, 188}, {190, 191}, {193, 194}, {196, 200}, {202, 219}, {221, 225}, {227, 227}, {231, 238},
        {243, 257}, {259, 270}, {272, 275}, {277, 280}, {286, 289}};
    for (auto [first, last] : kRanges)
        if (dlt >= first && dlt <= last) return true;
    return false;
}

void print_unsupported_link(PrintContext& p, const Layer& l) {
    p.put("UNSUPPORTED");
    print_hex_field(p, l, "data", true);
}

}  // namespace decode::detail
