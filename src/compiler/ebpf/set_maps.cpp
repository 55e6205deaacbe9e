#include "compiler/ebpf/set_maps.hpp"

#include <linux/bpf.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace sniff::ebpf_gen {

std::optional<SetMapKind> set_map_kind(const cfg::Ranges& ranges, bool in_object) {
    if (!ranges.empty() && ranges.back().second <= 0xffff) return SetMapKind::Bitmap;
    if (in_object) {
        if (sorted_ranges_slots(ranges.size()) * 8 > kMaxSortedRangesBytes) return std::nullopt;
        return SetMapKind::SortedRanges;
    }
    for (const auto& [lo, hi] : ranges)
        if (lo != hi) return SetMapKind::Prefixes;
    return SetMapKind::Hash;
}

std::size_t sorted_ranges_slots(std::size_t ranges) { return std::bit_ceil(std::max<std::size_t>(ranges, 1)); }

std::vector<std::pair<std::uint32_t, std::uint8_t>> prefixes_covering(std::uint32_t lo, std::uint32_t hi) {
    std::vector<std::pair<std::uint32_t, std::uint8_t>> out;
    std::uint64_t at = lo;
    const std::uint64_t end = std::uint64_t{hi} + 1;
    while (at < end) {
        // The largest block aligned at `at` that stays within [at, end).
        int bits = at == 0 ? 32 : std::countr_zero(static_cast<std::uint32_t>(at));
        while (bits > 0 && at + (std::uint64_t{1} << bits) > end) --bits;
        out.emplace_back(static_cast<std::uint32_t>(at), static_cast<std::uint8_t>(32 - bits));
        at += std::uint64_t{1} << bits;
    }
    return out;
}

namespace {

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    std::uint8_t bytes[4];
    std::memcpy(bytes, &v, 4);  // host byte order, as the program's 32-bit store writes it
    out.insert(out.end(), bytes, bytes + 4);
}

}  // namespace

ebpf::MapSpec set_map(const cfg::Ranges& ranges, SetMapKind kind, std::string name) {
    ebpf::MapSpec m;
    m.name = std::move(name);
    switch (kind) {
        case SetMapKind::Bitmap: {
            m.type = BPF_MAP_TYPE_ARRAY;
            m.key_size = 4;
            m.value_size = kBitmapBytes;
            m.max_entries = 1;
            m.read_only = true;
            append_u32(m.keys, 0);
            m.values.assign(kBitmapBytes, 0);
            for (const auto& [lo, hi] : ranges)
                for (std::uint32_t v = lo; v <= hi; ++v) m.values[v >> 3] |= static_cast<std::uint8_t>(1u << (v & 7));
            break;
        }
        case SetMapKind::Hash:
            m.type = BPF_MAP_TYPE_HASH;
            m.key_size = 4;
            m.value_size = 1;
            for (const auto& r : ranges) append_u32(m.keys, r.first);
            m.values.assign(ranges.size(), 1);
            m.max_entries = static_cast<std::uint32_t>(ranges.size());
            break;
        case SetMapKind::SortedRanges: {
            m.type = BPF_MAP_TYPE_ARRAY;
            m.key_size = 4;
            const std::size_t slots = sorted_ranges_slots(ranges.size());
            m.value_size = static_cast<std::uint32_t>(slots * 8);
            m.max_entries = 1;
            m.read_only = true;
            append_u32(m.keys, 0);
            for (std::size_t i = 0; i < slots; ++i) {
                const auto& [lo, hi] = ranges[std::min(i, ranges.size() - 1)];
                append_u32(m.values, lo);
                append_u32(m.values, hi);
            }
            break;
        }
        case SetMapKind::Prefixes:
            m.type = BPF_MAP_TYPE_LPM_TRIE;
            m.flags = BPF_F_NO_PREALLOC;  // the kernel requires it of an LPM trie
            m.key_size = 8;
            m.value_size = 1;
            for (const auto& [lo, hi] : ranges)
                for (const auto& [value, length] : prefixes_covering(lo, hi)) {
                    append_u32(m.keys, length);
                    const std::uint8_t be[4] = {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                                                static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
                    m.keys.insert(m.keys.end(), be, be + 4);
                }
            m.values.assign(m.keys.size() / 8, 1);
            m.max_entries = static_cast<std::uint32_t>(m.keys.size() / 8);
            break;
    }
    return m;
}

}  // namespace sniff::ebpf_gen
