// Source positions and diagnostics: every error the compiler reports points into the filter text.
#pragma once

#include <cstddef>
#include <string>

namespace sniff {

// Half-open byte range [begin, end) in the filter text.
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    friend bool operator==(const Span&, const Span&) = default;
};

struct Diagnostic {
    Span span;
    std::string message;  // what was found and what was expected
    std::string hint;     // optional: what to try instead
};

// Renders a diagnostic the way the CLI prints it:
//   filter error at column 10: expected a port number or name after 'port'
//     tcp port and host 10.0.0.1
//              ^~~
std::string render(const Diagnostic& d, const std::string& text);

}  // namespace sniff
