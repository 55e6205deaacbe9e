// Printing parity with the installed tcpdump (issue: tcpdump's lines across the real-world
// corpus). Every capture of the shared tcpdump corpus (or, without it, of captures/) is printed
// by `tcpdump -n [-v] -r F` and `sniff -n [-v] -r F`, both with TZ=UTC. Each output is cut into
// packets: a packet's text starts at a line that starts with its timestamp and runs to the next
// such line. Packet by packet, in order, at default verbosity the first lines are compared (the
// packet lines); at -v the whole text of each packet. tcpdump's packet count is the whole. The
// totals may not fall below the floors in tests/print_parity/floors.txt (which only ever rise),
// and the files listed in tests/print_parity/identical_files.txt must print identically at
// default verbosity, every line.
//
// SNIFF_PARITY_REPORT=FILE writes the per-file counts there, a line each: verbosity, packets
// printed alike, packets, whether every line is identical (1 or 0), file name.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "packet_corpus.hpp"

namespace fs = std::filesystem;

namespace {

// Standard output of `command` as lines (trailing spaces kept: they are part of the line).
std::vector<std::string> lines_of(const std::string& command) {
    std::vector<std::string> out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) return out;
    std::string all;
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) all.append(buf, n);
    pclose(p);
    std::stringstream ss(all);
    for (std::string line; std::getline(ss, line);) out.push_back(line);
    return out;
}

struct Counts {
    std::size_t same = 0, total = 0;  // packets
    bool whole_file = false;          // every line identical
};

struct Tally {
    std::size_t same = 0, total = 0, files = 0;
    std::map<std::string, Counts> per_file;
};

// The captures compared: the corpus's files, or captures/'s.
std::vector<fs::path> captures(const std::string& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && (dir != testing_support::shared_corpus_dir() ? e.path().extension().string().rfind(".pcap", 0) == 0 : true))
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Whether the line starts with a default timestamp, HH:MM:SS.ffffff.
bool starts_packet(const std::string& l) {
    static const std::regex stamp(R"(^\d\d:\d\d:\d\d\.\d{6})");
    return std::regex_search(l, stamp);
}

// The output cut into packets (their lines joined by newlines); lines before the first timestamp
// are a packet of their own.
std::vector<std::string> packets_of(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const std::string& l : lines) {
        if (out.empty() || starts_packet(l)) out.push_back(l);
        else out.back() += "\n" + l;
    }
    return out;
}

std::string first_line(const std::string& packet) { return packet.substr(0, packet.find('\n')); }

Tally compare(const std::vector<fs::path>& files, const std::string& flags) {
    const char* bin = std::getenv("SNIFF_BINARY");
    const bool whole = !flags.empty();
    Tally t;
    for (const fs::path& f : files) {
        const std::string tail = fmt::format(" -n {} -r {} 2>/dev/null", flags, quoted(f.string()));
        const auto theirs = packets_of(lines_of("TZ=UTC timeout 60 tcpdump" + tail));
        if (theirs.empty()) continue;  // tcpdump prints nothing (no packets, or a file it refuses)
        const auto ours = packets_of(lines_of(fmt::format("TZ=UTC timeout 60 {}{}", quoted(bin ? bin : "sniff"), tail)));
        Counts c;
        c.total = theirs.size();
        for (std::size_t i = 0; i < theirs.size() && i < ours.size(); ++i)
            c.same += whole ? theirs[i] == ours[i] : first_line(theirs[i]) == first_line(ours[i]);
        c.whole_file = theirs == ours;
        t.same += c.same, t.total += c.total, ++t.files;
        t.per_file[f.filename().string()] = c;
    }
    return t;
}

// "name value" lines of floors.txt.
std::map<std::string, std::size_t> floors() {
    std::map<std::string, std::size_t> out;
    std::ifstream in(fs::path(testing_support::source_root()) / "tests" / "print_parity" / "floors.txt");
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string name;
        std::size_t value = 0;
        if (words >> name >> value) out[name] = value;
    }
    return out;
}

std::set<std::string> listed_identical() {
    std::set<std::string> out;
    std::ifstream in(fs::path(testing_support::source_root()) / "tests" / "print_parity" / "identical_files.txt");
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.insert(line);
    return out;
}

TEST(PrintParity, PacketsPrintedAsTcpdumpStayAboveTheFloor) {
    ASSERT_EQ(std::system("command -v tcpdump >/dev/null 2>&1"), 0) << "tcpdump is installed by scripts/setup.sh --tests";
    const std::string corpus = testing_support::shared_corpus_dir();
    const std::string dir = corpus.empty() ? testing_support::source_root() + "/captures" : corpus;
    const std::string where = corpus.empty() ? "captures" : "corpus";
    const auto files = captures(dir);
    ASSERT_FALSE(files.empty()) << dir;
    const auto floor = floors();
    std::ofstream report;
    if (const char* path = std::getenv("SNIFF_PARITY_REPORT")) report.open(path);
    for (const auto& [verbosity, flags] : {std::pair{"default", ""}, std::pair{"verbose", "-v"}}) {
        const Tally t = compare(files, flags);
        std::printf("%s, %s verbosity: %zu of %zu packets print as tcpdump prints them (%.1f%%) over %zu files\n", where.c_str(), verbosity, t.same,
                    t.total, t.total ? 100.0 * static_cast<double>(t.same) / static_cast<double>(t.total) : 0.0, t.files);
        std::size_t identical = 0;
        for (const auto& [name, c] : t.per_file) {
            identical += c.whole_file;
            if (report) report << verbosity << ' ' << c.same << ' ' << c.total << ' ' << c.whole_file << ' ' << name << '\n';
        }
        std::printf("  %zu of %zu files print identically\n", identical, t.files);
        const std::string key = where + "_" + verbosity;
        ASSERT_TRUE(floor.count(key)) << "no floor for " << key << " in tests/print_parity/floors.txt";
        EXPECT_GE(t.same, floor.at(key)) << key << ": fewer packets printed as tcpdump prints them than the floor";
        if (t.same > floor.at(key)) std::printf("  above the floor of %zu: raise it in tests/print_parity/floors.txt\n", floor.at(key));
        if (corpus.empty() || std::string_view(verbosity) != "default") continue;
        for (const std::string& name : listed_identical()) {
            auto it = t.per_file.find(name);
            ASSERT_NE(it, t.per_file.end()) << name << " (tests/print_parity/identical_files.txt) is not in the corpus or prints nothing";
            EXPECT_TRUE(it->second.whole_file) << name << " no longer prints identically to tcpdump";
        }
    }
}

}  // namespace
