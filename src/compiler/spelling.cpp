// Edit distance with swaps; "close enough" scales with the word's length.
#include "compiler/spelling.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace sniff {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("hots" is one step from "host") each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::optional<std::string> nearest(std::string_view word, std::span<const std::string_view> candidates) {
    std::string_view best;
    std::size_t best_d = SIZE_MAX;
    for (auto c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_d) { best_d = d; best = c; }
    }
    std::size_t allowed = word.size() <= 4 ? 1 : 2;
    if (best_d == 0 || best_d > allowed) return std::nullopt;
    return std::string(best);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

}  // namespace sniff
