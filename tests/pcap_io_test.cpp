// pcap/pcapng reading and pcap writing: formats, damaged files, round trips, the shared corpus.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

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
// Every file read to its end or its damage; without the corpus, captures/ (damaged files included).
TEST(PcapFileSource, SharedCorpusReadsWithoutCrashing) {
    std::string dir = testing_support::shared_corpus_dir();
    if (dir.empty()) dir = testing_support::source_root() + "/captures";
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
    std::printf("%s: %zu files, %zu packets, %zu with damage, %zu refused\n", dir.c_str(), files, packets, damaged, refused);
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

// sniff reading `bytes` from its standard input, a pipe fed by a thread: the path `cat f | sniff -r -`
// takes, where nothing can be read twice or sought.
Observed by_sniff_through_pipe(const std::vector<std::uint8_t>& bytes) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    const int saved_stdin = ::dup(STDIN_FILENO);
    ::dup2(fds[0], STDIN_FILENO);
    ::close(fds[0]);
    std::thread writer([&] {
        for (std::size_t done = 0; done < bytes.size();) {
            ssize_t n = ::write(fds[1], bytes.data() + done, bytes.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::close(fds[1]);
    });
    Observed o = by_sniff("-");
    char sink[65536];
    while (::read(STDIN_FILENO, sink, sizeof sink) > 0) {}  // what sniff left, so the writer ends
    writer.join();
    ::dup2(saved_stdin, STDIN_FILENO);
    ::close(saved_stdin);
    return o;
}

// What a message says after its "file name: " part.
std::string without_name(const std::string& message) {
    auto at = message.find(": ");
    return at == std::string::npos ? message : message.substr(at + 2);
}

// Writes `bytes` to a file and checks that sniff and libpcap agree on it, and that sniff reads
// the same through a pipe; returns libpcap's view (and sniff's in `sniff`).
Observed expect_same_as_libpcap(const std::vector<std::uint8_t>& bytes, const std::string& row, Observed* sniff = nullptr) {
    fs::path f = fs::temp_directory_path() / fmt::format("sniff_hdr_{}.pcap", ::getpid());
    { std::ofstream(f, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())); }
    Observed want = by_libpcap(f.string()), got = by_sniff(f.string());
    fs::remove(f);
    if (sniff) *sniff = got;
    Observed piped = by_sniff_through_pipe(bytes);
    EXPECT_EQ(piped.opened, got.opened) << row << " through a pipe: " << piped.error;
    EXPECT_EQ(without_name(piped.error), without_name(got.error)) << row << " through a pipe";
    EXPECT_EQ(piped.dlt, got.dlt) << row << " through a pipe";
    EXPECT_EQ(piped.snaplen, got.snaplen) << row << " through a pipe";
    EXPECT_EQ(piped.records, got.records) << row << " through a pipe";
    EXPECT_EQ(without_name(piped.damage), without_name(got.damage)) << row << " through a pipe";
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
                    auto want = expect_same_as_libpcap(crafted_file(c), fmt::format("version {}.{} {} {:#x}", major, minor, big ? "big-endian" : "little-endian", magic));
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
            expect_same_as_libpcap(crafted_file(c), fmt::format("link type {:#x} {}", lt, big ? "big-endian" : "little-endian"));
        }
    // 0 and above-maximum snapshot lengths become the link type's maximum; DBUS, EBHSCR and
    // USBPCAP have larger maxima than the rest.
    for (std::uint32_t lt : {1u, 101u, 231u, 249u, 279u})
        for (std::uint32_t snap : {0u, 1u, 64u, 96u, 65535u, 262144u, 262145u, 1048576u, 8388608u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
            Crafted c;
            c.linktype = lt;
            c.snaplen = snap;
            expect_same_as_libpcap(crafted_file(c), fmt::format("link type {} snaplen {}", lt, snap));
        }
}

// --- pcapng: sniff reads common files itself and hands the rest to libpcap at the first block it
// does not read; either way the packets, the end and the damage must be libpcap's, and a
// damaged block is reported at its own offset.

struct NgBuilder {
    bool big_endian = false;
    std::vector<std::uint8_t> b;

    void u32(std::vector<std::uint8_t>& to, std::uint32_t v) const { put_in<std::uint32_t>(to, v, big_endian); }
    void u16(std::vector<std::uint8_t>& to, std::uint16_t v) const { put_in<std::uint16_t>(to, v, big_endian); }
    // A block with `body` padded to 4 bytes; `trailer` overrides the trailing length.
    NgBuilder& block(std::uint32_t type, std::vector<std::uint8_t> body, std::optional<std::uint32_t> length = {},
                     std::optional<std::uint32_t> trailer = {}) {
        body.resize((body.size() + 3) & ~std::size_t{3}, 0);
        const auto total = static_cast<std::uint32_t>(body.size() + 12);
        u32(b, type);
        u32(b, length.value_or(total));
        b.insert(b.end(), body.begin(), body.end());
        u32(b, trailer.value_or(total));
        return *this;
    }
    NgBuilder& section(std::uint16_t major = 1, std::uint16_t minor = 0) {
        std::vector<std::uint8_t> body;
        u32(body, 0x1A2B3C4D);
        u16(body, major);
        u16(body, minor);
        u32(body, 0xffffffff);
        u32(body, 0xffffffff);
        return block(0x0A0D0D0A, body);
    }
    // `options`: (code, value) pairs, then opt_endofopt.
    NgBuilder& interface(std::uint16_t linktype, std::uint32_t snaplen, std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> options = {}) {
        std::vector<std::uint8_t> body;
        u16(body, linktype);
        u16(body, 0);
        u32(body, snaplen);
        for (auto& [code, value] : options) {
            u16(body, code);
            u16(body, static_cast<std::uint16_t>(value.size()));
            body.insert(body.end(), value.begin(), value.end());
            body.resize((body.size() + 3) & ~std::size_t{3}, 0);
        }
        if (!options.empty()) u32(body, 0);
        return block(1, body);
    }
    NgBuilder& packet(std::uint32_t interface, std::uint64_t ts, std::uint32_t caplen, std::uint32_t len, std::size_t bytes = SIZE_MAX,
                      std::optional<std::uint32_t> trailer = {}) {
        std::vector<std::uint8_t> body;
        u32(body, interface);
        u32(body, static_cast<std::uint32_t>(ts >> 32));
        u32(body, static_cast<std::uint32_t>(ts));
        u32(body, caplen);
        u32(body, len);
        for (std::size_t i = 0; i < std::min<std::size_t>(bytes, caplen); ++i) body.push_back(static_cast<std::uint8_t>(i * 13 + caplen));
        return block(6, body, {}, trailer);
    }
    NgBuilder& simple_packet(std::uint32_t len) {
        std::vector<std::uint8_t> body;
        u32(body, len);
        for (std::uint32_t i = 0; i < len; ++i) body.push_back(static_cast<std::uint8_t>(i));
        return block(3, body);
    }
    NgBuilder& statistics() { return block(5, std::vector<std::uint8_t>(12, 0)); }
    NgBuilder& name_resolution() { return block(4, std::vector<std::uint8_t>(4, 0)); }
    NgBuilder& packets(int n, std::uint32_t interface = 0) {
        for (int i = 0; i < n; ++i) packet(interface, 1700000000123456ull + static_cast<std::uint64_t>(i) * 1000001, 60 + static_cast<std::uint32_t>(i), 100);
        return *this;
    }
    std::size_t size() const { return b.size(); }
};

std::vector<std::uint8_t> le64(std::uint64_t v) {
    std::vector<std::uint8_t> out(8);
    std::memcpy(out.data(), &v, 8);
    return out;
}

struct NgCase {
    const char* what;
    std::function<void(NgBuilder&, std::size_t& bad_offset)> build;  // sets bad_offset for damage
    bool sniff_starts;  // sniff's own reader takes the file from its start
};

const NgCase kNgCases[] = {
    {"plain, microseconds", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 262144).packets(20); }, true},
    {"big-endian", [](NgBuilder& n, std::size_t&) { n.big_endian = true; n.section().interface(1, 65535).packets(20); }, true},
    {"version 1.2", [](NgBuilder& n, std::size_t&) { n.section(1, 2).interface(1, 65535).packets(3); }, true},
    {"version 1.1", [](NgBuilder& n, std::size_t&) { n.section(1, 1).interface(1, 65535).packets(3); }, false},
    {"nanoseconds", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{9, {9}}}).packets(20); }, true},
    {"milliseconds", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{9, {3}}}).packets(5); }, false},
    {"binary resolution", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{9, {0x94}}}).packets(5); }, false},
    {"time offset", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{14, le64(1000)}, {2, {'e', 't', 'h', '0'}}}).packets(5); }, true},
    {"snaplen 0", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 0).packets(5); }, true},
    // Interface options libpcap judges (process_idb_options): each bad one refuses the file.
    {"opt_endofopt of length 1", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{0, {0}}}).packets(3); }, false},
    {"if_tsresol of length 2", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{9, {6, 0}}}).packets(3); }, false},
    {"two if_tsresol", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{9, {6}}, {9, {6}}}).packets(3); }, false},
    {"if_tsoffset of length 4", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{14, {0, 0, 0, 0}}}).packets(3); }, false},
    {"two if_tsoffset", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{14, le64(1)}, {14, le64(2)}}).packets(3); }, false},
    {"a bad option after opt_endofopt", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535, {{0, {}}, {9, {6, 0}}}).packets(3); }, true},
    {"raw IP link type", [](NgBuilder& n, std::size_t&) { n.section().interface(101, 65535).packets(5); }, true},
    {"big-endian cooked", [](NgBuilder& n, std::size_t&) { n.big_endian = true; n.section().interface(113, 65535).packets(5); }, false},
    {"name resolution first", [](NgBuilder& n, std::size_t&) { n.section().name_resolution().interface(1, 65535).packets(5); }, false},
    {"second interface", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535).packets(5).interface(1, 65535).packets(5, 1).packets(2); }, true},
    {"second interface of another type", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535).packets(5).interface(101, 65535).packets(5, 1); }, true},
    {"simple packet block", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 64).packets(3).simple_packet(100).packets(3); }, true},
    {"statistics at the end", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535).packets(5).statistics(); }, true},
    {"second section", [](NgBuilder& n, std::size_t&) { n.section().interface(1, 65535).packets(5).section().interface(1, 65535).packets(5); }, true},
    {"damaged: block length 7", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.block(6, std::vector<std::uint8_t>(24, 0), 7); }, true},
    {"damaged: trailer differs", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.packet(0, 1, 60, 60, SIZE_MAX, 999); n.packets(2); }, true},
    {"damaged: caplen above snaplen", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 100).packets(5); bad = n.size(); n.packet(0, 1, 200, 200); }, true},
    {"damaged: caplen beyond the block", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.packet(0, 1, 200, 200, 40); }, true},
    {"damaged: unknown interface", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.packets(1, 3); }, true},
    {"damaged: cut inside a block", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.packets(1); n.b.resize(n.b.size() - 10); }, true},
    {"damaged: cut inside a block header", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(5); bad = n.size(); n.b.insert(n.b.end(), {6, 0, 0}); }, true},
    {"damaged after the hand-over", [](NgBuilder& n, std::size_t& bad) { n.section().interface(1, 65535).packets(3).statistics().packets(5); bad = n.size(); n.block(6, std::vector<std::uint8_t>(24, 0), 7); }, true},
    {"damaged, libpcap from the start", [](NgBuilder& n, std::size_t& bad) { n.section().name_resolution().interface(1, 65535).packets(5); bad = n.size(); n.packet(0, 1, 60, 60, SIZE_MAX, 999); }, false},
    {"no interface", [](NgBuilder& n, std::size_t&) { n.section(); }, false},
    {"packet before the interface", [](NgBuilder& n, std::size_t&) { n.section().packets(1).interface(1, 65535); }, false},
};

