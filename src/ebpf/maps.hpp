// BPF maps a compiled filter reads, described as plain data: the compiler decides their type,
// size and contents; the loader (loader.hpp) creates and fills them, then puts their file
// descriptors into the program's map references before loading it. Nothing here calls bpf().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/program.hpp"

namespace ebpf {

// One map, as BPF_MAP_CREATE takes it (include/uapi/linux/bpf.h, union bpf_attr), with the
// entries to write into it before the program is loaded.
struct MapSpec {
    std::uint32_t type = 0;  // BPF_MAP_TYPE_*
    std::string name;        // at most 15 characters reach the kernel ([A-Za-z0-9_.])
    std::uint32_t key_size = 0, value_size = 0, max_entries = 0;
    std::uint32_t flags = 0;  // map_flags: BPF_F_NO_PREALLOC for an LPM trie
    // Entry i is keys[i * key_size, (i + 1) * key_size) -> values[i * value_size, …): both byte
    // strings exactly as bpf(BPF_MAP_UPDATE_ELEM) takes them.
    std::vector<std::uint8_t> keys, values;
    // Frozen after filling (BPF_MAP_FREEZE): the program's writes are refused and the verifier
    // knows the bytes cannot change (a set the program only reads).
    bool read_only = false;

    std::size_t entries() const { return key_size ? keys.size() / key_size : 0; }
};

// A program and the maps it reads. A map reference in `insns` is an LD_IMM64 (two slots) whose
// first slot has src_reg BPF_PSEUDO_MAP_FD (the map) or BPF_PSEUDO_MAP_VALUE (an address in its
// single value, the offset in the second slot's imm) and imm = the map's index in `maps`; the
// loader replaces that index by the map's file descriptor.
struct Filter {
    Program insns;
    std::vector<MapSpec> maps;
};

// LD_IMM64 operand kinds (include/uapi/linux/bpf.h).
inline constexpr std::uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2;

// dst = map `index` (a reference for bpf_map_lookup_elem's first argument): two slots.
constexpr std::array<Insn, 2> load_map(std::uint8_t dst, std::int32_t index) {
    return {insn(op::LD | op::IMM | op::DW, dst, kPseudoMapFd, 0, index), insn(0, 0, 0, 0, 0)};
}
// dst = the address `offset` bytes into the single value of array map `index`: two slots.
constexpr std::array<Insn, 2> load_map_value(std::uint8_t dst, std::int32_t index, std::int32_t offset) {
    return {insn(op::LD | op::IMM | op::DW, dst, kPseudoMapValue, 0, index), insn(0, 0, 0, 0, offset)};
}

// Whether `in` is the first slot of a map reference.
constexpr bool is_map_reference(const Insn& in) {
    return in.code == (op::LD | op::IMM | op::DW) && (in.src == kPseudoMapFd || in.src == kPseudoMapValue);
}

}  // namespace ebpf
