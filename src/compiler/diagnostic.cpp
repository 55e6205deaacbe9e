// Caret rendering of filter diagnostics; a long filter is shown as a window around the caret.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/span.hpp"

namespace sniff {
namespace {

// A filter longer than this is shown from a little before the error to a little after it.
constexpr std::size_t kWholeText = 100, kBefore = 30, kWindow = 80;
// Messages and hints quote tokens, which can be a megabyte long: they are cut to this.
constexpr std::size_t kLongestLine = 200;

std::string cut(const std::string& line) {
    if (line.size() <= kLongestLine) return line;
    return line.substr(0, kLongestLine) + fmt::format("... ({} bytes in all)", line.size());
}

}  // namespace

std::string render(const Diagnostic& d, const std::string& text) {
    std::size_t begin = std::min(d.span.begin, text.size());
    std::size_t width = std::max<std::size_t>(1, std::min(d.span.end, text.size() + 1) - begin);
    std::size_t from = 0, to = text.size();
    if (text.size() > kWholeText) {
        from = begin > kBefore ? begin - kBefore : 0;
        to = std::min(text.size(), from + kWindow);
    }
    const std::string lead = from > 0 ? "..." : "", tail = to < text.size() ? "..." : "";
    width = std::min(width, std::max<std::size_t>(1, to + 1 - begin));
    std::string out = fmt::format("filter error at column {}: {}\n  {}{}{}\n  {}^{}\n", begin + 1, cut(d.message), lead,
                                  std::string_view(text).substr(from, to - from), tail, std::string(lead.size() + begin - from, ' '),
                                  std::string(width - 1, '~'));
    if (!d.hint.empty()) out += fmt::format("  hint: {}\n", cut(d.hint));
    return out;
}

}  // namespace sniff
