// Sniff against libpcap on one filter and one link type: both compilers, both optimizer settings,
// every verdict over real, sampled and mutated packets. Shared by the random-filter suite and the
// grammar sweep.
#pragma once

#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "packet_corpus.hpp"

namespace testing_support {

inline constexpr std::uint32_t kSnaplen = 262144;

struct Counts {
    std::size_t drawn = 0, compared = 0, verdicts = 0, mismatches = 0, failing_filters = 0;
    std::size_t sniff_refuses_meaningless = 0;  // "on link type" / "rejects all packets"
    std::size_t both_refuse = 0, only_sniff_refuses = 0, only_libpcap_refuses = 0, libpcap_rejects_all = 0;
    std::size_t libpcap_invalid = 0, beyond_libpcap = 0, libpcap_split = 0, deeper_chains = 0, known = 0, matched = 0;
    std::size_t libpcap_lost_offset = 0;  // compared with sniff -O only (overwrites_header_offset)
};

// The packets of one link type, and a fixed sample of them to run every filter on.
struct LinkPackets {
    int dlt;
    std::vector<StoredPacket> all;
    std::vector<StoredPacket> sample;
};

LinkPackets load_packets(int dlt, std::size_t sample_size);

// Whether each compiler took a filter, as Checker::check last found it.
enum class Acceptance {
    Both,
    Neither,
    OnlySniff,
    OnlyLibpcap,
    SniffRefusesMeaningless,  // "on link type" / "rejects all packets", where libpcap's program matches nothing
};

// Compiles filters with sniff (optimized and -O) and libpcap (optimized and -O) on one link type
// and runs all four over the link type's packets: the sample, some drawn per filter, and
// mutations towards every comparison. The rules of tests/differential_test.cpp decide what counts
// as agreement (libpcap's known faults are listed in the README's "Deliberate differences").
struct Checker {
    const LinkPackets& packets;
    pcap_t* dead;
    bool sanitized;
    std::uint64_t seed;
    Counts& counts;
    std::size_t max_reports = 20;
    std::size_t reported = 0;

    // Checks one filter; returns false when sniff and libpcap disagree on it (reported).
    // `reference`: what libpcap compiles for it (nullptr: expr itself; "": nothing, sniff -O only).
    bool check(const std::string& expr, std::mt19937_64& rng, const std::string& where, const char* reference = nullptr);
    // Set by check(): which of the two compilers took the filter.
    Acceptance last_acceptance = Acceptance::Both;
};

}  // namespace testing_support
