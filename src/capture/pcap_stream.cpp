// Record layout (pcap-savefile(5)): seconds, micro- or nanoseconds, captured length, wire length,
// then the captured bytes. The checks and messages are libpcap 1.10's (sf-pcap.c
// pcap_next_packet), so sniff stops at the same record with the same words.
#include "capture/pcap_stream.hpp"

#include <fmt/format.h>

#include <cstring>
#include <utility>

namespace capture {

PcapStream::Status PcapStream::damaged(std::uint64_t at, std::string what, std::string& damage) const {
    damage = fmt::format("damaged record at file offset {}: {}", at, what);
    if (reader_->read_errno()) damage += fmt::format(" (error reading dump file: {})", std::strerror(reader_->read_errno()));
    if (auto shrank = reader_->shrinkage()) damage += fmt::format(" ({})", *shrank);
    return Status::Damaged;
}

PcapStream::Status PcapStream::next(Packet& out, std::string& damage) {
    const std::uint64_t at = reader_->offset();
    auto head = reader_->peek(kPcapRecordHeaderBytes);
    if (head.size() < kPcapRecordHeaderBytes) {
        if (head.empty() && !reader_->read_errno()) {
            // A clean end, unless the file got shorter under us: then records are missing.
            if (auto shrank = reader_->shrinkage()) {
                damage = fmt::format("damaged record at file offset {}: {}", at, *shrank);
                return Status::Damaged;
            }
            return Status::End;
        }
        return damaged(at, fmt::format("truncated dump file; tried to read {} header bytes, only got {}", kPcapRecordHeaderBytes, head.size()), damage);
    }
    std::uint32_t f[4];
    std::memcpy(f, head.data(), sizeof f);
    if (header_.swapped)
        for (auto& v : f) v = __builtin_bswap32(v);
    std::uint32_t caplen = f[2], len = f[3];
    if (header_.lengths == LengthOrder::Swapped || (header_.lengths == LengthOrder::MaybeSwapped && caplen > len))
        std::swap(caplen, len);
    if (caplen > header_.max_caplen) {
        if (caplen > header_.snaplen)
            return damaged(at, fmt::format("invalid packet capture length {}, bigger than snaplen of {}", caplen, header_.snaplen), damage);
        return damaged(at, fmt::format("invalid packet capture length {}, bigger than maximum of {}", caplen, header_.max_caplen), damage);
    }
    auto record = reader_->peek(kPcapRecordHeaderBytes + caplen);
    const std::size_t got = record.size() - kPcapRecordHeaderBytes;
    if (got < caplen) {
        // libpcap reads a record longer than the snapshot length in two steps, and words the
        // shortfall by the step that fell short.
        if (caplen > header_.snaplen && got < header_.snaplen)
            return damaged(at, fmt::format("truncated dump file; tried to read {} captured bytes, only got {}", header_.snaplen, got), damage);
        return damaged(at, fmt::format("truncated dump file; tried to read {} captured bytes, only got {}", caplen, got), damage);
    }
    out.ts_sec = f[0];
    out.ts_usec = header_.nanoseconds ? f[1] / 1000 : f[1];
    out.wire_length = len;
    // A record longer than the snapshot length is cut to it, as libpcap does, so a filter never
    // sees more bytes than the capture promised.
    out.data = record.subspan(kPcapRecordHeaderBytes, std::min(caplen, header_.snaplen));
    reader_->consume(kPcapRecordHeaderBytes + caplen);
    return Status::Packet;
}

}  // namespace capture
