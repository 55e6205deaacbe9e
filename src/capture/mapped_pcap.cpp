// Classic pcap layout: a 24-byte file header (magic, version, snaplen, link type), then records
// of a 16-byte header (seconds, micro- or nanoseconds, captured length, wire length) and the
// captured bytes. Both byte orders; damage is reported with its offset, after every good record.
#include "capture/mapped_pcap.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace capture {
namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4, kMagicNano = 0xa1b23c4d;
constexpr std::size_t kFileHeader = 24, kRecordHeader = 16;
// Larger captured lengths are corruption, not packets (libpcap's limit for every link type).
constexpr std::uint32_t kMaxCaplen = 262144;

}  // namespace

std::optional<MappedPcap> MappedPcap::open(const std::string& path, std::string& error) {
    if (path == "-") return std::nullopt;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;  // libpcap reports the same failure with its own wording
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < static_cast<off_t>(kFileHeader)) {
        ::close(fd);
        return std::nullopt;
    }
    void* map = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) return std::nullopt;
    MappedPcap m;
    m.data_ = static_cast<const std::uint8_t*>(map);
    m.size_ = static_cast<std::size_t>(st.st_size);
    madvise(map, m.size_, MADV_SEQUENTIAL);
    std::uint32_t magic;
    std::memcpy(&magic, m.data_, 4);
    if (magic == kMagicMicro || magic == kMagicNano) {
        m.nanoseconds_ = magic == kMagicNano;
    } else if (__builtin_bswap32(magic) == kMagicMicro || __builtin_bswap32(magic) == kMagicNano) {
        m.swapped_ = true;
        m.nanoseconds_ = __builtin_bswap32(magic) == kMagicNano;
    } else {
        return std::nullopt;  // pcapng or not a capture: libpcap decides
    }
    m.snaplen_ = m.u32(16);
    // The low 16 bits are the link type; the upper ones carry FCS flags (pcap-savefile(5)).
    m.dlt_ = static_cast<int>(m.u32(20) & 0xffff);
    // LINKTYPE_* values equal DLT_* values except for a few old ones; RAW is common enough to map
    // here (101 -> DLT_RAW 12), the rest are left to libpcap's table.
    if (m.dlt_ == 101) m.dlt_ = 12;
    else if (m.dlt_ >= 100 && m.dlt_ <= 112 && m.dlt_ != 104 && m.dlt_ != 105 && m.dlt_ != 107 && m.dlt_ != 108)
        return std::nullopt;
    m.offset_ = kFileHeader;
    (void)error;
    return m;
}

MappedPcap::MappedPcap(MappedPcap&& other) noexcept
    : data_(other.data_), size_(other.size_), offset_(other.offset_), swapped_(other.swapped_),
      nanoseconds_(other.nanoseconds_), dlt_(other.dlt_), snaplen_(other.snaplen_) {
    other.data_ = nullptr;
}

MappedPcap::~MappedPcap() {
    if (data_) munmap(const_cast<std::uint8_t*>(data_), size_);
}

std::uint32_t MappedPcap::u32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, data_ + at, 4);
    return swapped_ ? __builtin_bswap32(v) : v;
}

MappedPcap::Status MappedPcap::next(Packet& out, std::string& damage) {
    const std::size_t left = size_ - offset_;
    if (left == 0) return Status::End;
    if (left < kRecordHeader) {
        damage = fmt::format("damaged record at file offset {}: truncated dump file; the record header has only {} of 16 bytes",
                             offset_, left);
        return Status::Damaged;
    }
    const std::uint32_t caplen = u32(offset_ + 8);
    if (caplen > std::max(kMaxCaplen, snaplen_)) {
        damage = fmt::format("damaged record at file offset {}: invalid packet capture length {}, bigger than snaplen of {}",
                             offset_, caplen, std::max(kMaxCaplen, snaplen_));
        return Status::Damaged;
    }
    if (left - kRecordHeader < caplen) {
        damage = fmt::format("damaged record at file offset {}: truncated dump file; tried to read {} captured bytes, only got {}",
                             offset_, caplen, left - kRecordHeader);
        return Status::Damaged;
    }
    out.ts_sec = u32(offset_);
    std::uint32_t frac = u32(offset_ + 4);
    out.ts_usec = nanoseconds_ ? frac / 1000 : frac;
    out.wire_length = u32(offset_ + 12);
    // A record longer than the file's snaplen is cut to it, as libpcap does, so a filter never
    // sees more bytes than the capture promised.
    const std::uint32_t snap = snaplen_ == 0 || snaplen_ > kMaxCaplen ? kMaxCaplen : snaplen_;
    out.data = {data_ + offset_ + kRecordHeader, std::min(caplen, snap)};
    offset_ += kRecordHeader + caplen;
    return Status::Packet;
}

}  // namespace capture
