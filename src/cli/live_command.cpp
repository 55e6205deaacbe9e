// -i and -D: live capture (the capture engine is not built yet; say so plainly).
#include <fmt/format.h>

#include "cli/commands.hpp"

namespace cli {

int run_live(const Options& o) {
    fmt::print(stderr, "sniff: live capture on '{}' is not available in this build; use -r to read a file\n", *o.interface);
    return 1;
}

int run_list_interfaces(const Options&) {
    fmt::print(stderr, "sniff: listing interfaces (-D) is not available in this build\n");
    return 1;
}

}  // namespace cli
