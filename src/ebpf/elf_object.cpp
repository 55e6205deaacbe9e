// The ELF object writer (--emit-elf): sections laid out by libelf, BTF built with libbpf's
// btf__add_* API, and the one file write that either completes or leaves nothing behind.
#include "ebpf/elf_object.hpp"

#include <bpf/btf.h>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace ebpf {
namespace {

// R_BPF_64_64 (llvm/BinaryFormat/ELFRelocs/BPF.def): the 64-bit immediate of an LD_IMM64,
// which libbpf resolves to a map or a map value; older <elf.h> copies may lack the name.
constexpr std::uint32_t kRelocBpf64 = 1;
constexpr std::size_t kRodataAlign = 8;

bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

// A set's symbol and BTF VAR name: the map's own when it is a C identifier.
std::string set_symbol(const MapSpec& m, std::size_t index) {
    return is_identifier(m.name) ? m.name : fmt::format("sniff_set_{}", index);
}

// Where each map's value sits in .rodata, and the section's bytes.
struct Rodata {
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint8_t> bytes;
};

std::expected<Rodata, ObjectError> layout_rodata(const std::vector<MapSpec>& maps) {
    Rodata r;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const MapSpec& m = maps[i];
        // Only what libbpf's .rodata map is: one read-only array element the program reads in place.
        if (m.type != BPF_MAP_TYPE_ARRAY || !m.read_only || m.max_entries != 1 || m.values.size() != m.value_size || m.value_size == 0)
            return std::unexpected(ObjectError{fmt::format(
                "map {} ({}) is not a read-only one-element array (type {}, {} entries{}): an ELF object carries only such "
                "sets, as .rodata; compile with SetMapOptions::in_object",
                i, m.name, m.type, m.max_entries, m.read_only ? "" : ", writable")});
        r.bytes.resize((r.bytes.size() + kRodataAlign - 1) / kRodataAlign * kRodataAlign, 0);
        if (r.bytes.size() + m.values.size() > INT32_MAX)
            return std::unexpected(ObjectError{"the sets exceed the 2 GiB an instruction's offset can address"});
        r.offsets.push_back(static_cast<std::uint32_t>(r.bytes.size()));
        r.bytes.insert(r.bytes.end(), m.values.begin(), m.values.end());
    }
    return r;
}

// The program with its map-value loads turned into relocatable ones: src_reg 0, imm the offset
// in .rodata; `relocated` gets the index of each such LD_IMM64.
std::expected<Program, ObjectError> relocate_map_values(const Filter& filter, const Rodata& rodata, std::vector<std::size_t>& relocated) {
    Program out = filter.insns;
    for (std::size_t i = 0; i < out.size(); ++i) {
        Insn& in = out[i];
        if (!is_map_reference(in)) continue;
        if (in.src != kPseudoMapValue)
            return std::unexpected(ObjectError{fmt::format(
                "instruction {} refers to map {} itself (a helper call's argument); an ELF object carries only read-only "
                "values read in place", i, in.imm)});
        if (i + 1 >= out.size()) return std::unexpected(ObjectError{fmt::format("instruction {} is an LD_IMM64 without its second slot", i)});
        if (in.imm < 0 || static_cast<std::size_t>(in.imm) >= rodata.offsets.size())
            return std::unexpected(ObjectError{fmt::format("instruction {} refers to map {}, but the filter has {} maps", i, in.imm, rodata.offsets.size())});
        const MapSpec& m = filter.maps[static_cast<std::size_t>(in.imm)];
        const std::int32_t offset = out[i + 1].imm;
        if (offset < 0 || static_cast<std::uint32_t>(offset) >= m.value_size)
            return std::unexpected(ObjectError{fmt::format("instruction {} reads offset {} of map {}, whose value has {} bytes", i, offset, in.imm, m.value_size)});
        in.src = 0;
        in.imm = static_cast<std::int32_t>(rodata.offsets[static_cast<std::size_t>(in.imm)]) + offset;
        out[i + 1].imm = 0;
        relocated.push_back(i);
        ++i;  // the second slot
    }
    return out;
}

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

