// Packets for differential tests: the project's captures/, the shared tcpdump corpus when present,
// and packets mutated to reach the comparisons of given programs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cbpf_vm/program.hpp"

namespace testing_support {

struct StoredPacket {
    std::string origin;  // "file.pcap#17"
    std::vector<std::uint8_t> bytes;
    std::uint32_t wire_length;
};

// Directory of the source tree (SNIFF_SOURCE_ROOT, set by meson).
std::string source_root();
// ../shared/corpus/tcpdump-tests beside the checkout (or $SNIFF_CORPUS), or "" when absent or
// when SNIFF_CORPUS is "none".
std::string shared_corpus_dir();

// All good packets of every capture with link type `dlt` in captures/ (and the shared corpus
// when `with_corpus`); damaged tails are ignored.
std::vector<StoredPacket> packets_for_link_type(int dlt, bool with_corpus);

// Variants of `seeds` in which the bytes that `programs` load and compare (ld [k]; jeq #v, and
// ld [x+k] with x from ldxb) are set to each compared constant, so each branch is taken both ways.
std::vector<StoredPacket> mutate_towards(const std::vector<StoredPacket>& seeds,
                                         const std::vector<cbpf::Program>& programs, std::size_t max_seeds, int path_rounds = 2);

// How many times libpcap's bpf_filter, running `prog` over `p`, jumps back to the target of a
// backward jump it visits most: for libpcap's protochain loop, the number of headers the walk
// stepped over. bpf_filter sign-extends `ja` offsets, which that loop relies on; sniff's own
// interpreter, like the kernel's checker, has no backward jumps.
std::size_t libpcap_loop_steps(const cbpf::Program& prog, const StoredPacket& p);

}  // namespace testing_support
