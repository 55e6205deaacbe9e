// pcap/pcapng reading and pcap writing: formats, damaged files, round trips, the shared corpus.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "capture/pcap_file_sink.hpp"
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

// sniff's reader must give exactly what libpcap gives: the same files open, with the same link
// type and snapshot length, the same records, and damage at the same record, for every sample
// and corpus file.
TEST(PcapFileSource, ReaderAgreesWithLibpcap) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(testing_support::source_root()) / "captures")) files.push_back(e.path());
    if (std::string dir = testing_support::shared_corpus_dir(); !dir.empty())
        for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
    std::size_t own_files = 0, packets = 0;
    for (const auto& f : files) {
        auto src = PcapFileSource::open(f.string());
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* p = pcap_open_offline(f.c_str(), err);
        ASSERT_EQ(src.has_value(), p != nullptr) << f << ": " << (src ? std::string("sniff opened it") : src.error()) << "; libpcap: " << (p ? "opened it" : err);
        if (!p) continue;
        own_files += !src->read_by_libpcap();
        EXPECT_EQ(src->dlt(), pcap_datalink(p)) << f;
        EXPECT_EQ(src->snaplen(), static_cast<std::uint32_t>(pcap_snapshot(p))) << f;
        capture::Packet pkt;
        for (std::size_t i = 0;; ++i) {
            pcap_pkthdr* h;
            const u_char* d;
            int rc = pcap_next_ex(p, &h, &d);
            auto st = src->next(pkt);
            if (rc != 1) {
                EXPECT_NE(st, PcapFileSource::Status::Packet) << f << " record " << i << ": libpcap stopped, sniff did not";
                EXPECT_EQ(st == PcapFileSource::Status::Damaged, rc == PCAP_ERROR) << f << " record " << i << ": " << src->damage();
                if (rc == PCAP_ERROR && st == PcapFileSource::Status::Damaged) {
                    EXPECT_NE(src->damage().find(pcap_geterr(p)), std::string::npos) << f << ": sniff '" << src->damage() << "', libpcap '" << pcap_geterr(p) << "'";
                }
                break;
            }
            ASSERT_EQ(st, PcapFileSource::Status::Packet) << f << " record " << i << ": " << src->damage();
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
    std::printf("reader: %zu files read by sniff's own reader, %zu packets identical to libpcap's\n", own_files, packets);
    EXPECT_GT(own_files, 5u);
}

}  // namespace

namespace {

// --- Header rules: sniff's reader must open exactly the files libpcap opens, with the same link
// type, snapshot length and records (libpcap 1.10's sf-pcap.c pcap_check_header and
// pcap-common.c linktype_to_dlt / max_snaplen_for_dlt are the reference).

struct Crafted {
    bool big_endian = false;
    std::uint32_t magic = 0xa1b2c3d4;
    std::uint16_t major = 2, minor = 4;
    std::uint32_t snaplen = 65535;
    std::uint32_t linktype = 1;
};

template <class T>
void put_in(std::vector<std::uint8_t>& b, T v, bool big_endian) {
    if (big_endian) {
        if constexpr (sizeof(T) == 4) v = static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
        if constexpr (sizeof(T) == 2) v = static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
    }
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
}

// A header, then records whose two length fields differ both ways (so the pre-2.3 and "maybe
// swapped" 2.3 rules show) and one record longer than small snapshot lengths.
std::vector<std::uint8_t> crafted_file(const Crafted& c) {
    std::vector<std::uint8_t> b;
    put_in<std::uint32_t>(b, c.magic, c.big_endian);
    put_in<std::uint16_t>(b, c.major, c.big_endian);
    put_in<std::uint16_t>(b, c.minor, c.big_endian);
    put_in<std::uint32_t>(b, 0, c.big_endian);
    put_in<std::uint32_t>(b, 0, c.big_endian);
    put_in<std::uint32_t>(b, c.snaplen, c.big_endian);
    put_in<std::uint32_t>(b, c.linktype, c.big_endian);
    auto record = [&](std::uint32_t first_len, std::uint32_t second_len, std::size_t bytes) {
        put_in<std::uint32_t>(b, 1700000000, c.big_endian);
        put_in<std::uint32_t>(b, 123456, c.big_endian);
        put_in<std::uint32_t>(b, first_len, c.big_endian);
        put_in<std::uint32_t>(b, second_len, c.big_endian);
        for (std::size_t i = 0; i < bytes; ++i) b.push_back(static_cast<std::uint8_t>(i * 7));
    };
    // Before 2.3 (and in DG/UX's 543.0) the length fields were in the other order; 2.3 files
    // may have either. The bytes written follow that rule so every record is readable, and
    // libpcap, not this guess, is the oracle.
    const bool swapped = (c.major == 2 && c.minor < 3) || c.major == 543;
    const bool maybe = c.major == 2 && c.minor == 3;
    auto on_disk = [&](std::uint32_t first, std::uint32_t second) {
        return swapped || (maybe && first > second) ? second : first;
    };
    record(60, 60, 60);
    record(40, 90, on_disk(40, 90));
    record(90, 40, on_disk(90, 40));
    record(300, 300, 300);
    return b;
}

struct Observed {
    bool opened = false;
    std::string error;
    int dlt = 0;
    std::uint32_t snaplen = 0;
    std::vector<std::string> records;  // "sec.usec caplen/len first-bytes"
    bool damaged = false;
    std::string damage;
};

std::string describe(std::uint32_t sec, std::uint32_t usec, std::uint32_t caplen, std::uint32_t len, const std::uint8_t* d) {
    std::string s = fmt::format("{}.{} {}/{}", sec, usec, caplen, len);
    for (std::uint32_t i = 0; i < caplen; ++i) s += fmt::format(" {:02x}", d[i]);
    return s;
}

Observed by_sniff(const std::string& path) {
    Observed o;
    auto src = PcapFileSource::open(path);
    if (!src) { o.error = src.error(); return o; }
    o.opened = true;
    o.dlt = src->dlt();
    o.snaplen = src->snaplen();
    capture::Packet p;
    for (;;) {
        auto st = src->next(p);
        if (st == PcapFileSource::Status::End) break;
        if (st == PcapFileSource::Status::Damaged) { o.damaged = true; o.damage = src->damage(); break; }
        o.records.push_back(describe(static_cast<std::uint32_t>(p.ts_sec), p.ts_usec, static_cast<std::uint32_t>(p.data.size()), p.wire_length, p.data.data()));
    }
    return o;
}

Observed by_libpcap(const std::string& path) {
    Observed o;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) { o.error = err; return o; }
    o.opened = true;
    o.dlt = pcap_datalink(p);
    o.snaplen = static_cast<std::uint32_t>(pcap_snapshot(p));
    pcap_pkthdr* h;
    const u_char* d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1)
        o.records.push_back(describe(static_cast<std::uint32_t>(h->ts.tv_sec), static_cast<std::uint32_t>(h->ts.tv_usec), h->caplen, h->len, d));
    if (rc == PCAP_ERROR) { o.damaged = true; o.damage = pcap_geterr(p); }
    pcap_close(p);
    return o;
}

