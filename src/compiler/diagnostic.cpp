// Caret rendering of filter diagnostics.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/span.hpp"

namespace sniff {

std::string render(const Diagnostic& d, const std::string& text) {
    std::size_t begin = std::min(d.span.begin, text.size());
    std::size_t width = std::max<std::size_t>(1, std::min(d.span.end, text.size() + 1) - begin);
    std::string out = fmt::format("filter error at column {}: {}\n  {}\n  {}^{}\n", begin + 1, d.message, text,
                                  std::string(begin, ' '), std::string(width - 1, '~'));
    if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
    return out;
}

}  // namespace sniff