// .BTF: the program's prototype and, with sets, the .rodata DATASEC (libbpf gives the .rodata
// map this value type; the kernel checks it against the value size, kernel/bpf/btf.c).
std::expected<std::vector<std::uint8_t>, ObjectError> build_btf(const Filter& filter, const Rodata& rodata, Hook hook, std::string_view name) {
    std::unique_ptr<btf, BtfDeleter> b(btf__new_empty());
    if (!b) return std::unexpected(ObjectError{fmt::format("btf__new_empty: {}", std::strerror(errno))});
    btf* t = b.get();
    int failed = 0;
    auto check = [&](int id) {
        if (id < 0 && !failed) failed = id;
        return id;
    };
    const int int_id = check(btf__add_int(t, "int", 4, BTF_INT_SIGNED));
    const int ctx = check(btf__add_fwd(t, hook == Hook::Xdp ? "xdp_md" : "__sk_buff", BTF_FWD_STRUCT));
    const int ctx_ptr = check(btf__add_ptr(t, ctx));
    const int proto = check(btf__add_func_proto(t, int_id));
    check(btf__add_func_param(t, "ctx", ctx_ptr));
    check(btf__add_func(t, std::string(name).c_str(), BTF_FUNC_GLOBAL, proto));
    if (!filter.maps.empty()) {
        const int byte = check(btf__add_int(t, "unsigned char", 1, 0));
        const int const_byte = check(btf__add_const(t, byte));
        const int index = check(btf__add_int(t, "__ARRAY_SIZE_TYPE__", 4, 0));
        std::vector<int> vars;
        for (std::size_t i = 0; i < filter.maps.size(); ++i) {
            const int array = check(btf__add_array(t, index, const_byte, filter.maps[i].value_size));
            vars.push_back(check(btf__add_var(t, set_symbol(filter.maps[i], i).c_str(), BTF_VAR_STATIC, array)));
        }
        // The VAR infos must follow their DATASEC directly (btf__add_datasec_var_info).
        check(btf__add_datasec(t, ".rodata", static_cast<std::uint32_t>(rodata.bytes.size())));
        for (std::size_t i = 0; i < vars.size(); ++i) check(btf__add_datasec_var_info(t, vars[i], rodata.offsets[i], filter.maps[i].value_size));
    }
    if (failed) return std::unexpected(ObjectError{fmt::format("building BTF: {}", std::strerror(-failed))});
    std::uint32_t size = 0;
    const auto* raw = static_cast<const std::uint8_t*>(btf__raw_data(t, &size));
    if (!raw) return std::unexpected(ObjectError{fmt::format("btf__raw_data: {}", std::strerror(errno))});
    return std::vector<std::uint8_t>(raw, raw + size);
}

// A string table: "\0" then each name, NUL-terminated; offsets into it.
struct StringTable {
    std::vector<char> bytes{'\0'};
    std::uint32_t add(std::string_view s) {
        const auto at = static_cast<std::uint32_t>(bytes.size());
        bytes.insert(bytes.end(), s.begin(), s.end());
        bytes.push_back('\0');
        return at;
    }
};

ObjectError elf_failure(std::string_view what) { return ObjectError{fmt::format("libelf: {}: {}", what, elf_errmsg(-1))}; }

struct ElfCloser {
    void operator()(Elf* e) const { elf_end(e); }
};

// libelf writes only to a file descriptor; an anonymous memory file keeps elf_object() free of
// anything visible outside the process.
class MemoryFile {
public:
    MemoryFile() : fd_(memfd_create("sniff-elf-object", MFD_CLOEXEC)) {}
    ~MemoryFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    int fd() const { return fd_; }
    std::expected<std::vector<std::uint8_t>, ObjectError> contents() const {
        struct stat st {};
        if (fstat(fd_, &st) != 0) return std::unexpected(ObjectError{fmt::format("fstat: {}", std::strerror(errno))});
        std::vector<std::uint8_t> out(static_cast<std::size_t>(st.st_size));
        for (std::size_t done = 0; done < out.size();) {
            const ssize_t n = pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::unexpected(ObjectError{fmt::format("reading the object back: {}", n < 0 ? std::strerror(errno) : "short read")});
            done += static_cast<std::size_t>(n);
        }
        return out;
    }

private:
    int fd_;
};

}  // namespace

std::string_view object_section(Hook hook) {
    return hook == Hook::Xdp ? "xdp" : hook == Hook::Tc ? "tc" : "socket";
}

