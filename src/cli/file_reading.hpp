// What -r commands share: opening the capture with its filter program, and the read loop that
// stops at the end, at damage (reported with its offset), on SIGINT/SIGTERM, or after -c packets.
#pragma once

#include <fmt/format.h>

#include <optional>

#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/program.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "compiler/compile.hpp"

namespace cli {

struct FileAndProgram {
    capture::PcapFileSource source;
    std::optional<cbpf::Program> program;  // empty when no filter was given and none is required
    sniff::CompileOptions compile_options;  // how the filter was compiled (the file's link type, savefile rules)
};

// nullopt after printing why (unreadable file, link type the compiler does not know, bad filter).
std::optional<FileAndProgram> open_file_and_program(const Options& o, bool program_required);

// Calls `on_packet(packet)` for each packet; it returns whether the packet counts towards -c.
// Returns the exit status: 1 if the file was damaged, else 0.
template <class OnPacket>
int for_each_packet(capture::PcapFileSource& source, const Options& o, OnPacket&& on_packet) {
    install_stop_handlers();
    std::uint64_t counted = 0;
    capture::Packet pkt;
    while (!stop_requested() && (!o.count || counted < *o.count)) {
        auto st = source.next(pkt);
        if (st == capture::PcapFileSource::Status::End) return 0;
        if (st == capture::PcapFileSource::Status::Damaged) {
            fmt::print(stderr, "sniff: {}\n", source.damage());
            return 1;
        }
        if (on_packet(pkt)) ++counted;
    }
    return 0;
}

}  // namespace cli
