// sniff's fast path through pcapng: one section, one interface, Enhanced Packet Blocks, micro- or
// nanosecond timestamps, which is what capture tools write. At the first block it does not read
// that way (another interface, a Simple Packet Block, statistics, a second section, damage) it
// stops without consuming it, and libpcap reads the rest, so libpcap's rules and messages
// apply to everything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/byte_reader.hpp"
#include "capture/packet.hpp"

namespace capture {

class PcapngStream {
public:
    enum class Status { Packet, End, HandOver };

    // At the start of a pcapng file: the Section Header Block and, right after it, an Interface
    // Description Block this stream can read for (then both are consumed). Empty otherwise, with
    // nothing consumed: libpcap reads the whole file.
    static std::optional<PcapngStream> open(ByteReader& reader);

    int dlt() const { return dlt_; }
    std::uint32_t snaplen() const { return snaplen_; }
    bool swapped() const { return swapped_; }  // the section is in the other byte order

    // Packet (valid until the next call), End at a clean end of the input, or HandOver with the
    // block left unread for libpcap.
    Status next(Packet& out);

    // The header and interface blocks, byte for byte: libpcap reads them first, then the rest.
    const std::vector<std::uint8_t>& prefix() const { return prefix_; }

private:
    PcapngStream(ByteReader& reader) : reader_(&reader) {}
    std::uint32_t u32(const std::uint8_t* p) const;

    ByteReader* reader_;
    bool swapped_ = false;
    int dlt_ = 0;
    std::uint32_t snaplen_ = 0;
    bool nanoseconds_ = false;  // if_tsresol 9; otherwise microseconds (6, the default)
    std::int64_t tsoffset_ = 0;
    std::vector<std::uint8_t> prefix_;
};

}  // namespace capture
