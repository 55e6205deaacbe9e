// The link types decode_fuzz picks from with its first byte (every DLT src/decode/link.cpp
// dissects, and 147, a user DLT it does not); fuzz_seeds.cpp writes seeds with the same indexes.
#pragma once

#include <iterator>

namespace fuzz {

inline constexpr int kDecodeLinkTypes[] = {1, 113, 276, 0, 108, 12, 14, 101, 228, 229, 9, 51, 104, 127, 105, 119, 192, 10, 6, 147, 117, 7, 129, 163};

}  // namespace fuzz
