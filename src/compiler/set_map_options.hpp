// Which of a filter's sets the eBPF emitter puts in BPF maps (emit_ebpf.hpp, compile_ebpf).
#pragma once

#include <cstddef>
#include <limits>

namespace sniff {

// How the eBPF emitter tests the optimizer's sets (lists of hosts, nets, ports, protocols).
struct SetMapOptions {
    // A set of at least this many ranges of values is looked up in a map instead of walked as a
    // comparison tree (set_tree, emit.cpp); the map's kind follows from the values:
    //  - all at most 0xffff (ports, protocol numbers): an 8192-byte bitmap, the one value of a
    //    BPF_MAP_TYPE_ARRAY read through direct map-value access (no helper call);
    //  - single values above that (IPv4 addresses, 32-bit words): a BPF_MAP_TYPE_HASH of 4-byte
    //    keys, bpf_map_lookup_elem;
    //  - ranges (nets, address ranges): a BPF_MAP_TYPE_LPM_TRIE of the CIDR prefixes covering them.
    // The same set tested twice (`host` reads the source and the destination) is one map.
    // SIZE_MAX: never (a program that must carry its sets inside, as in an ELF object).
    std::size_t from_ranges = kDefaultFromRanges;
    // The program goes into an ELF object (--emit-elf), which cannot carry a filled hash map or
    // trie: only read-only data travels (.rodata, which libbpf loads as a frozen one-element
    // array), so only sets that live in such an array are looked up; the others stay trees.
    bool in_object = false;
    // The most maps the program may read. The kernel takes at most 64 per program (MAX_USED_MAPS,
    // include/linux/bpf_verifier.h); --xdp-drop adds two of its own (its counters and -c's).
    // Sets past the budget are trees, and tuple sets word-by-word comparisons, as lists are.
    std::size_t max_maps = kDefaultMaxMaps;
    static constexpr std::size_t kDefaultMaxMaps = 62;
    // Below this a tree is faster per packet than a lookup (a hash lookup costs a call; measured
    // by bench/set_maps_bench: 1,000 hosts 28.8 ns as a hash, 23.6 ns as a tree) and still small
    // (about 1.1 instructions per member); above it the tree's size and verification time grow
    // with the set (100,000 hosts: 402,716 instructions, 0.8 s to load) while a lookup stays at
    // a few dozen instructions.
    static constexpr std::size_t kDefaultFromRanges = 256;
    static constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();
};

}  // namespace sniff
