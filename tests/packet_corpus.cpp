// Reading captures through libpcap and branch-directed packet mutation.
#include "packet_corpus.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <tuple>

namespace fs = std::filesystem;

namespace testing_support {

std::string source_root() {
    const char* r = std::getenv("SNIFF_SOURCE_ROOT");
    return r ? r : ".";
}

std::string shared_corpus_dir() {
    const char* override_dir = std::getenv("SNIFF_CORPUS");
    fs::path dir = override_dir ? fs::path(override_dir) : fs::path(source_root()) / ".." / "shared" / "corpus" / "tcpdump-tests";
    std::error_code ec;
    return fs::is_directory(dir, ec) ? dir.string() : std::string{};
}

namespace {

void read_capture(const fs::path& path, int dlt, std::vector<StoredPacket>& out) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) return;
    if (pcap_datalink(p) == dlt) {
        pcap_pkthdr* hdr;
        const u_char* data;
        int index = 0;
        while (pcap_next_ex(p, &hdr, &data) == 1) {
            out.push_back({fmt::format("{}#{}", path.filename().string(), index++),
                           std::vector<std::uint8_t>(data, data + hdr->caplen), hdr->len});
        }
    }
    pcap_close(p);
}

void read_dir(const std::string& dir, int dlt, std::vector<StoredPacket>& out) {
    if (dir.empty()) return;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto ext = e.path().extension();
        if (ext == ".pcap" || ext == ".pcapng") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) read_capture(f, dlt, out);
}

}  // namespace

std::vector<StoredPacket> packets_for_link_type(int dlt, bool with_corpus) {
    std::vector<StoredPacket> out;
    read_dir((fs::path(source_root()) / "captures").string(), dlt, out);
    if (with_corpus) read_dir(shared_corpus_dir(), dlt, out);
    return out;
}

std::vector<StoredPacket> mutate_towards(const std::vector<StoredPacket>& seeds,
                                         const std::vector<cbpf::Program>& programs, std::size_t max_seeds) {
    using namespace cbpf::op;
    // (indexed?, offset, size, value): what the programs compare.
    std::set<std::tuple<bool, std::uint32_t, unsigned, std::uint32_t>> targets;
    for (const auto& prog : programs) {
        for (std::size_t i = 0; i + 1 < prog.size(); ++i) {
            const auto& ld = prog[i];
            const auto& j = prog[i + 1];
            bool is_load = cls(ld.code) == LD && (mode(ld.code) == ABS || mode(ld.code) == IND);
            bool is_cmp = cls(j.code) == JMP && src(j.code) == K && alu_op(j.code) != JA;
            // Also `ld; and #m; jeq #v`.
            if (is_load && !is_cmp && i + 2 < prog.size() && prog[i + 1].code == (ALU | AND | K)) {
                const auto& j2 = prog[i + 2];
                if (cls(j2.code) == JMP && src(j2.code) == K && alu_op(j2.code) != JA) {
                    unsigned width = size(ld.code) == W ? 4 : size(ld.code) == H ? 2 : 1;
                    targets.insert({mode(ld.code) == IND, ld.k, width, j2.k});
                }
                continue;
            }
            if (!is_load || !is_cmp) continue;
            unsigned width = size(ld.code) == W ? 4 : size(ld.code) == H ? 2 : 1;
            targets.insert({mode(ld.code) == IND, ld.k, width, j.k});
        }
    }
    std::vector<StoredPacket> out;
    std::size_t step = std::max<std::size_t>(1, seeds.size() / std::max<std::size_t>(1, max_seeds));
    for (std::size_t s = 0; s < seeds.size(); s += step) {
        const auto& seed = seeds[s];
        for (const auto& [indexed, offset, width, value] : targets) {
            std::uint64_t at = offset;
            if (indexed) {
                // The programs index from an IPv4 header length (ldxb 4*([nl]&0xf)); try the two
                // network offsets this project's link types use.
                std::uint32_t nl = offset >= 20 && seed.bytes.size() > 20 && (seed.bytes[20] >> 4) == 4 ? 20
                                   : offset >= 16 && seed.bytes.size() > 16 && (seed.bytes[16] >> 4) == 4 ? 16 : 14;
                if (seed.bytes.size() <= nl) continue;
                at += (seed.bytes[nl] & 0xfu) * 4u;
            }
            if (at + width > seed.bytes.size()) continue;
            StoredPacket p = seed;
            p.origin += fmt::format("+set[{}{}:{}]={:#x}", indexed ? "x+" : "", offset, width, value);
            for (unsigned b = 0; b < width; ++b) p.bytes[at + b] = static_cast<std::uint8_t>(value >> (8 * (width - 1 - b)));
            out.push_back(std::move(p));
        }
    }
    return out;
}

}  // namespace testing_support
