// The classic pcap file header and libpcap 1.10's rules for it (sf-pcap.c pcap_check_header,
// pcap-common.c linktype_to_dlt and max_snaplen_for_dlt), so sniff opens exactly the files
// libpcap opens and reports the same link type and snapshot length.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>

namespace capture {

inline constexpr std::size_t kPcapFileHeaderBytes = 24, kPcapRecordHeaderBytes = 16;

enum class PcapMagic {
    Micro,        // 0xa1b2c3d4, either byte order
    Nano,         // 0xa1b23c4d
    Kuznetzov,    // 0xa1b2cd34: a patched libpcap's longer record header; libpcap reads those
    Other,        // pcapng, or not a capture: libpcap decides
};

// From the first four bytes.
PcapMagic classify_magic(std::span<const std::uint8_t, 4> first);

// How a record's caplen and len fields are ordered: they were interchanged at version 2.3, some
// 2.3 files have the old order, and DG/UX's 543.0 has it too.
enum class LengthOrder { Normal, Swapped, MaybeSwapped };

struct PcapHeader {
    bool swapped = false;      // written in the other byte order
    bool nanoseconds = false;
    std::uint16_t version_major = 0, version_minor = 0;
    int dlt = 0;                    // pcap_datalink(): linktype_to_dlt of the low 26 bits
    std::uint32_t linktype_ext = 0;  // the upper 6 bits (FCS length, the P bit)
    std::uint32_t snaplen = 0;       // pcap_snapshot(): 0 or above INT_MAX becomes the link type's maximum
    std::uint32_t max_caplen = 0;    // larger records are corruption
    LengthOrder lengths = LengthOrder::Normal;
};

// The 24 header bytes of a Micro or Nano file; the error is libpcap's text
// ("archaic pcap savefile format", "unsupported pcap savefile version 2.5").
std::expected<PcapHeader, std::string> parse_pcap_header(std::span<const std::uint8_t, kPcapFileHeaderBytes> bytes);

// LINKTYPE_* (in files) to DLT_* (what programs are compiled for), as on Linux.
int linktype_to_dlt(std::uint32_t linktype);
std::uint32_t max_snaplen_for_dlt(int dlt);

// Files whose packets libpcap rewrites as it reads them, which sniff leaves to libpcap: in the
// other byte order, fields inside some link types' pseudo-headers are swapped
// (pcap-common.c swap_pseudo_headers), and USB_LINUX_MMAPPED lengths from old captures are fixed
// up in either order.
bool libpcap_rewrites_packets(const PcapHeader& h);

}  // namespace capture
