// The maps that hold large sets for the eBPF emitter (SetMapOptions, emit_ebpf.hpp): which kind
// of map a set needs, and its contents as ebpf::MapSpec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/cfg/graph.hpp"
#include "ebpf/maps.hpp"

namespace sniff::ebpf_gen {

enum class SetMapKind {
    Bitmap,    // values <= 0xffff: one bit per value in the single 8192-byte value of an ARRAY
    Hash,      // single values: a HASH of 4-byte keys (host byte order, as the program stores them)
    Prefixes,  // ranges: an LPM_TRIE of {prefix length, 4 bytes big-endian} keys
    // For an ELF object, which carries only read-only data: the ranges as {lo, hi} pairs of
    // 4-byte host-order words, sorted, padded to a power of two with copies of the last pair, the
    // single value of an ARRAY; searched without a branch or a call (emit.cpp, sorted_search).
    SortedRanges,
};

// The largest sorted-ranges value an ARRAY holds: the kernel refuses values over
// KMALLOC_MAX_SIZE (4 MiB on x86-64, kernel/bpf/arraymap.c, array_map_alloc_check).
inline constexpr std::uint64_t kMaxSortedRangesBytes = 4u << 20;

inline constexpr std::uint32_t kBitmapBytes = 0x10000 / 8;

// The kind a set of ranges (sorted, disjoint, as cfg::Sets holds them) needs: in an ELF object
// (`in_object`) Bitmap or SortedRanges, the read-only kinds; nullopt when too big for either.
std::optional<SetMapKind> set_map_kind(const cfg::Ranges& ranges, bool in_object = false);

// Entries of a SortedRanges array: the set's size rounded up to a power of two.
std::size_t sorted_ranges_slots(std::size_t ranges);

// The CIDR prefixes that cover [lo, hi] exactly, fewest first to last: (value, prefix length).
// At most 62 for any range.
std::vector<std::pair<std::uint32_t, std::uint8_t>> prefixes_covering(std::uint32_t lo, std::uint32_t hi);

// The map of that kind holding `ranges`, named `name`. Its values are one byte (1) for Hash and
// Prefixes; the bitmap is frozen (read-only) after filling.
ebpf::MapSpec set_map(const cfg::Ranges& ranges, SetMapKind kind, std::string name);

}  // namespace sniff::ebpf_gen
