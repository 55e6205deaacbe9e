// What happens to each accepted packet: a summary line on stdout (buffered, written in blocks)
// or a record in the -w pcap file. Shared by offline and live capture.
#pragma once

#include <optional>
#include <string>

#include "capture/packet.hpp"
#include "capture/pcap_file_sink.hpp"
#include "cli/options.hpp"

namespace cli {

class PacketOutput {
public:
    // nullopt after printing why the output could not be opened.
    static std::optional<PacketOutput> open(const Options& o, int dlt, std::uint32_t snaplen);

    void handle(const capture::Packet& p);
    // Writes what is buffered; false after printing the error (a full disk, a closed pipe).
    bool flush();
    bool finish();

private:
    int dlt_ = 1;
    std::optional<capture::PcapFileSink> sink_;
    std::string text_;
};

}  // namespace cli
