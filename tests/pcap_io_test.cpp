// pcap/pcapng reading and pcap writing: formats, damaged files, round trips, the shared corpus.
#include <gtest/gtest.h>

#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "capture/pcap_file_sink.hpp"
#include "capture/mapped_pcap.hpp"
#include "capture/pcap_file_source.hpp"
#include "packet_corpus.hpp"

namespace {

namespace fs = std::filesystem;
using capture::PcapFileSource;

std::string capture_path(const char* name) { return (fs::path(testing_support::source_root()) / "captures" / name).string(); }

struct ReadResult {
    std::size_t packets = 0;
    bool damaged = false;
    std::string damage;
    std::vector<capture::Packet> first;  // views are only valid until the next read; keep metadata
};

ReadResult read_all(const std::string& path) {
    ReadResult r;
    auto src = PcapFileSource::open(path);
    EXPECT_TRUE(src.has_value()) << path;
    if (!src) return r;
    capture::Packet p;
    for (;;) {
        auto st = src->next(p);
        if (st == PcapFileSource::Status::End) break;
        if (st == PcapFileSource::Status::Damaged) { r.damaged = true; r.damage = src->damage(); break; }
        if (r.first.size() < 3) r.first.push_back(capture::Packet{p.ts_sec, p.ts_usec, p.wire_length, {}});
        ++r.packets;
    }
    return r;
}

struct FileCase {
    const char* name;
    std::size_t packets;
    bool damaged;
    const char* damage_part;
};

const FileCase kFiles[] = {
    {"mixed.pcap", 1000, false, ""},
    {"truncated.pcap", 200, false, ""},
    {"nsec.pcap", 50, false, ""},  // big-endian, nanosecond magic
    {"cooked.pcap", 300, false, ""},
    {"cooked2.pcap", 300, false, ""},
    {"corrupt-tail.pcap", 30, true, "damaged record at file offset 3416"},
    {"cut-short.pcap", 30, true, "truncated dump file"},
};

TEST(PcapFileSource, ReadsEveryGoodPacketAndReportsDamageWithItsOffset) {
    for (const auto& c : kFiles) {
        ReadResult r = read_all(capture_path(c.name));
        EXPECT_EQ(r.packets, c.packets) << c.name;
        EXPECT_EQ(r.damaged, c.damaged) << c.name;
        if (c.damaged) {
            EXPECT_NE(r.damage.find(c.damage_part), std::string::npos) << c.name << ": " << r.damage;
        }
    }
}

TEST(PcapFileSource, NanosecondTimestampsAreReadAsMicroseconds) {
    ReadResult r = read_all(capture_path("nsec.pcap"));
    ASSERT_FALSE(r.first.empty());
    EXPECT_EQ(r.first[0].ts_sec, 1700000000);
    for (const auto& p : r.first) EXPECT_LT(p.ts_usec, 1000000u);
}

TEST(PcapFileSource, MissingFileNamesThePath) {
    auto src = PcapFileSource::open("/nonexistent/dir/x.pcap");
    ASSERT_FALSE(src.has_value());
    EXPECT_NE(src.error().find("/nonexistent/dir/x.pcap"), std::string::npos);
}

TEST(PcapFileSink, RoundTripKeepsBytesLengthsAndTimestamps) {
    auto in = PcapFileSource::open(capture_path("truncated.pcap"));
    ASSERT_TRUE(in);
    fs::path out_path = fs::temp_directory_path() / "sniff_roundtrip.pcap";
    std::vector<std::vector<std::uint8_t>> bytes;
    std::vector<capture::Packet> meta;
    {
        auto sink = capture::PcapFileSink::open(out_path.string(), in->dlt(), in->snaplen());
        ASSERT_TRUE(sink) << sink.error();
        capture::Packet p;
        while (in->next(p) == PcapFileSource::Status::Packet) {
            sink->write(p);
            bytes.emplace_back(p.data.begin(), p.data.end());
            meta.push_back({p.ts_sec, p.ts_usec, p.wire_length, {}});
        }
        ASSERT_TRUE(sink->close());
    }
    auto back = PcapFileSource::open(out_path.string());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->dlt(), 1);
    EXPECT_EQ(back->snaplen(), 96u);
    capture::Packet p;
    std::size_t i = 0;
    while (back->next(p) == PcapFileSource::Status::Packet) {
        ASSERT_LT(i, bytes.size());
        EXPECT_EQ(std::vector<std::uint8_t>(p.data.begin(), p.data.end()), bytes[i]) << i;
        EXPECT_EQ(p.wire_length, meta[i].wire_length) << i;
        EXPECT_EQ(p.ts_sec, meta[i].ts_sec) << i;
        EXPECT_EQ(p.ts_usec, meta[i].ts_usec) << i;
        ++i;
    }
    EXPECT_EQ(i, bytes.size());
    fs::remove(out_path);
}