TEST(PcapngReading, AgreesWithLibpcapAndHandsOverAtTheFirstUnusualBlock) {
    for (const auto& c : kNgCases) {
        NgBuilder n;
        std::size_t bad = 0;
        c.build(n, bad);
        Observed got;
        Observed want = expect_same_as_libpcap(n.b, c.what, &got);
        if (bad) {
            EXPECT_TRUE(want.damaged) << c.what << ": the row should damage the file";
            EXPECT_NE(got.damage.find(fmt::format("damaged record at file offset {}:", bad)), std::string::npos) << c.what << ": " << got.damage;
        }
        // Which reader starts: sniff's own for the common layout, libpcap for the rest.
        fs::path f = fs::temp_directory_path() / fmt::format("sniff_ng_{}.pcapng", ::getpid());
        { std::ofstream(f, std::ios::binary).write(reinterpret_cast<const char*>(n.b.data()), static_cast<std::streamsize>(n.b.size())); }
        if (auto src = PcapFileSource::open(f.string())) EXPECT_EQ(!src->read_by_libpcap(), c.sniff_starts) << c.what;
        fs::remove(f);
    }
}

// Every prefix of a good file is a file cut short: sniff must stop where libpcap stops, with its
// message, whether its own reader or libpcap (after a hand-over) meets the cut.
TEST(PcapFileSource, EveryPrefixOfAGoodFileEndsAsLibpcapEndsIt) {
    NgBuilder ng;
    ng.section().interface(1, 65535, {{9, {9}}}).packets(3).statistics().packets(2);
    const std::vector<std::uint8_t> pcap = crafted_file(Crafted{});
    for (const std::vector<std::uint8_t>* whole : {&pcap, static_cast<const std::vector<std::uint8_t>*>(&ng.b)}) {
        for (std::size_t n = 0; n <= whole->size(); ++n) {
            std::vector<std::uint8_t> cut(whole->begin(), whole->begin() + static_cast<std::ptrdiff_t>(n));
            expect_same_as_libpcap(cut, fmt::format("{} cut to {} of {} bytes", whole == &pcap ? "pcap" : "pcapng", n, whole->size()));
        }
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
