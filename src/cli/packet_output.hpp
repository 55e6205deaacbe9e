// What happens to each accepted packet: a decoded line (tcpdump's text or --json) on stdout,
// buffered and written in blocks, or a record in the -w pcap file. Shared by offline and live
// capture.
#pragma once

#include <optional>
#include <string>

#include "capture/packet.hpp"
#include "cli/savefiles.hpp"
#include "cli/options.hpp"
#include "decode/layers.hpp"
#include "decode/tcp_flows.hpp"
#include "decode/text.hpp"
#include "decode/timestamp.hpp"

namespace cli {

class PacketOutput {
public:
    // nullopt after printing why the output could not be opened. `input` is the capture being
    // read, which no -w file may overwrite.
    static std::optional<PacketOutput> open(const Options& o, int dlt, std::uint32_t snaplen,
                                            const std::optional<capture::FileIdentity>& input = std::nullopt);

    // False once the output wants no more packets (-G with -W made its last file, or writing
    // failed); the caller stops capturing.
    bool handle(const capture::Packet& p);
    // Writes what is buffered; false after printing the error (a full disk, a closed pipe).
    bool flush();
    // Writes and closes everything; false if any write since open() failed (the error was
    // printed when it happened), so the exit status can say so.
    bool finish();

private:
    PacketOutput() = default;

    int dlt_ = 1;
    std::optional<Savefiles> sink_;
    std::string text_;
    bool failed_ = false;  // a write failed or the next -C/-G file could not be opened

    // Printing state: decode buffers reused from packet to packet, TCP connections seen so far
    // (for relative sequence numbers) and the previous timestamp (for -ttt).
    decode::TextOptions text_options_;
    decode::TimestampFormatter timestamps_{decode::TimeFormat::clock};
    decode::Decoded decoded_;
    decode::TcpFlows flows_;
    std::uint64_t count_ = 0;
    int hex_level_ = 0;       // max of -x and -X counts
    bool hex_ascii_ = false;  // -X
    bool ascii_ = false;      // -A
    bool numbers_ = false;    // -#
    bool json_ = false;
};

}  // namespace cli
