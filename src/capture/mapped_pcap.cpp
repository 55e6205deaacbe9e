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
// Larger captured lengths are corruption, not packets (libpcap's MAXIMUM_SNAPLEN, its limit for
// every link type this reader takes).
constexpr std::uint32_t kMaxCaplen = 262144;

// Link types whose records libpcap changes or measures differently, left to libpcap: larger
// record limits (D-Bus, EBHSCR, USBPcap: max_snaplen_for_dlt), and pseudo-headers it converts to
// host byte order in a swapped file (pflog, cooked v1/v2 with SocketCAN, Linux USB, NFLOG) or
// whose length it fixes up in any file (Linux USB, memory-mapped).
bool libpcap_rewrites(int dlt, bool swapped) {
    switch (dlt) {
        case 231: case 279: case 249: case 220: return true;
        case 117: case 113: case 276: case 189: case 239: return swapped;
        default: return false;
    }
}

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
    // Only today's version 2.4. libpcap reads older files with the two lengths swapped (2.0 to
    // 2.2, sometimes 2.3, DG/UX's 543.0) and refuses other versions: those files go to libpcap.
    std::uint16_t major, minor;
    std::memcpy(&major, m.data_ + 4, 2);
    std::memcpy(&minor, m.data_ + 6, 2);
    if (m.swapped_) major = __builtin_bswap16(major), minor = __builtin_bswap16(minor);
    if (major != 2 || minor != 4) return std::nullopt;
    m.snaplen_ = m.u32(16);
    // The low 26 bits are the link type, as libpcap's LT_LINKTYPE() takes them: bits 16 to 25
    // are reserved (and kept, so a file that sets them has libpcap's odd link type), the top 6
    // carry FCS flags (pcap-savefile(5)).
    m.dlt_ = static_cast<int>(m.u32(20) & 0x03ffffff);
    // LINKTYPE_* values equal DLT_* values except for a few old ones; RAW is common enough to map
    // here (101 -> DLT_RAW 12), the rest are left to libpcap's table.
    if (m.dlt_ == 101) m.dlt_ = 12;
    else if (m.dlt_ >= 100 && m.dlt_ <= 112 && m.dlt_ != 104 && m.dlt_ != 105 && m.dlt_ != 107 && m.dlt_ != 108)
        return std::nullopt;
    if (libpcap_rewrites(m.dlt_, m.swapped_)) return std::nullopt;
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
    // libpcap refuses a record over its limit whatever the file header's snaplen says.
    if (caplen > kMaxCaplen) {
        damage = fmt::format("damaged record at file offset {}: invalid packet capture length {}, bigger than the maximum of {}",
                             offset_, caplen, kMaxCaplen);
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
