// Command-line options, spelled as tcpdump spells them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cli {

struct Options {
    int dump_level = 0;                 // -d, -dd, -ddd
    std::optional<std::string> read_file;   // -r
    std::optional<std::string> write_file;  // -w
    std::optional<std::string> interface;   // -i
    std::optional<std::string> link_type;   // -y
    std::optional<std::string> filter_file; // -F
    std::optional<std::uint64_t> count;     // -c
    std::uint32_t snaplen = 262144;         // -s (0 means the default)
    bool numeric = false;                   // -n (addresses are always numeric for now)
    std::vector<std::string> expression;    // the filter, possibly in several words
};

struct ParseOutcome {
    std::optional<Options> options;  // empty when the program should exit
    int exit_code = 0;
};

ParseOutcome parse_options(int argc, char** argv);

}  // namespace cli
