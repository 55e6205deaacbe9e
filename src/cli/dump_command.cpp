// -d/-dd/-ddd for a link type given with -y (no interface or file needed).
#include <fmt/format.h>

#include "cbpf_vm/dump.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"

namespace cli {

int run_dump(const Options& o) {
    int dlt = sniff::kDefaultDlt;
    if (o.link_type) {
        const sniff::LinkType* lt = sniff::find_link_type(*o.link_type);
        if (!lt) {
            std::string known;
            for (const auto& l : sniff::link_types()) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", l.name, l.dlt);
            fmt::print(stderr, "sniff: unknown or unsupported link type '{}'; supported: {}\n", *o.link_type, known);
            return 1;
        }
        dlt = lt->dlt;
    }
    auto prog = load_program(o, {.dlt = dlt, .snaplen = o.snaplen});
    if (!prog) return 1;
    fmt::print("{}", cbpf::dump(*prog, o.dump_level));
    return 0;
}

}  // namespace cli