TEST(PcapFileSink, UnwritablePathIsAnError) {
    auto sink = capture::PcapFileSink::open("/nonexistent/dir/out.pcap", 1, 65535);
    ASSERT_FALSE(sink.has_value());
    EXPECT_NE(sink.error().find("/nonexistent/dir/out.pcap"), std::string::npos);
}

TEST(PcapFileSink, FullDiskIsReportedOnClose) {
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "/dev/full is not available";
    auto sink = capture::PcapFileSink::open("/dev/full", 1, 65535);
    ASSERT_TRUE(sink);
    std::vector<std::uint8_t> data(1000, 0xab);
    for (int i = 0; i < 100; ++i) sink->write({0, 0, 1000, data});
    auto closed = sink->close();
    ASSERT_FALSE(closed.has_value());
    EXPECT_NE(closed.error().find("write failed"), std::string::npos);
}

// Every capture of the tcpdump corpus opens or is refused with a message; none crashes the reader.
TEST(PcapFileSource, SharedCorpusReadsWithoutCrashing) {
    std::string dir = testing_support::shared_corpus_dir();
    if (dir.empty()) GTEST_SKIP() << "../shared/corpus/tcpdump-tests is absent";
    std::size_t files = 0, packets = 0, damaged = 0, refused = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto src = PcapFileSource::open(e.path().string());
        ++files;
        if (!src) { ++refused; EXPECT_FALSE(src.error().empty()); continue; }
        capture::Packet p;
        for (;;) {
            auto st = src->next(p);
            if (st == PcapFileSource::Status::Packet) { ++packets; continue; }
            if (st == PcapFileSource::Status::Damaged) { ++damaged; EXPECT_FALSE(src->damage().empty()); }
            break;
        }
    }
    std::printf("corpus: %zu files, %zu packets, %zu with damage, %zu refused\n", files, packets, damaged, refused);
    EXPECT_GT(packets, 0u);
}

}  // namespace

namespace {

// The mapped reader must give exactly what libpcap gives: same link type, same records, and
// damage at the same packet, for every sample and corpus file.
TEST(PcapFileSource, MappedReaderAgreesWithLibpcap) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(testing_support::source_root()) / "captures")) files.push_back(e.path());
    if (std::string dir = testing_support::shared_corpus_dir(); !dir.empty())
        for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
    std::size_t mapped_files = 0, packets = 0;
    for (const auto& f : files) {
        std::string error;
        auto mapped = capture::MappedPcap::open(f.string(), error);
        if (!mapped) continue;
        ++mapped_files;
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* p = pcap_open_offline(f.c_str(), err);
        ASSERT_NE(p, nullptr) << f << ": libpcap cannot open a file the mapped reader took: " << err;
        EXPECT_EQ(mapped->dlt(), pcap_datalink(p)) << f;
        capture::Packet pkt;
        std::string damage;
        for (std::size_t i = 0;; ++i) {
            pcap_pkthdr* h;
            const u_char* d;
            int rc = pcap_next_ex(p, &h, &d);
            auto st = mapped->next(pkt, damage);
            if (rc != 1) {
                EXPECT_NE(st, capture::MappedPcap::Status::Packet) << f << " record " << i << ": libpcap stopped, the mapped reader did not";
                EXPECT_EQ(st == capture::MappedPcap::Status::Damaged, rc == PCAP_ERROR) << f << " record " << i << ": " << damage;
                break;
            }
            ASSERT_EQ(st, capture::MappedPcap::Status::Packet) << f << " record " << i << ": " << damage;
            ++packets;
            // Same 32 bits; sniff reads them unsigned (2038 and later), libpcap 1.10 signed.
            EXPECT_EQ(static_cast<std::uint32_t>(pkt.ts_sec), static_cast<std::uint32_t>(h->ts.tv_sec)) << f << " " << i;
            // An invalid fraction (a second or more) has no right value; libpcap wraps it, sniff keeps it.
            if (h->ts.tv_usec >= 0 && h->ts.tv_usec < 1000000) {
                EXPECT_EQ(pkt.ts_usec, static_cast<std::uint32_t>(h->ts.tv_usec)) << f << " " << i;
            }
            EXPECT_EQ(pkt.wire_length, h->len) << f << " " << i;
            ASSERT_EQ(pkt.data.size(), h->caplen) << f << " " << i;
            EXPECT_EQ(std::memcmp(pkt.data.data(), d, h->caplen), 0) << f << " " << i;
        }
        pcap_close(p);
    }
    std::printf("mapped reader: %zu files, %zu packets identical to libpcap's\n", mapped_files, packets);
    EXPECT_GT(mapped_files, 5u);
}

}  // namespace