// Writes `c` to a file and checks that sniff and libpcap agree on it; returns libpcap's view.
Observed expect_same_as_libpcap(const Crafted& c, const std::string& row) {
    fs::path f = fs::temp_directory_path() / fmt::format("sniff_hdr_{}.pcap", ::getpid());
    auto bytes = crafted_file(c);
    { std::ofstream(f, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())); }
    Observed want = by_libpcap(f.string()), got = by_sniff(f.string());
    fs::remove(f);
    EXPECT_EQ(got.opened, want.opened) << row << ": sniff " << (got.opened ? "opened" : "refused") << " (" << got.error << "), libpcap: " << want.error;
    if (!want.opened) {
        EXPECT_NE(got.error.find(want.error), std::string::npos) << row << ": sniff says '" << got.error << "', libpcap '" << want.error << "'";
        return want;
    }
    if (!got.opened) return want;
    EXPECT_EQ(got.dlt, want.dlt) << row;
    EXPECT_EQ(got.snaplen, want.snaplen) << row;
    EXPECT_EQ(got.records, want.records) << row;
    EXPECT_EQ(got.damaged, want.damaged) << row << ": sniff '" << got.damage << "', libpcap '" << want.damage << "'";
    if (got.damaged && want.damaged) {
        EXPECT_NE(got.damage.find(want.damage), std::string::npos) << row << ": sniff '" << got.damage << "', libpcap '" << want.damage << "'";
    }
    return want;
}

TEST(PcapHeaderRules, VersionsOpenExactlyAsLibpcapOpensThem) {
    const std::uint16_t majors[] = {0, 1, 2, 3, 4, 542, 543, 544, 0xffff};
    const std::uint16_t minors[] = {0, 1, 2, 3, 4, 5, 0xffff};
    std::size_t opened = 0, refused = 0;
    for (bool big : {false, true})
        for (std::uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du})
            for (auto major : majors)
                for (auto minor : minors) {
                    Crafted c;
                    c.big_endian = big;
                    c.magic = magic;
                    c.major = major;
                    c.minor = minor;
                    auto want = expect_same_as_libpcap(c, fmt::format("version {}.{} {} {:#x}", major, minor, big ? "big-endian" : "little-endian", magic));
                    (want.opened ? opened : refused)++;
                }
    // The grid reaches every rule: 2.0-2.4 and 543.0 open, the rest is archaic or unsupported.
    EXPECT_EQ(opened, 2u * 2u * 6u);
    EXPECT_GT(refused, 0u);
}

