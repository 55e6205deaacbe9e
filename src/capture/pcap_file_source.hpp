// Reads pcap and pcapng captures from a file or stdin ("-"), through a ByteReader (read(2), no
// mapping). Classic pcap is read by sniff's PcapStream, from files and pipes alike; pcapng and
// the rare formats libpcap rewrites as it reads go to libpcap through a FILE on the same reader.
#pragma once

#include <cstdio>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "capture/byte_reader.hpp"
#include "capture/file_identity.hpp"
#include "capture/packet.hpp"
#include "capture/pcap_stream.hpp"

typedef struct pcap pcap_t;

namespace capture {

class PcapFileSource {
public:
    enum class Status { Packet, End, Damaged };

    static std::expected<PcapFileSource, std::string> open(const std::string& path);

    int dlt() const;
    std::uint32_t snaplen() const;
    // Fills `out` (valid until the next call). On Damaged, damage() says what and where.
    Status next(Packet& out);
    const std::string& damage() const { return damage_; }

    // The input (stdin's file too), so that no output overwrites it.
    const std::optional<FileIdentity>& identity() const { return reader_->identity(); }
    bool read_by_libpcap() const { return handle_ != nullptr; }

private:
    struct Closer {
        void operator()(pcap_t* p) const;
    };
    // Declared first, destroyed last: the stream and libpcap's FILE read from it.
    std::unique_ptr<ByteReader> reader_;
    std::optional<PcapStream> stream_;
    std::unique_ptr<pcap_t, Closer> handle_;
    std::string name_;  // the path, or "standard input"
    std::string damage_;
};

}  // namespace capture
