// sniff's own reader of classic pcap records, from a ByteReader (a file, a pipe or stdin): no
// library call and no system call per packet. Damage is reported after every good record, with
// the file offset of the bad one.
#pragma once

#include <string>

#include "capture/byte_reader.hpp"
#include "capture/packet.hpp"
#include "capture/pcap_header.hpp"

namespace capture {

class PcapStream {
public:
    enum class Status { Packet, End, Damaged };

    // `reader` is positioned after the file header and must outlive the stream.
    PcapStream(ByteReader& reader, const PcapHeader& header) : reader_(&reader), header_(header) {}

    const PcapHeader& header() const { return header_; }

    // The packet's bytes stay valid until the next call. On Damaged, `damage` says what is wrong
    // and at which file offset, in libpcap's words.
    Status next(Packet& out, std::string& damage);

private:
    Status damaged(std::uint64_t at, std::string what, std::string& damage) const;

    ByteReader* reader_;
    PcapHeader header_;
};

}  // namespace capture