TEST(PcapHeaderRules, LinkTypesAndSnapshotLengthsAsLibpcapReportsThem) {
    std::vector<std::uint32_t> linktypes;
    for (std::uint32_t lt = 0; lt <= 300; ++lt) linktypes.push_back(lt);
    for (std::uint32_t lt : {1000u, 65535u, 65536u, 0x03ffffffu, 0x04000001u, 0x10000001u, 0xf0000001u, 0xfc000071u, 0xffffffffu})
        linktypes.push_back(lt);
    for (bool big : {false, true})
        for (auto lt : linktypes) {
            Crafted c;
            c.big_endian = big;
            c.linktype = lt;
            expect_same_as_libpcap(c, fmt::format("link type {:#x} {}", lt, big ? "big-endian" : "little-endian"));
        }
    // 0 and above-maximum snapshot lengths become the link type's maximum; DBUS, EBHSCR and
    // USBPCAP have larger maxima than the rest.
    for (std::uint32_t lt : {1u, 101u, 231u, 249u, 279u})
        for (std::uint32_t snap : {0u, 1u, 64u, 96u, 65535u, 262144u, 262145u, 1048576u, 8388608u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
            Crafted c;
            c.linktype = lt;
            c.snaplen = snap;
            expect_same_as_libpcap(c, fmt::format("link type {} snaplen {}", lt, snap));
        }
}

// --- The file changes while it is read: nothing may kill the reader, packets before the change
// are delivered, and a file that shrank is reported with the offset where reading stopped.

constexpr std::size_t kCaplen = 1000, kRecord = 16 + kCaplen, kRecords = 8000;

fs::path big_fixed_capture(const char* name, std::size_t records) {
    fs::path f = fs::temp_directory_path() / fmt::format("sniff_{}_{}.pcap", ::getpid(), name);
    auto sink = capture::PcapFileSink::open(f.string(), 1, 65535);
    EXPECT_TRUE(sink);
    std::vector<std::uint8_t> data(kCaplen, 0x5a);
    for (std::size_t i = 0; i < records; ++i) sink->write({static_cast<std::int64_t>(1700000000 + i), 0, kCaplen, data});
    EXPECT_TRUE(sink->close());
    return f;
}

struct ChangeCase {
    const char* what;
    std::int64_t new_size;          // bytes kept by truncate(2); -1: grow by 100 records instead
    std::size_t packets;            // 0: fewer than the file had, the exact number depends on buffering
    bool damaged;
    const char* damage_part;
};

const ChangeCase kChanges[] = {
    {"cut at a record boundary", 24 + 5000 * kRecord, 5000, true, "file offset 5080024"},
    {"cut inside a record", 24 + 5000 * kRecord + 500, 5000, true, "damaged record at file offset 5080024"},
    {"cut inside a record header", 24 + 5000 * kRecord + 7, 5000, true, "damaged record at file offset 5080024"},
    {"emptied", 0, 0, true, "shrank"},
    {"grown", -1, kRecords + 100, false, ""},
};

TEST(PcapFileSource, FileChangedWhileReadIsHandledWithoutASignal) {
    for (const auto& c : kChanges) {
        fs::path f = big_fixed_capture("changing", kRecords);
        auto src = PcapFileSource::open(f.string());
        ASSERT_TRUE(src) << src.error();
        capture::Packet p;
        std::size_t packets = 0;
        for (; packets < 3; ++packets) ASSERT_EQ(src->next(p), PcapFileSource::Status::Packet);
        if (c.new_size >= 0) {
            ASSERT_EQ(::truncate(f.c_str(), c.new_size), 0);
        } else {
            std::ofstream grow(f, std::ios::binary | std::ios::app);
            std::vector<char> rec(kRecord, 0);
            std::uint32_t len = kCaplen;
            std::memcpy(rec.data() + 8, &len, 4);
            std::memcpy(rec.data() + 12, &len, 4);
            for (int i = 0; i < 100; ++i) grow.write(rec.data(), static_cast<std::streamsize>(rec.size()));
        }
        PcapFileSource::Status st;
        while ((st = src->next(p)) == PcapFileSource::Status::Packet) ++packets;
        if (c.packets) EXPECT_EQ(packets, c.packets) << c.what;
        else EXPECT_LT(packets, kRecords) << c.what;
        EXPECT_EQ(st == PcapFileSource::Status::Damaged, c.damaged) << c.what << ": " << src->damage();
        if (c.damaged) {
            EXPECT_NE(src->damage().find(c.damage_part), std::string::npos) << c.what << ": " << src->damage();
            EXPECT_NE(src->damage().find("shrank"), std::string::npos) << c.what << ": " << src->damage();
        }
        fs::remove(f);
    }
}

}  // namespace
