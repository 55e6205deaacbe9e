// Block layouts from the pcapng specification (draft-ietf-opsawg-pcapng): every block is type,
// total length, body, total length again. The conditions for reading a block here are the ones
// under which libpcap 1.10's sf-pcapng.c reads it without error and without rewriting the
// packet; timestamps are converted as it converts them for microsecond precision.
#include "capture/pcapng_stream.hpp"

#include <cstring>

#include "capture/pcap_header.hpp"

namespace capture {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A, kInterface = 1, kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
// libpcap's INITIAL_MAX_BLOCKSIZE: larger blocks are its to accept or refuse.
constexpr std::uint32_t kMaxBlock = 16 * 1024 * 1024;
constexpr std::uint32_t kMaxSectionHeader = 64 * 1024;

}  // namespace

std::uint32_t PcapngStream::u32(const std::uint8_t* p) const {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return swapped_ ? __builtin_bswap32(v) : v;
}

std::optional<PcapngStream> PcapngStream::open(ByteReader& reader) {
    PcapngStream s(reader);
    auto head = reader.peek(12);
    if (head.size() < 12 || std::memcmp(head.data(), &kSectionHeader, 4) != 0) return std::nullopt;
    std::uint32_t bom;
    std::memcpy(&bom, head.data() + 8, 4);
    if (bom != kByteOrderMagic) {
        if (__builtin_bswap32(bom) != kByteOrderMagic) return std::nullopt;
        s.swapped_ = true;
    }
    const std::uint32_t shb_length = s.u32(head.data() + 4);
    if (shb_length < 28 || shb_length > kMaxSectionHeader || shb_length % 4 != 0) return std::nullopt;
    auto shb = reader.peek(shb_length + 8);
    if (shb.size() < shb_length + 8 || s.u32(shb.data() + shb_length - 4) != shb_length) return std::nullopt;
    std::uint16_t major, minor;
    std::memcpy(&major, shb.data() + 12, 2);
    std::memcpy(&minor, shb.data() + 14, 2);
    if (s.swapped_) {
        major = __builtin_bswap16(major);
        minor = __builtin_bswap16(minor);
    }
    if (major != 1 || (minor != 0 && minor != 2)) return std::nullopt;
    // The interface, right after the section header.
    const std::uint8_t* idb_head = shb.data() + shb_length;
    if (s.u32(idb_head) != kInterface) return std::nullopt;
    const std::uint32_t idb_length = s.u32(idb_head + 4);
    if (idb_length < 20 || idb_length > kMaxSectionHeader || idb_length % 4 != 0) return std::nullopt;
    auto both = reader.peek(shb_length + idb_length);
    if (both.size() < shb_length + idb_length) return std::nullopt;
    const std::uint8_t* idb = both.data() + shb_length;
    if (s.u32(idb + idb_length - 4) != idb_length) return std::nullopt;
    std::uint16_t linktype;
    std::memcpy(&linktype, idb + 8, 2);
    if (s.swapped_) linktype = __builtin_bswap16(linktype);
    s.dlt_ = linktype_to_dlt(linktype);
    PcapHeader as_pcap;
    as_pcap.dlt = s.dlt_;
    as_pcap.swapped = s.swapped_;
    if (libpcap_rewrites_packets(as_pcap)) return std::nullopt;
    const std::uint32_t snaplen = s.u32(idb + 12);
    s.snaplen_ = snaplen == 0 || snaplen > 0x7fffffff ? max_snaplen_for_dlt(s.dlt_) : snaplen;
    // Options: only well-formed ones, with at most one if_tsresol of 6 or 9 and one if_tsoffset;
    // anything else (binary resolutions, duplicates, bad lengths) is libpcap's to judge.
    bool seen_resol = false, seen_offset = false;
    for (std::size_t at = 16, end = idb_length - 4; at < end;) {
        if (end - at < 4) return std::nullopt;
        std::uint16_t code, length;
        std::memcpy(&code, idb + at, 2);
        std::memcpy(&length, idb + at + 2, 2);
        if (s.swapped_) {
            code = __builtin_bswap16(code);
            length = __builtin_bswap16(length);
        }
        const std::size_t padded = (length + 3u) & ~3u;
        if (end - at - 4 < padded) return std::nullopt;
        const std::uint8_t* value = idb + at + 4;
        if (code == 0) {  // opt_endofopt: libpcap refuses one with a length (found by pcap_fuzz)
            if (length != 0) return std::nullopt;
            break;
        }
        if (code == 9) {       // if_tsresol
            if (seen_resol || length != 1 || (value[0] != 6 && value[0] != 9)) return std::nullopt;
            seen_resol = true;
            s.nanoseconds_ = value[0] == 9;
        } else if (code == 14) {  // if_tsoffset
            if (seen_offset || length != 8) return std::nullopt;
            seen_offset = true;
            std::uint64_t v;
            std::memcpy(&v, value, 8);
            if (s.swapped_) v = __builtin_bswap64(v);
            s.tsoffset_ = static_cast<std::int64_t>(v);
        }
        at += 4 + padded;
    }
    s.prefix_.assign(both.begin(), both.end());
    reader.consume(shb_length + idb_length);
    return s;
}

PcapngStream::Status PcapngStream::next(Packet& out) {
    auto head = reader_->peek(28);
    if (head.empty() && !reader_->read_errno()) return Status::End;
    if (head.size() < 28 || u32(head.data()) != kEnhancedPacket) return Status::HandOver;
    const std::uint32_t total = u32(head.data() + 4);
    if (total < 32 || total % 4 != 0 || total > kMaxBlock) return Status::HandOver;
    const std::uint32_t interface = u32(head.data() + 8), caplen = u32(head.data() + 20);
    if (interface != 0 || caplen > snaplen_ || caplen > total - 32) return Status::HandOver;
    auto block = reader_->peek(total);
    if (block.size() < total || u32(block.data() + total - 4) != total) return Status::HandOver;
    const std::uint64_t t = static_cast<std::uint64_t>(u32(block.data() + 12)) << 32 | u32(block.data() + 16);
    const std::uint64_t resolution = nanoseconds_ ? 1000000000 : 1000000;
    out.ts_sec = static_cast<std::int64_t>(t / resolution + static_cast<std::uint64_t>(tsoffset_));
    out.ts_usec = static_cast<std::uint32_t>(nanoseconds_ ? t % resolution / 1000 : t % resolution);
    out.wire_length = u32(block.data() + 24);
    out.data = block.subspan(28, caplen);
    reader_->consume(total);
    return Status::Packet;
}

}  // namespace capture