std::expected<std::vector<std::uint8_t>, ObjectError> elf_object(const Filter& filter, Hook hook, std::string_view name) {
    if (!is_identifier(name)) return std::unexpected(ObjectError{fmt::format("program name '{}' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)", name)});
    if (filter.insns.empty()) return std::unexpected(ObjectError{"the program is empty"});
    auto rodata = layout_rodata(filter.maps);
    if (!rodata) return std::unexpected(rodata.error());
    std::vector<std::size_t> relocated;
    auto insns = relocate_map_values(filter, *rodata, relocated);
    if (!insns) return std::unexpected(insns.error());
    auto btf_bytes = build_btf(filter, *rodata, hook, name);
    if (!btf_bytes) return std::unexpected(btf_bytes.error());
    const bool has_rodata = !filter.maps.empty();
    const std::string section(object_section(hook));
    static constexpr char kLicense[] = "GPL";

    // Section indices, in order (0 is the null section).
    // strtab, program, [.rel<program>, .rodata,] license, .BTF, .symtab.
    const std::size_t strtab_index = 1, prog_index = 2, rodata_index = has_rodata ? 4 : 0;
    const std::size_t license_index = prog_index + (has_rodata ? 3 : 1), symtab_index = license_index + 2;

    StringTable strings;
    const std::uint32_t strtab_name = strings.add(".strtab"), prog_name = strings.add(section), rel_name = has_rodata ? strings.add(".rel" + section) : 0,
                        rodata_name = has_rodata ? strings.add(".rodata") : 0, license_name = strings.add("license"), btf_name = strings.add(".BTF"),
                        symtab_name = strings.add(".symtab");

    // Locals first, then globals (gABI: sh_info of .symtab is the first non-local's index).
    std::vector<Elf64_Sym> symbols(1);  // the null symbol
    std::uint32_t rodata_symbol = 0;
    if (has_rodata) {
        rodata_symbol = static_cast<std::uint32_t>(symbols.size());
        symbols.push_back(Elf64_Sym{0, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), STV_DEFAULT, static_cast<Elf64_Section>(rodata_index), 0, 0});
        for (std::size_t i = 0; i < filter.maps.size(); ++i)
            symbols.push_back(Elf64_Sym{strings.add(set_symbol(filter.maps[i], i)), ELF64_ST_INFO(STB_LOCAL, STT_OBJECT), STV_DEFAULT,
                                        static_cast<Elf64_Section>(rodata_index), rodata->offsets[i], filter.maps[i].value_size});
    }
    const auto first_global = static_cast<std::uint32_t>(symbols.size());
    symbols.push_back(Elf64_Sym{strings.add(name), ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT, static_cast<Elf64_Section>(prog_index), 0,
                                insns->size() * sizeof(Insn)});
    symbols.push_back(Elf64_Sym{strings.add("_license"), ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), STV_DEFAULT,
                                static_cast<Elf64_Section>(license_index), 0, sizeof kLicense});

    std::vector<Elf64_Rel> relocations;
    for (std::size_t at : relocated) relocations.push_back(Elf64_Rel{at * sizeof(Insn), ELF64_R_INFO(rodata_symbol, kRelocBpf64)});

    if (elf_version(EV_CURRENT) == EV_NONE) return std::unexpected(elf_failure("elf_version"));
    MemoryFile file;
    if (file.fd() < 0) return std::unexpected(ObjectError{fmt::format("memfd_create: {}", std::strerror(errno))});
    std::unique_ptr<Elf, ElfCloser> elf(elf_begin(file.fd(), ELF_C_WRITE, nullptr));
    if (!elf) return std::unexpected(elf_failure("elf_begin"));
    Elf64_Ehdr* eh = elf64_newehdr(elf.get());
    if (!eh) return std::unexpected(elf_failure("elf64_newehdr"));
    // The host's byte order: the instructions and BTF are in it, and the kernel that loads the
    // object runs on it (libbpf refuses an object of the other order, bpf_object__check_endianness).
    eh->e_ident[EI_DATA] = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;
    eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
    eh->e_type = ET_REL;
    eh->e_machine = EM_BPF;
    eh->e_version = EV_CURRENT;

    struct SectionSpec {
        std::uint32_t name;
        std::uint32_t type;
        std::uint64_t flags;
        const void* data;
        std::size_t size;
        Elf_Type data_type;
        std::size_t align, entsize;
        std::uint32_t link, info;
    };
    std::vector<SectionSpec> specs;
    specs.push_back({strtab_name, SHT_STRTAB, 0, strings.bytes.data(), strings.bytes.size(), ELF_T_BYTE, 1, 0, 0, 0});
    specs.push_back({prog_name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, insns->data(), insns->size() * sizeof(Insn), ELF_T_BYTE, 8, 0, 0, 0});
    if (has_rodata) {
        specs.push_back({rel_name, SHT_REL, 0, relocations.data(), relocations.size() * sizeof(Elf64_Rel), ELF_T_REL, 8, sizeof(Elf64_Rel),
                         static_cast<std::uint32_t>(symtab_index), static_cast<std::uint32_t>(prog_index)});
        specs.push_back({rodata_name, SHT_PROGBITS, SHF_ALLOC, rodata->bytes.data(), rodata->bytes.size(), ELF_T_BYTE, kRodataAlign, 0, 0, 0});
    }
    specs.push_back({license_name, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, kLicense, sizeof kLicense, ELF_T_BYTE, 1, 0, 0, 0});
    specs.push_back({btf_name, SHT_PROGBITS, 0, btf_bytes->data(), btf_bytes->size(), ELF_T_BYTE, 4, 0, 0, 0});
    specs.push_back({symtab_name, SHT_SYMTAB, 0, symbols.data(), symbols.size() * sizeof(Elf64_Sym), ELF_T_SYM, 8, sizeof(Elf64_Sym),
                     static_cast<std::uint32_t>(strtab_index), first_global});

    // Section i + 1 is specs[i]: the indices the symbols and links above name must be theirs.
    if (specs.size() != symtab_index || specs[license_index - 1].name != license_name || (has_rodata && specs[rodata_index - 1].name != rodata_name))
        return std::unexpected(ObjectError{"internal error: the section list does not match the indices symbols refer to"});
    for (const SectionSpec& s : specs) {
        Elf_Scn* scn = elf_newscn(elf.get());
        if (!scn) return std::unexpected(elf_failure("elf_newscn"));
        Elf64_Shdr* sh = elf64_getshdr(scn);
        if (!sh) return std::unexpected(elf_failure("elf64_getshdr"));
        sh->sh_name = s.name;
        sh->sh_type = s.type;
        sh->sh_flags = s.flags;
        sh->sh_addralign = s.align;
        sh->sh_entsize = s.entsize;
        sh->sh_link = s.link;
        sh->sh_info = s.info;
        Elf_Data* d = elf_newdata(scn);
        if (!d) return std::unexpected(elf_failure("elf_newdata"));
        d->d_buf = const_cast<void*>(s.data);  // libelf only reads it
        d->d_size = s.size;
        d->d_type = s.data_type;
        d->d_align = s.align;
        d->d_off = 0;
        d->d_version = EV_CURRENT;
    }
    eh->e_shstrndx = static_cast<Elf64_Half>(strtab_index);
    if (elf_update(elf.get(), ELF_C_WRITE) < 0) return std::unexpected(elf_failure("elf_update"));
    elf.reset();  // elf_end: everything is written
    return file.contents();
}

