// The capture file readers: the input is a whole file, read through capture::PcapFileSource
// to its end or its damage; must never crash, and must return exactly libpcap's records (as
// pcap_io_test checks for the sample files).
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "capture/pcap_file_source.hpp"

namespace {

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "FINDING: %s\n", what.c_str());
    std::abort();
}

// The input as a file both readers can open by name; one memfd, rewritten for every input.
const std::string& file_with(const std::uint8_t* data, std::size_t size) {
    static int fd = memfd_create("pcap_fuzz", MFD_CLOEXEC);
    static std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)))
        finding("cannot write the memfd");
    return path;
}

std::uint32_t touch(const capture::Packet& p) {
    std::uint32_t sum = 0;
    for (auto b : p.data) sum += b;
    return sum;
}

void read_all(const std::string& path) {
    auto src = capture::PcapFileSource::open(path);
    if (!src) {
        if (src.error().empty()) finding("PcapFileSource refused the file without a message");
        return;
    }
    (void)src->dlt();
    (void)src->snaplen();
    capture::Packet p;
    volatile std::uint32_t sink = 0;
    for (;;) {
        auto st = src->next(p);
        if (st == capture::PcapFileSource::Status::End) break;
        if (st == capture::PcapFileSource::Status::Damaged) {
            if (src->damage().empty()) finding("damaged file without a message");
            break;
        }
        if (p.data.size() > 262144) finding("a record of more than 262144 captured bytes");
        sink = sink + touch(p);
    }
}

// sniff's reader (its own pcap and pcapng streams, libpcap for the rest) must open exactly the
// files libpcap opens and return exactly libpcap's records: link type, timestamps, lengths,
// bytes, and damage at the same record.
void compare_with_libpcap(const std::string& path) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    auto ours = capture::PcapFileSource::open(path);
    if (!p) {
        if (ours) finding(std::string("sniff's reader took a file libpcap refuses: ") + err);
        return;
    }
    if (!ours) finding("sniff's reader refused a file libpcap opens: " + ours.error());
    if (ours->dlt() != pcap_datalink(p))
        finding("link type " + std::to_string(ours->dlt()) + ", libpcap's " + std::to_string(pcap_datalink(p)));
    capture::Packet pkt;
    using Status = capture::PcapFileSource::Status;
    for (std::size_t i = 0;; ++i) {
        pcap_pkthdr* h;
        const u_char* d;
        const int rc = pcap_next_ex(p, &h, &d);
        const auto st = ours->next(pkt);
        const std::string at = "record " + std::to_string(i) + ": ";
        if (rc != 1) {
            if (st == Status::Packet) finding(at + "libpcap stopped (" + pcap_geterr(p) + "), sniff's reader did not");
            if ((st == Status::Damaged) != (rc == PCAP_ERROR))
                finding(at + "libpcap " + (rc == PCAP_ERROR ? std::string("found damage: ") + pcap_geterr(p) : "ended") +
                        ", sniff's reader " + (st == Status::Damaged ? "found damage: " + ours->damage() : "ended"));
            break;
        }
        if (st != Status::Packet) finding(at + "libpcap read a packet, sniff's reader: " + ours->damage());
        // Same 32 bits; sniff reads them unsigned (README, deliberate differences), libpcap 1.10 signed.
        if (static_cast<std::uint32_t>(pkt.ts_sec) != static_cast<std::uint32_t>(h->ts.tv_sec)) finding(at + "seconds differ");
        // An invalid fraction (a second or more) has no right value; libpcap wraps it (it reads the
        // field signed, so 0xffffffff ns is 0 us there), sniff keeps it.
        if (pkt.ts_usec < 1000000 && pkt.ts_usec != static_cast<std::uint32_t>(h->ts.tv_usec))
            finding(at + "fraction differs");
        if (pkt.wire_length != h->len) finding(at + "wire length differs");
        if (pkt.data.size() != h->caplen)
            finding(at + "captured length " + std::to_string(pkt.data.size()) + ", libpcap's " + std::to_string(h->caplen));
        if (std::memcmp(pkt.data.data(), d, h->caplen) != 0) finding(at + "bytes differ");
    }
    pcap_close(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = file_with(data, size);
    read_all(path);
    compare_with_libpcap(path);
    return 0;
}
