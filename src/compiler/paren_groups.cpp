// Classifies parenthesised groups in one pass over the text, with a stack of open groups.
#include "compiler/paren_groups.hpp"

#include "compiler/parse.hpp"

#include <string_view>

namespace sniff {
namespace {

bool space(char c) { return is_filter_space(c); }

// An arithmetic operator or comparison begins at `at` (`&&`, `||` and a lone `!` are boolean).
bool arithmetic_after(std::string_view t, std::size_t at) {
    if (at >= t.size()) return false;
    const char c = t[at], next = at + 1 < t.size() ? t[at + 1] : '\0';
    switch (c) {
        case '+': case '-': case '*': case '/': case '%': case '^': case '<': case '>': case '=': case ']': case ':':
            return true;
        case '&': return next != '&';
        case '|': return next != '|';
        case '!': return next == '=';
        default: return false;
    }
}

// An arithmetic operator, comparison, '[' or ':' ends just before `end` (exclusive).
bool arithmetic_before(std::string_view t, std::size_t end) {
    if (end == 0) return false;
    const char c = t[end - 1], prev = end >= 2 ? t[end - 2] : '\0';
    switch (c) {
        case '+': case '-': case '*': case '/': case '%': case '^': case '<': case '>': case '=': case '[': case ':':
            return true;
        case '&': return prev != '&';
        case '|': return prev != '|';
        default: return false;
    }
}

}  // namespace

std::vector<std::uint8_t> boolean_groups(std::string_view text) {
    struct Group {
        std::size_t at;
        std::size_t parent;  // index in `groups`, or npos at the top
        bool arithmetic;
    };
    constexpr std::size_t kTop = static_cast<std::size_t>(-1);
    std::vector<Group> groups;
    std::vector<std::size_t> open;  // indices of the groups not closed yet
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(') {
            std::size_t before = i;
            while (before > 0 && space(text[before - 1])) --before;
            groups.push_back({i, open.empty() ? kTop : open.back(), arithmetic_before(text, before)});
            open.push_back(groups.size() - 1);
        } else if (text[i] == ')' && !open.empty()) {
            std::size_t after = i + 1;
            while (after < text.size() && space(text[after])) ++after;
            if (arithmetic_after(text, after)) groups[open.back()].arithmetic = true;
            open.pop_back();
        }
    }
    // Inside an arithmetic group everything is arithmetic. Parents come before their children.
    std::vector<std::uint8_t> out(text.size(), 0);
    for (auto& g : groups) {
        if (g.parent != kTop && groups[g.parent].arithmetic) g.arithmetic = true;
        out[g.at] = g.arithmetic ? 0 : 1;
    }
    return out;
}

}  // namespace sniff
