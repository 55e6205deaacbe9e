// "Did you mean" for misspelled keywords and named constants.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sniff {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo (and not `word` itself).
std::optional<std::string> nearest(std::string_view word, std::span<const std::string_view> candidates);

// Case-insensitive equality (ASCII), for names libpcap matches without case.
bool iequals(std::string_view a, std::string_view b);

}  // namespace sniff
