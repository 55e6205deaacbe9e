// tcpdump's -w with -C, -W and -G: the pcap file(s) matching packets go to, rotated by size
// (-C, millions of bytes), by time (-G seconds, the -w name read as a strftime pattern), and kept
// to a ring of -W files (with -C) or a number of files after which the capture ends (with -G).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "capture/packet.hpp"
#include "capture/pcap_file_sink.hpp"

namespace cli {

struct SavefilePolicy {
    std::string name;                         // -w (a strftime pattern with -G)
    std::optional<std::uint64_t> max_bytes;   // -C, already in bytes
    std::optional<std::uint32_t> max_files;   // -W
    std::optional<std::uint32_t> rotate_seconds;  // -G
};

class Savefiles {
public:
    // `input`: the capture being read (-r), which no file opened here may be.
    Savefiles(SavefilePolicy policy, int dlt, std::uint32_t snaplen, std::optional<capture::FileIdentity> input = std::nullopt)
        : policy_(std::move(policy)), dlt_(dlt), snaplen_(snaplen), input_(input) {}

    // Without -G the first file is created at once, so even a capture with no matching packet
    // leaves a valid (empty) pcap; with -G the first packet's time names it.
    std::expected<void, std::string> start();

    // Writes `p`, opening or rotating files first as the policy says. Rotation by time follows the
    // packets' own timestamps (the capture clock live; the recorded times when reading a file).
    // Returns false when -G -W has produced its last file: the capture should end.
    std::expected<bool, std::string> write(const capture::Packet& p);
    std::expected<void, std::string> flush();
    std::expected<void, std::string> close();

    // The file name for interval start `t` and size index `index` (exposed for tests).
    std::string file_name(std::int64_t t, std::uint32_t index) const;

private:
    std::expected<void, std::string> open_next(std::int64_t t);

    SavefilePolicy policy_;
    int dlt_;
    std::uint32_t snaplen_;
    std::optional<capture::FileIdentity> input_;
    std::optional<capture::PcapFileSink> sink_;
    std::uint64_t bytes_ = 0;            // written to the current file, header included
    std::uint32_t size_index_ = 0;       // -C: files opened in this interval
    std::uint32_t time_files_ = 0;       // -G: intervals opened so far
    std::int64_t interval_start_ = 0;
};

}  // namespace cli
