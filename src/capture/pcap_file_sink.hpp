// Writes packets to a pcap file (or stdout, "-") that tcpdump and wireshark read. Records go to a
// 1 MiB buffer written with write(2), so a full disk or a closed pipe is reported, not lost.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "capture/file_identity.hpp"
#include "capture/packet.hpp"

namespace capture {

class PcapFileSink {
public:
    // `input` is the capture being read, if any: a path (or standard output) that is that file,
    // under any name or link, is refused before anything is truncated.
    static std::expected<PcapFileSink, std::string> open(const std::string& path, int dlt, std::uint32_t snaplen,
                                                         const std::optional<FileIdentity>& input = std::nullopt);

    PcapFileSink(PcapFileSink&& other) noexcept;
    PcapFileSink& operator=(PcapFileSink&& other) noexcept;
    ~PcapFileSink();

    // Errors (a full disk) are reported by flush() and close().
    void write(const Packet& p);
    std::expected<void, std::string> flush();
    std::expected<void, std::string> close();

private:
    PcapFileSink() = default;
    void drain();  // writes the buffer out, remembering the first error

    int fd_ = -1;
    bool owns_fd_ = false;
    std::string path_;
    std::vector<std::uint8_t> buffer_;
    std::string error_;
};

}  // namespace capture
