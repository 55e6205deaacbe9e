// Makes a large capture for benchmarks by repeating the records of a small one until a size is
// reached: repeat_pcap [--pcapng] IN OUT MEGABYTES. Timestamps keep increasing so the output is a
// valid trace; --pcapng writes the same packets as pcapng (Enhanced Packet Blocks).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "capture/pcap_file_sink.hpp"
#include "capture/pcap_file_source.hpp"
#include "pcapng_write.hpp"

int main(int argc, char** argv) {
    const bool pcapng = argc == 5 && std::strcmp(argv[1], "--pcapng") == 0;
    if (argc != 4 && !pcapng) {
        std::fprintf(stderr, "usage: %s [--pcapng] IN.pcap OUT MEGABYTES\n", argv[0]);
        return 2;
    }
    if (pcapng) ++argv;
    auto in = capture::PcapFileSource::open(argv[1]);
    if (!in) {
        std::fprintf(stderr, "repeat_pcap: %s\n", in.error().c_str());
        return 1;
    }
    struct Record {
        std::int64_t sec;
        std::uint32_t usec, wire;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<Record> records;
    capture::Packet p;
    while (in->next(p) == capture::PcapFileSource::Status::Packet)
        records.push_back({p.ts_sec, p.ts_usec, p.wire_length, {p.data.begin(), p.data.end()}});
    if (records.empty()) return 1;
    const std::uint64_t target = std::strtoull(argv[3], nullptr, 10) << 20;
    const std::int64_t span = records.back().sec - records.front().sec + 1;
    if (pcapng) {
        std::FILE* f = std::fopen(argv[2], "wb");
        if (!f) {
            std::perror(argv[2]);
            return 1;
        }
        std::vector<std::uint8_t> block;
        pcapng_write::append_header(block, static_cast<std::uint16_t>(in->dlt()), in->snaplen());
        std::uint64_t written = 0;
        for (std::int64_t round = 0; written < target; ++round) {
            for (const auto& r : records) {
                const std::uint64_t usec = static_cast<std::uint64_t>(r.sec + round * span) * 1000000 + r.usec;
                pcapng_write::append_packet(block, usec, r.wire, r.bytes);
            }
            written += block.size();
            if (std::fwrite(block.data(), 1, block.size(), f) != block.size()) {
                std::perror(argv[2]);
                return 1;
            }
            block.clear();
        }
        return std::fclose(f) == 0 ? 0 : 1;
    }
    auto out = capture::PcapFileSink::open(argv[2], in->dlt(), in->snaplen(), in->identity());
    if (!out) {
        std::fprintf(stderr, "repeat_pcap: %s\n", out.error().c_str());
        return 1;
    }
    std::uint64_t written = 24;
    for (std::int64_t round = 0; written < target; ++round) {
        for (const auto& r : records) {
            out->write({r.sec + round * span, r.usec, r.wire, r.bytes});
            written += 16 + r.bytes.size();
        }
    }
    if (auto done = out->close(); !done) {
        std::fprintf(stderr, "repeat_pcap: %s\n", done.error().c_str());
        return 1;
    }
    return 0;
}
