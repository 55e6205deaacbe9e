// Reads pcap and pcapng captures from a file or stdin ("-"), through a ByteReader (read(2), no
// mapping). Classic pcap is read by sniff's PcapStream and common pcapng by PcapngStream, from
// files and pipes alike; libpcap reads the rest (pcapng past the fast path's first unusual
// block, and the formats libpcap rewrites as it reads) through a FILE on the same reader.
#pragma once

#include <cstdio>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "capture/byte_reader.hpp"
#include "capture/cookie_file.hpp"
#include "capture/file_identity.hpp"
#include "capture/packet.hpp"
#include "capture/pcap_stream.hpp"
#include "capture/pcapng_stream.hpp"

typedef struct pcap pcap_t;

namespace capture {

class PcapFileSource {
public:
    enum class Status { Packet, End, Damaged };

    static std::expected<PcapFileSource, std::string> open(const std::string& path);

    int dlt() const;
    std::uint32_t snaplen() const;
    // Written by a machine of the other byte order (pcap_is_swapped).
    bool swapped() const;
    // Fills `out` (valid until the next call). On Damaged, damage() says what and where.
    Status next(Packet& out);
    const std::string& damage() const { return damage_; }

    // The input (stdin's file too), so that no output overwrites it.
    const std::optional<FileIdentity>& identity() const { return reader_->identity(); }
    // Whether libpcap reads (from now on), rather than sniff's own readers.
    bool read_by_libpcap() const { return handle_ != nullptr; }

private:
    struct Closer {
        void operator()(pcap_t* p) const;
    };
    // Hands the input (from its current block, after `prefix`) to libpcap; false after setting
    // `error` to libpcap's message.
    bool hand_to_libpcap(std::vector<std::uint8_t> prefix, std::string& error);
    Status next_from_libpcap(Packet& out);

    // Declared first, destroyed last: the streams and libpcap's FILE read from the reader.
    std::unique_ptr<ByteReader> reader_;
    std::unique_ptr<CookieFile> cookie_;
    std::optional<PcapStream> pcap_;
    std::optional<PcapngStream> pcapng_;
    std::unique_ptr<pcap_t, Closer> handle_;
    std::string name_;  // the path, or "standard input"
    std::string damage_;
};

}  // namespace capture
