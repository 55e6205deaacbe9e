// The link-type table. Offsets are those of libpcap's gencode for each DLT.
#include "compiler/link_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace sniff {
namespace {

constexpr std::array<LinkType, 3> kLinkTypes = {{
    {1, "EN10MB", "Ethernet", 14, 12},
    {113, "LINUX_SLL", "Linux cooked v1", 16, 14},
    {276, "LINUX_SLL2", "Linux cooked v2", 20, 0},
}};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::span<const LinkType> link_types() { return kLinkTypes; }

const LinkType* find_link_type(int dlt) {
    for (const auto& lt : kLinkTypes)
        if (lt.dlt == dlt) return &lt;
    return nullptr;
}

const LinkType* find_link_type(std::string_view s) {
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && end == s.data() + s.size()) return find_link_type(n);
    for (const auto& lt : kLinkTypes)
        if (iequals(lt.name, s)) return &lt;
    return nullptr;
}

}  // namespace sniff