std::expected<void, ObjectError> write_file_atomically(const std::string& path, std::span<const std::uint8_t> bytes) {
    auto write_all = [&](int fd) -> int {
        for (std::size_t done = 0; done < bytes.size();) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno;
            done += static_cast<std::size_t>(n);
        }
        return 0;
    };
    if (path == "-") {
        if (int e = write_all(STDOUT_FILENO)) return std::unexpected(ObjectError{fmt::format("writing to standard output: {}", std::strerror(e))});
        return {};
    }
    if (path.empty()) return std::unexpected(ObjectError{"the output file name is empty"});
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        // A device or a pipe (/dev/null, /dev/stdout, a FIFO): written in place. Renaming over it
        // would replace the device node itself with a regular file.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) return std::unexpected(ObjectError{fmt::format("{}: {}", path, std::strerror(errno))});
        const int e = write_all(fd);
        if (::close(fd) != 0 && e == 0) return std::unexpected(ObjectError{fmt::format("{}: writing: {}", path, std::strerror(errno))});
        if (e) return std::unexpected(ObjectError{fmt::format("{}: writing: {}", path, std::strerror(e))});
        return {};
    }
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return std::unexpected(ObjectError{fmt::format("{}: is a directory; give the object file's name", path)});
    // Through symbolic links, dangling ones too (the file they name is created): rename(2) would
    // replace the link, not the file it names.
    std::filesystem::path target(path);
    for (int hops = 0; ::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode); ++hops) {
        std::error_code ec;
        const std::filesystem::path next = std::filesystem::read_symlink(target, ec);
        if (ec || hops == 40) return std::unexpected(ObjectError{fmt::format("{}: {}", path, ec ? ec.message() : std::strerror(ELOOP))});
        target = next.is_absolute() ? next : target.parent_path() / next;
    }
    const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string temp = (dir / fmt::format(".{}.XXXXXX", target.filename().string())).string();
    const int fd = mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return std::unexpected(ObjectError{fmt::format("{}: cannot create a file in {}: {}", path, dir.string(), std::strerror(errno))});
    auto fail = [&](const char* what, int error_number) {
        ::close(fd);
        ::unlink(temp.c_str());
        return std::unexpected(ObjectError{fmt::format("{}: {}: {}", path, what, std::strerror(error_number))});
    };
    // mkstemp creates the file 0600; an object file is as readable as anything the user writes.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) return fail("setting its mode", errno);
    if (int e = write_all(fd)) return fail("writing", e);
    // A full disk or a failing device may only say so at fsync or close (NFS, quotas).
    if (fsync(fd) != 0) return fail("writing", errno);
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return std::unexpected(ObjectError{fmt::format("{}: writing: {}", path, std::strerror(e))});
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return std::unexpected(ObjectError{fmt::format("{}: {}", path, std::strerror(e))});
    }
    return {};
}

}  // namespace ebpf
