// Writes the fuzz targets' seed corpora from capture files and filter expressions, in the input
// layouts of fuzz_input.hpp: OUT/pcap (the files themselves), OUT/decode (packets), OUT/filter
// (expression + packet, for the packet's link type and for another), OUT/bpf (-ddd text and the
// binary form of the compiled programs, + packet). Used by scripts/fuzz.sh and fuzz_smoke.sh.
//   fuzz_seeds OUT_DIR FILTER_LIST CAPTURE_FILE_OR_DIR...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/dump.hpp"
#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "link_types.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPacketsPerFile = 8;
constexpr std::size_t kMaxSeedPacket = 400;  // longer packets are cut: a seed is small

struct Packet {
    int dlt;
    std::vector<std::uint8_t> bytes;
};

class Writer {
public:
    explicit Writer(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }
    void write(const std::string& bytes) {
        std::ofstream(dir_ / ("seed-" + std::to_string(count_++)), std::ios::binary) << bytes;
    }
    std::size_t count() const { return count_; }

private:
    fs::path dir_;
    std::size_t count_ = 0;
};

std::string as_string(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

void read_capture(const fs::path& file, Writer& pcap_seeds, std::vector<Packet>& packets) {
    std::ifstream in(file, std::ios::binary);
    pcap_seeds.write(std::string(std::istreambuf_iterator<char>(in), {}));
    auto src = capture::PcapFileSource::open(file.string());
    if (!src) return;
    capture::Packet p;
    for (std::size_t n = 0; n < kPacketsPerFile && src->next(p) == capture::PcapFileSource::Status::Packet; ++n) {
        auto len = std::min(p.data.size(), kMaxSeedPacket);
        packets.push_back({src->dlt(), {p.data.begin(), p.data.begin() + static_cast<std::ptrdiff_t>(len)}});
    }
}

template <class Table>
int index_of(const Table& table, int dlt) {
    for (std::size_t i = 0; i < std::size(table); ++i)
        if (table[i] == dlt) return static_cast<int>(i);
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR FILTER_LIST CAPTURE_FILE_OR_DIR...\n");
        return 2;
    }
    const fs::path out = argv[1];
    Writer pcap_seeds(out / "pcap"), decode_seeds(out / "decode"), filter_seeds(out / "filter"), bpf_seeds(out / "bpf");

    std::vector<Packet> packets;
    for (int i = 3; i < argc; ++i) {
        std::error_code ec;
        if (fs::is_directory(argv[i], ec)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(argv[i], ec))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());  // the same seeds on every run
            for (const auto& f : files) read_capture(f, pcap_seeds, packets);
        } else if (fs::is_regular_file(argv[i], ec)) {
            read_capture(argv[i], pcap_seeds, packets);
        }
    }

    std::vector<int> dlts;  // sniff's link types, in link_types() order (filter_fuzz's first byte)
    for (const auto& lt : sniff::link_types()) dlts.push_back(lt.dlt);
    std::map<int, std::vector<const Packet*>> by_dlt;
    for (const auto& p : packets) {
        by_dlt[p.dlt].push_back(&p);
        if (int i = index_of(fuzz::kDecodeLinkTypes, p.dlt); i >= 0)
            decode_seeds.write(std::string(1, static_cast<char>(i)) + static_cast<char>(decode_seeds.count() % 16) + as_string(p.bytes));
    }

    std::ifstream list(argv[2]);
    std::vector<std::string> filters;
    for (std::string line; std::getline(list, line);)
        if (!line.empty() && line[0] != '#') filters.push_back(line);

    std::size_t round = 0;
    for (const auto& f : filters) {
        // Once on Ethernet, once on another link type that has packets (rotating).
        for (int pick : {0, 1}) {
            int li = 0;
            if (pick == 1) {
                for (std::size_t tries = 0; tries < dlts.size(); ++tries) {
                    li = static_cast<int>((round + tries) % dlts.size());
                    if (li != 0 && by_dlt.count(dlts[li])) break;
                }
            }
            const auto& pool = by_dlt[dlts[li]];
            std::string packet = pool.empty() ? std::string() : as_string(pool[round % pool.size()]->bytes);
            filter_seeds.write(std::string(1, static_cast<char>(li)) + '\0' + f + '\0' + packet);
            if (pick == 0) {
                auto prog = sniff::compile(f, {.dlt = dlts[li]});
                if (!prog) continue;
                bpf_seeds.write(std::string("\0\0", 2) + cbpf::dump(*prog, 3) + '\0' + packet);
                if (prog->size() > 255) continue;
                std::string bin = std::string(1, '\1') + '\0' + static_cast<char>(prog->size());
                for (const auto& in : *prog) {
                    const std::uint8_t raw[8] = {static_cast<std::uint8_t>(in.code), static_cast<std::uint8_t>(in.code >> 8), in.jt, in.jf,
                                                 static_cast<std::uint8_t>(in.k), static_cast<std::uint8_t>(in.k >> 8),
                                                 static_cast<std::uint8_t>(in.k >> 16), static_cast<std::uint8_t>(in.k >> 24)};
                    bin.append(reinterpret_cast<const char*>(raw), 8);
                }
                bpf_seeds.write(bin + packet);
            }
        }
        ++round;
    }
    std::printf("seeds: %zu pcap, %zu decode, %zu filter, %zu bpf (%zu packets, %zu filters)\n", pcap_seeds.count(),
                decode_seeds.count(), filter_seeds.count(), bpf_seeds.count(), packets.size(), filters.size());
    return 0;
}