namespace {

// A classic pcap file: header fields as given, then records of (caplen, len, bytes), all in
// little-endian order unless `big_endian`.
struct OddFile {
    const char* name;
    std::uint16_t major, minor;
    std::uint32_t snaplen, linktype;
    bool big_endian;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> records;  // caplen, len (caplen bytes follow)
    std::vector<std::uint8_t> bytes;                               // the records' bytes, repeated as needed
};

std::string write_odd_file(const OddFile& f) {
    std::vector<std::uint8_t> out;
    auto put = [&](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(f.big_endian ? v >> (8 * (n - 1 - i)) : v >> (8 * i)));
    };
    put(0xa1b2c3d4, 4), put(f.major, 2), put(f.minor, 2), put(0, 4), put(0, 4), put(f.snaplen, 4), put(f.linktype, 4);
    for (auto [caplen, len] : f.records) {
        put(1700000000, 4), put(0, 4), put(caplen, 4), put(len, 4);
        for (std::uint32_t i = 0; i < caplen; ++i) out.push_back(f.bytes[i % f.bytes.size()]);
    }
    auto path = fs::temp_directory_path() / (std::string("sniff-odd-") + std::to_string(getpid()) + ".pcap");
    std::FILE* fp = std::fopen(path.c_str(), "wb");
    std::fwrite(out.data(), 1, out.size(), fp);
    std::fclose(fp);
    return path.string();
}

// Files whose header or records libpcap reads in its own way; found by fuzz/pcap_fuzz.cpp when the
// mapped reader read them differently. The reader must give exactly libpcap's records.
TEST(PcapFileSource, OddHeadersReadAsLibpcapReadsThem) {
    const std::vector<std::uint8_t> eth = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0};
    // Linux cooked v1 carrying SocketCAN (protocol 0x000c): libpcap swaps the CAN id of a swapped file.
    const std::vector<std::uint8_t> sll_can = {0, 0, 1, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0c, 1, 2, 3, 4, 8, 0, 0, 0};
    const OddFile cases[] = {
        {"reserved link-type bits", 2, 4, 65535, 0x00010001, false, {{16, 60}, {16, 60}}, eth},
        {"version 2.3, lengths swapped", 2, 3, 65535, 1, false, {{60, 16}, {16, 60}}, eth},
        {"version 2.2, lengths swapped", 2, 2, 65535, 1, false, {{60, 16}}, eth},
        {"version 1.0", 1, 0, 65535, 1, false, {{16, 60}}, eth},
        {"version 2.5", 2, 5, 65535, 1, false, {{16, 60}}, eth},
        {"snaplen over the limit", 2, 4, 1000000, 1, false, {{16, 60}, {300000, 300000}}, eth},
        {"swapped cooked SocketCAN", 2, 4, 65535, 113, true, {{24, 24}}, sll_can},
        {"snaplen 0", 2, 4, 0, 1, false, {{16, 60}}, eth},
    };
    for (const auto& c : cases) {
        const std::string path = write_odd_file(c);
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* theirs = pcap_open_offline(path.c_str(), err);
        auto ours = PcapFileSource::open(path);
        EXPECT_EQ(ours.has_value(), theirs != nullptr) << c.name << ": " << (theirs ? ours.error() : std::string(err));
        if (!theirs || !ours) {
            if (theirs) pcap_close(theirs);
            continue;
        }
        EXPECT_EQ(ours->dlt(), pcap_datalink(theirs)) << c.name;
        capture::Packet p;
        for (std::size_t i = 0;; ++i) {
            pcap_pkthdr* h;
            const u_char* d;
            const int rc = pcap_next_ex(theirs, &h, &d);
            const auto st = ours->next(p);
            if (rc != 1) {
                EXPECT_EQ(st == PcapFileSource::Status::Damaged, rc == PCAP_ERROR) << c.name << " record " << i << ": " << ours->damage();
                EXPECT_NE(st, PcapFileSource::Status::Packet) << c.name << " record " << i;
                break;
            }
            EXPECT_EQ(st, PcapFileSource::Status::Packet) << c.name << " record " << i << ": " << ours->damage();
            EXPECT_EQ(p.wire_length, h->len) << c.name << " record " << i;
            EXPECT_EQ(p.data.size(), h->caplen) << c.name << " record " << i;
            if (st != PcapFileSource::Status::Packet || p.data.size() != h->caplen) break;
            EXPECT_EQ(std::memcmp(p.data.data(), d, h->caplen), 0) << c.name << " record " << i;
        }
        pcap_close(theirs);
        fs::remove(path);
    }
}

}  // namespace
