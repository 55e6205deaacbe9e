// Opening -r's capture and compiling the filter for its link type.
#include "cli/file_reading.hpp"

#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"

namespace cli {

std::optional<FileAndProgram> open_file_and_program(const Options& o, bool program_required) {
    auto source = capture::PcapFileSource::open(*o.read_file);
    if (!source) {
        fmt::print(stderr, "sniff: {}\n", source.error());
        return std::nullopt;
    }
    FileAndProgram out{std::move(*source), std::nullopt, {}};
    if (!has_filter(o) && !program_required) return out;
    if (!o.bpf_file && !sniff::find_link_type(out.source.dlt())) {
        fmt::print(stderr, "sniff: {}: link type {} is not supported by the filter compiler yet\n", *o.read_file, out.source.dlt());
        return std::nullopt;
    }
    // As tcpdump -r: the file's link type and snapshot length, and libpcap's savefile rules.
    out.compile_options = {.dlt = out.source.dlt(), .snaplen = out.source.snaplen(),
                           .savefile = sniff::SavefileContext{out.source.swapped()}};
    out.program = load_program(o, out.compile_options);
    if (!out.program) return std::nullopt;
    return out;
}

}  // namespace cli
