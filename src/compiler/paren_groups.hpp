// Which parenthesised groups of a filter are arithmetic (`(ip[0] + 1) * 2 > 3`) and which are
// boolean (`(tcp or udp) and host x`), decided from the characters around them. The parser then
// tries one reading of each group: trying the arithmetic reading first and falling back to the
// boolean one at every level costs time quadratic in the nesting depth (100,000 parentheses).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sniff {

// One byte per character of the text: 1 at a '(' that opens a boolean group, else 0.
// A group is arithmetic when an arithmetic operator, a comparison, '[' or ':' stands right before
// its '(' or right after its ')', or when it is directly inside an arithmetic group; every other
// group is boolean. A ')' without its '(' (or the reverse) leaves the group boolean: the parser
// reports the error.
std::vector<std::uint8_t> boolean_groups(std::string_view text);

}  // namespace sniff
