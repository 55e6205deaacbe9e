// libpcap 1.10.3 is the reference; tests/pcap_io_test.cpp checks every rule here against the
// installed libpcap's pcap_open_offline on crafted headers.
#include "capture/pcap_header.hpp"

#include <fmt/format.h>

#include <cstring>

namespace capture {
namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4, kMagicNano = 0xa1b23c4d, kMagicKuznetzov = 0xa1b2cd34;
constexpr std::uint16_t kVersionMajor = 2, kVersionMinor = 4;
constexpr std::uint32_t kMaximumSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

std::uint16_t load16(const std::uint8_t* p, bool swapped) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return swapped ? __builtin_bswap16(v) : v;
}

}  // namespace

PcapMagic classify_magic(std::span<const std::uint8_t, 4> first) {
    std::uint32_t m;
    std::memcpy(&m, first.data(), 4);
    for (std::uint32_t v : {m, __builtin_bswap32(m)}) {
        if (v == kMagicMicro) return PcapMagic::Micro;
        if (v == kMagicNano) return PcapMagic::Nano;
        if (v == kMagicKuznetzov) return PcapMagic::Kuznetzov;
    }
    return PcapMagic::Other;
}

std::expected<PcapHeader, std::string> parse_pcap_header(std::span<const std::uint8_t, kPcapFileHeaderBytes> bytes) {
    const std::uint8_t* b = bytes.data();
    PcapHeader h;
    std::uint32_t magic;
    std::memcpy(&magic, b, 4);
    h.swapped = magic != kMagicMicro && magic != kMagicNano;
    h.nanoseconds = load32(b, h.swapped) == kMagicNano;
    h.version_major = load16(b + 4, h.swapped);
    h.version_minor = load16(b + 6, h.swapped);
    // sf-pcap.c: below 2 is archaic; 2.0 to 2.4 are read, and 543.0 (DG/UX tcpdump).
    if (h.version_major < kVersionMajor) return std::unexpected(std::string("archaic pcap savefile format"));
    if (!((h.version_major == kVersionMajor && h.version_minor <= kVersionMinor) || (h.version_major == 543 && h.version_minor == 0)))
        return std::unexpected(fmt::format("unsupported pcap savefile version {}.{}", h.version_major, h.version_minor));
    const std::uint32_t linktype = load32(b + 20, h.swapped);
    // LT_LINKTYPE and LT_LINKTYPE_EXT: 26 bits of link type, 6 of extra information.
    h.dlt = linktype_to_dlt(linktype & 0x03ffffff);
    h.linktype_ext = linktype & 0xfc000000;
    h.max_caplen = max_snaplen_for_dlt(h.dlt);
    // pcap_adjust_snapshot: only 0 and lengths above INT_MAX are replaced by the link type's
    // maximum; a length between that maximum and INT_MAX is kept (libpcap 1.10 says so).
    const std::uint32_t snaplen = load32(b + 16, h.swapped);
    h.snaplen = snaplen == 0 || snaplen > 0x7fffffff ? h.max_caplen : snaplen;
    if (h.version_major == 543 || h.version_minor < 3) h.lengths = LengthOrder::Swapped;
    else if (h.version_minor == 3) h.lengths = LengthOrder::MaybeSwapped;
    return h;
}

int linktype_to_dlt(std::uint32_t linktype) {
    // LINKTYPE values 104 and up (the "matching range") equal their DLT, except ATM_CLIP; below
    // it the values are the DLT, except these five, which BSDs numbered differently.
    switch (linktype) {
        case 100: return 11;   // LINKTYPE_ATM_RFC1483 -> DLT_ATM_RFC1483
        case 101: return 12;   // LINKTYPE_RAW -> DLT_RAW
        case 102: return 15;   // LINKTYPE_SLIP_BSDOS -> DLT_SLIP_BSDOS
        case 103: return 16;   // LINKTYPE_PPP_BSDOS -> DLT_PPP_BSDOS
        case 106: return 19;   // LINKTYPE_ATM_CLIP -> DLT_ATM_CLIP
        default: return static_cast<int>(linktype);
    }
}

std::uint32_t max_snaplen_for_dlt(int dlt) {
    switch (dlt) {
        case 231: return 128 * 1024 * 1024;  // DLT_DBUS: a message can be 128 MiB
        case 279: return 8 * 1024 * 1024;    // DLT_EBHSCR
        case 249: return 1024 * 1024;        // DLT_USBPCAP
        default: return kMaximumSnaplen;
    }
}

bool libpcap_rewrites_packets(const PcapHeader& h) {
    switch (h.dlt) {
        case 220:  // DLT_USB_LINUX_MMAPPED
            return true;
        case 113:  // DLT_LINUX_SLL (CAN frames' ids)
        case 117:  // DLT_PFLOG
        case 189:  // DLT_USB_LINUX
        case 239:  // DLT_NFLOG
        case 276:  // DLT_LINUX_SLL2
            return h.swapped;
        default:
            return false;
    }
}

}  // namespace capture
