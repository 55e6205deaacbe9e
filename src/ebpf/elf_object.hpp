// Compiled eBPF filters as relocatable ELF objects with BTF (--emit-elf), in the shape clang
// gives a one-function BPF program, so that libbpf and the tools built on it (bpftool, ip, tc)
// load them as they load any object.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/maps.hpp"
#include "ebpf/program.hpp"

namespace ebpf {

// Why an object could not be made or written: one sentence for the user.
struct ObjectError {
    std::string message;
};

// The program section for `hook`, which libbpf 1.1 maps to the program type (libbpf.c,
// section_defs): "socket" (SOCKET_FILTER), "xdp" (XDP, expected attach type BPF_XDP), "tc"
// (SCHED_CLS). `ip ... xdp obj F sec xdp` and `tc ... bpf obj F sec tc` name it.
std::string_view object_section(Hook hook);

// The default name of the program's symbol and BTF FUNC (also its name in the kernel, which
// keeps 15 characters: BPF_OBJ_NAME_LEN).
inline constexpr std::string_view kObjectProgramName = "sniff_filter";

// The bytes of an ELF object holding `filter` as the program for `hook`, named `name`:
//  - ELF64, the host's byte order, e_type ET_REL, e_machine EM_BPF (System V gABI; libbpf
//    refuses other types and machines);
//  - sections: `object_section(hook)` (the instructions, SHF_ALLOC|SHF_EXECINSTR), `license`
//    ("GPL": the legacy packet loads and helpers the program uses are GPL-only), `.rodata` and
//    `.rel<section>` when the program reads sets, `.BTF`, `.symtab` and `.strtab` (also the
//    section-name table);
//  - `.symtab`: a global STT_FUNC `name` of size 8 × instructions (libbpf 1.1 finds programs
//    through such symbols and refuses static ones outside .text), the `.rodata` section symbol,
//    and a local STT_OBJECT per set;
//  - `.rodata`: the values of the filter's maps one after another, each at an 8-byte-aligned
//    offset. Every map must be a read-only one-element BPF_MAP_TYPE_ARRAY (the sets compile_ebpf
//    puts there with SetMapOptions::in_object) read only through LD_IMM64 BPF_PSEUDO_MAP_VALUE;
//    each such load becomes src_reg 0, imm = offset in `.rodata` (value offset included), with an
//    R_BPF_64_64 relocation against the `.rodata` section symbol. libbpf 1.1 makes `.rodata` a
//    frozen one-element array map (BPF_F_RDONLY_PROG) and rewrites the load to
//    BPF_PSEUDO_MAP_VALUE with offset imm + symbol value (bpf_object__relocate_data);
//  - `.BTF`: `int name(struct xdp_md *ctx)` (`struct __sk_buff *` for socket and tc, the struct
//    forward-declared: nothing reads its members through BTF), and a DATASEC `.rodata` of static
//    VARs `const unsigned char set[N]` at their offsets when there are sets. No `.BTF.ext`:
//    func_info and line_info are optional for a program without subprograms, and libbpf 1.1,
//    bpftool 7.1 and iproute2 6.1 load the object without it.
// Errors: a map of another kind (hash, LPM trie, writable, several entries), a map reference by
// file descriptor, a reference to a missing map, a name that is not a C identifier, an empty
// program, or libelf/libbpf failing (their message).
std::expected<std::vector<std::uint8_t>, ObjectError> elf_object(const Filter& filter, Hook hook,
                                                                 std::string_view name = kObjectProgramName);

// Writes `bytes` to `path` whole or not at all: into a new file beside it (same directory, so
// the rename cannot cross file systems), flushed with fsync, then renamed over `path` (rename(2)
// replaces atomically). On any failure (unwritable directory, full disk) the temporary file is
// removed and `path` is as it was. The file gets mode 0666 minus the umask, as fopen's would.
// A symbolic link is followed: the file it names is replaced, the link stays. An existing path
// that is neither a regular file nor a directory (/dev/null, /dev/stdout, a FIFO) is written in
// place, as nothing can be renamed over a device; "-" writes to standard output.
std::expected<void, ObjectError> write_file_atomically(const std::string& path, std::span<const std::uint8_t> bytes);

}  // namespace ebpf
