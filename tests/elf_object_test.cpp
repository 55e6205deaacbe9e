// --emit-elf: the ELF objects sniff writes, read back with libelf and libbpf's BTF parser, then
// loaded by the standard tools (bpftool, `ip link ... xdp obj`, `tc filter ... bpf obj`) and
// run by the kernel over frames, each verdict compared with sniff's reference VM.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <fmt/format.h>
#include <gelf.h>
#include <gtest/gtest.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include "cbpf_vm/interpret.hpp"
#include "compiler/compile.hpp"
#include "ebpf/elf_object.hpp"
#include "ebpf/loader.hpp"
#include "netns.hpp"

namespace {

namespace fs = std::filesystem;
using testing_support::Frame;
using namespace std::string_literals;

constexpr std::uint32_t kSnaplen = 262144;
const ebpf::Hook kHooks[] = {ebpf::Hook::Socket, ebpf::Hook::Xdp, ebpf::Hook::Tc};

// Lists long enough for a map (SetMapOptions::kDefaultFromRanges, 256, plus some).
constexpr int kListLength = 300;

// 300 ports, 1000, 1007, … 3093: the emitter puts such a set in an 8192-byte bitmap (.rodata).
std::string many_ports() {
    std::string t;
    for (int i = 0; i < kListLength; ++i) t += fmt::format("{}port {}", i ? " or " : "", 1000 + 7 * i);
    return t;
}

// 300 hosts, 10.0.0.2 among them (the test frames' destination): in an object, a sorted array of
// ranges in .rodata searched without branches.
std::string many_hosts() {
    std::string t;
    for (int i = 0; i < kListLength; ++i)
        t += fmt::format("{}host {}", i ? " or " : "", i == 100 ? "10.0.0.2" : fmt::format("10.{}.{}.7", 1 + i / 200, i % 200));
    return t;
}

// Two sets of 300 ports each (one bitmap each), to check the second's offset in .rodata.
std::string two_sets() {
    std::string src, dst;
    for (int i = 0; i < kListLength; ++i) {
        src += fmt::format("{}src port {}", i ? " or " : "", 2000 + 3 * i);
        dst += fmt::format("{}dst port {}", i ? " or " : "", 5000 + 11 * i);
    }
    return fmt::format("tcp and ({}) and ({})", src, dst);
}

// The compile options the CLI uses for an object (emit_elf_command.cpp): live traffic.
sniff::CompileOptions object_options(ebpf::Hook hook) { return {.dlt = 1, .snaplen = kSnaplen, .kernel_vlan = hook != ebpf::Hook::Xdp}; }

ebpf::Filter compile_for_object(const std::string& expr, ebpf::Hook hook) {
    auto f = sniff::compile_ebpf(expr, object_options(hook), hook, sniff::SetMapOptions{.in_object = true});
    EXPECT_TRUE(f.has_value()) << expr << ": " << (f ? "" : f.error().message);
    return f ? *f : ebpf::Filter{};
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs a shell command; its exit status and combined output.
struct Ran {
    int status;
    std::string output;
};
Ran run(const std::string& command) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return {-1, "popen failed"};
    std::string text;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
    const int rc = pclose(p);
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, text};
}

std::string sniff_binary() {
    const char* bin = std::getenv("SNIFF_BINARY");
    EXPECT_NE(bin, nullptr) << "SNIFF_BINARY is set by meson";
    return bin ? bin : "sniff";
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? "'\\''"s : std::string(1, c);
    return out + "'";
}

// A fresh directory for one test's files, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string t = (fs::temp_directory_path() / "sniff_elf_XXXXXX").string();
        if (mkdtemp(t.data())) path_ = t;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(path_)) out.push_back(e.path().filename().string());
        return out;
    }

private:
    fs::path path_;
};

// --- The object's layout, read back -------------------------------------------------------

struct Section {
    std::string name;
    std::size_t index = 0;
    GElf_Shdr header{};
    std::string bytes;
};

struct ParsedObject {
    GElf_Ehdr header{};
    std::map<std::string, Section> sections;
    std::vector<std::pair<std::string, GElf_Sym>> symbols;
};

ParsedObject parse(const std::vector<std::uint8_t>& bytes) {
    ParsedObject out;
    elf_version(EV_CURRENT);
    Elf* e = elf_memory(const_cast<char*>(reinterpret_cast<const char*>(bytes.data())), bytes.size());
    EXPECT_NE(e, nullptr) << elf_errmsg(-1);
    if (!e) return out;
    gelf_getehdr(e, &out.header);
    std::size_t shstrndx = 0;
    elf_getshdrstrndx(e, &shstrndx);
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn));) {
        Section s;
        gelf_getshdr(scn, &s.header);
        s.index = elf_ndxscn(scn);
        s.name = elf_strptr(e, shstrndx, s.header.sh_name);
        Elf_Data* d = elf_getdata(scn, nullptr);
        if (d && d->d_buf) s.bytes.assign(static_cast<const char*>(d->d_buf), d->d_size);
        if (s.header.sh_type == SHT_SYMTAB) {
            for (std::size_t i = 0; i < s.header.sh_size / s.header.sh_entsize; ++i) {
                GElf_Sym sym;
                gelf_getsym(d, static_cast<int>(i), &sym);
                out.symbols.emplace_back(elf_strptr(e, s.header.sh_link, sym.st_name), sym);
            }
        }
        out.sections[s.name] = std::move(s);
    }
    elf_end(e);
    return out;
}

std::size_t elf_index_of(const ParsedObject& o, const std::string& name) { return o.sections.count(name) ? o.sections.at(name).index : 0; }

TEST(ElfObject, HeaderSectionsAndSymbolAreWhatLibbpfLooksFor) {
    for (ebpf::Hook hook : kHooks) {
        const ebpf::Filter f = compile_for_object("tcp port 443", hook);
        ASSERT_TRUE(f.maps.empty());
        auto bytes = ebpf::elf_object(f, hook);
        ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
        const ParsedObject o = parse(*bytes);
        EXPECT_EQ(o.header.e_ident[EI_CLASS], ELFCLASS64);
        EXPECT_EQ(o.header.e_ident[EI_DATA], std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB);
        EXPECT_EQ(o.header.e_type, ET_REL);
        EXPECT_EQ(o.header.e_machine, EM_BPF);
        const std::string sec(ebpf::object_section(hook));
        ASSERT_TRUE(o.sections.count(sec)) << sec;
        const Section& prog = o.sections.at(sec);
        EXPECT_EQ(prog.header.sh_flags, static_cast<GElf_Xword>(SHF_ALLOC | SHF_EXECINSTR));
        ASSERT_EQ(prog.bytes.size(), f.insns.size() * 8);
        EXPECT_EQ(std::memcmp(prog.bytes.data(), f.insns.data(), prog.bytes.size()), 0) << "a program without sets is copied as it is";
        EXPECT_EQ(o.sections.at("license").bytes, std::string("GPL\0", 4));
        EXPECT_TRUE(o.sections.count(".BTF"));
        EXPECT_FALSE(o.sections.count(".rodata"));
        EXPECT_FALSE(o.sections.count(".rel" + sec));
        bool found = false;
        for (const auto& [name, sym] : o.symbols) {
            if (name != "sniff_filter") continue;
            found = true;
            EXPECT_EQ(GELF_ST_BIND(sym.st_info), STB_GLOBAL);
            EXPECT_EQ(GELF_ST_TYPE(sym.st_info), STT_FUNC);
            EXPECT_EQ(sym.st_size, f.insns.size() * 8);
            EXPECT_EQ(sym.st_value, 0u);
        }
        EXPECT_TRUE(found) << "no sniff_filter symbol at " << sec;
    }
    EXPECT_EQ(ebpf::object_section(ebpf::Hook::Xdp), "xdp");
    EXPECT_EQ(ebpf::object_section(ebpf::Hook::Tc), "tc");
    EXPECT_EQ(ebpf::object_section(ebpf::Hook::Socket), "socket");
}

TEST(ElfObject, SetsBecomeRodataWithRelocationsAgainstItsSectionSymbol) {
    for (const std::string& expr : {many_ports(), two_sets()}) {
        const ebpf::Filter f = compile_for_object(expr, ebpf::Hook::Xdp);
        ASSERT_FALSE(f.maps.empty()) << expr.substr(0, 60) << ": expected a bitmap";
        auto bytes = ebpf::elf_object(f, ebpf::Hook::Xdp);
        ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
        const ParsedObject o = parse(*bytes);
        ASSERT_TRUE(o.sections.count(".rodata"));
        ASSERT_TRUE(o.sections.count(".relxdp"));
        const Section& rodata = o.sections.at(".rodata");
        // Each map's value at an 8-byte-aligned offset, in order.
        std::vector<std::size_t> offsets;
        std::size_t at = 0;
        for (const ebpf::MapSpec& m : f.maps) {
            at = (at + 7) / 8 * 8;
            offsets.push_back(at);
            ASSERT_LE(at + m.values.size(), rodata.bytes.size());
            EXPECT_EQ(std::memcmp(rodata.bytes.data() + at, m.values.data(), m.values.size()), 0);
            at += m.values.size();
        }
        EXPECT_EQ(rodata.bytes.size(), at);
        const Section& rel = o.sections.at(".relxdp");
        EXPECT_EQ(rel.header.sh_type, static_cast<GElf_Word>(SHT_REL));
        EXPECT_EQ(rel.header.sh_info, elf_index_of(o, "xdp"));
        std::size_t references = 0;
        std::vector<ebpf::Insn> insns(f.insns.size());
        std::memcpy(insns.data(), o.sections.at("xdp").bytes.data(), insns.size() * 8);
        for (std::size_t i = 0; i < f.insns.size(); ++i) {
            if (!ebpf::is_map_reference(f.insns[i])) continue;
            ++references;
            // The relocation for this LD_IMM64, against the .rodata section symbol.
            bool relocated = false;
            for (std::size_t r = 0; r < rel.bytes.size() / sizeof(Elf64_Rel); ++r) {
                Elf64_Rel entry;
                std::memcpy(&entry, rel.bytes.data() + r * sizeof entry, sizeof entry);
                if (entry.r_offset != i * 8) continue;
                relocated = true;
                EXPECT_EQ(ELF64_R_TYPE(entry.r_info), 1u) << "R_BPF_64_64";
                const auto& [name, sym] = o.symbols.at(ELF64_R_SYM(entry.r_info));
                EXPECT_EQ(GELF_ST_TYPE(sym.st_info), STT_SECTION);
                EXPECT_EQ(sym.st_shndx, elf_index_of(o, ".rodata"));
                EXPECT_EQ(sym.st_value, 0u);
            }
            EXPECT_TRUE(relocated) << "no relocation for instruction " << i;
            // libbpf: offset = first slot's imm + symbol value; the second slot's imm is overwritten.
            EXPECT_EQ(insns[i].src, 0);
            EXPECT_EQ(insns[i].imm, static_cast<std::int32_t>(offsets.at(static_cast<std::size_t>(f.insns[i].imm))) + f.insns[i + 1].imm);
            EXPECT_EQ(insns[i + 1].imm, 0);
            ++i;
        }
        EXPECT_EQ(rel.bytes.size() / sizeof(Elf64_Rel), references);

        // .BTF parses, with the program's prototype and a DATASEC as big as .rodata.
        const Section& btf_section = o.sections.at(".BTF");
        btf* b = btf__new(btf_section.bytes.data(), static_cast<__u32>(btf_section.bytes.size()));
        ASSERT_NE(b, nullptr);
        const int func = btf__find_by_name_kind(b, "sniff_filter", BTF_KIND_FUNC);
        ASSERT_GT(func, 0);
        const btf_type* proto = btf__type_by_id(b, btf__type_by_id(b, func)->type);
        ASSERT_EQ(btf_kind(proto), BTF_KIND_FUNC_PROTO);
        EXPECT_EQ(btf_vlen(proto), 1);
        const int datasec = btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC);
        ASSERT_GT(datasec, 0);
        EXPECT_EQ(btf__type_by_id(b, datasec)->size, rodata.bytes.size());
        EXPECT_EQ(btf_vlen(btf__type_by_id(b, datasec)), f.maps.size());
        btf__free(b);
    }
}

TEST(ElfObject, RefusesWhatAnObjectCannotCarry) {
    // Without in_object, 300 hosts are a hash map and 300 nets an LPM trie, filled at load time:
    // an object has no place for them. With in_object the same filters compile to sorted arrays,
    // read-only data the object carries in .rodata.
    std::string hosts, nets;
    for (int i = 0; i < kListLength; ++i) {
        hosts += fmt::format("{}host 10.{}.{}.1", i ? " or " : "", i / 200, i % 200);
        nets += fmt::format("{}net 10.{}.{}.0/24", i ? " or " : "", i / 100, 2 * (i % 100));
    }
    for (const std::string& expr : {hosts, nets}) {
        auto in_maps = sniff::compile_ebpf(expr, object_options(ebpf::Hook::Xdp), ebpf::Hook::Xdp);
        ASSERT_TRUE(in_maps.has_value());
        ASSERT_FALSE(in_maps->maps.empty());
        auto refused = ebpf::elf_object(*in_maps, ebpf::Hook::Xdp);
        ASSERT_FALSE(refused.has_value());
        EXPECT_NE(refused.error().message.find("not a read-only one-element array"), std::string::npos) << refused.error().message;
        const ebpf::Filter sorted = compile_for_object(expr, ebpf::Hook::Xdp);
        ASSERT_EQ(sorted.maps.size(), 1u);
        EXPECT_TRUE(sorted.maps[0].read_only);
        EXPECT_TRUE(ebpf::elf_object(sorted, ebpf::Hook::Xdp).has_value());
    }
    // A writable array, or one of several elements, is refused too.
    for (auto change : {+[](ebpf::MapSpec& m) { m.read_only = false; }, +[](ebpf::MapSpec& m) { m.max_entries = 2; }}) {
        ebpf::Filter f = compile_for_object(many_ports(), ebpf::Hook::Xdp);
        ASSERT_FALSE(f.maps.empty());
        change(f.maps[0]);
        EXPECT_FALSE(ebpf::elf_object(f, ebpf::Hook::Xdp).has_value());
    }

    const ebpf::Filter f = compile_for_object("tcp port 443", ebpf::Hook::Xdp);
    for (const char* bad : {"", "1st", "sniff-filter", "a b"}) {
        auto r = ebpf::elf_object(f, ebpf::Hook::Xdp, bad);
        ASSERT_FALSE(r.has_value()) << "'" << bad << "'";
        EXPECT_NE(r.error().message.find("not a C identifier"), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(ebpf::elf_object(ebpf::Filter{}, ebpf::Hook::Xdp).has_value());

    // A reference to a map the filter does not have.
    ebpf::Filter dangling = compile_for_object(many_ports(), ebpf::Hook::Tc);
    ASSERT_FALSE(dangling.maps.empty());
    dangling.maps.clear();
    auto r = ebpf::elf_object(dangling, ebpf::Hook::Tc);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("refers to map 0"), std::string::npos) << r.error().message;
}

// --- Writing the file ------------------------------------------------------------------------

TEST(ElfObjectFile, WritesWholeOrLeavesTheOldFileAndNoTemporary) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const fs::path target = dir.path() / "out.o";
    std::vector<std::uint8_t> bytes(20000);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
    ASSERT_TRUE(ebpf::write_file_atomically(target.string(), bytes).has_value());
    EXPECT_TRUE(slurp(target) == std::string(bytes.begin(), bytes.end()));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.o"});

    // A write that fails part-way (the file size limit stands in for a full disk: write(2) fails
    // with EFBIG where it would with ENOSPC): an error, the old contents kept, no temporary left.
    const std::vector<std::uint8_t> other(20000, 0xab);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    auto failed = ebpf::write_file_atomically(target.string(), other);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    ASSERT_FALSE(failed.has_value());
    EXPECT_NE(failed.error().message.find("File too large"), std::string::npos) << failed.error().message;
    EXPECT_TRUE(slurp(target) == std::string(bytes.begin(), bytes.end()));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.o"});

    // A directory that does not exist.
    auto missing = ebpf::write_file_atomically((dir.path() / "no" / "out.o").string(), bytes);
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos) << missing.error().message;
    // A directory in the way of the name.
    fs::create_directory(dir.path() / "d.o");
    auto directory = ebpf::write_file_atomically((dir.path() / "d.o").string(), bytes);
    ASSERT_FALSE(directory.has_value());
    EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos) << directory.error().message;
    auto slash = ebpf::write_file_atomically((dir.path() / "d.o").string() + "/", bytes);
    ASSERT_FALSE(slash.has_value());
    EXPECT_NE(slash.error().message.find("is a directory"), std::string::npos) << slash.error().message;
    std::vector<std::string> left = dir.entries();
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, (std::vector<std::string>{"d.o", "out.o"}));
}

TEST(ElfObjectFile, WritesDevicesInPlaceAndFollowsLinks) {
    // A device is written, never renamed over: /dev/full says the disk is full, and stays a device.
    auto full = ebpf::write_file_atomically("/dev/full", std::vector<std::uint8_t>(100, 1));
    ASSERT_FALSE(full.has_value());
    EXPECT_NE(full.error().message.find("No space left on device"), std::string::npos) << full.error().message;
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
    EXPECT_TRUE(ebpf::write_file_atomically("/dev/null", std::vector<std::uint8_t>(100, 1)).has_value());
    EXPECT_TRUE(fs::is_character_file("/dev/null"));

    // Through a symbolic link: the file it names gets the bytes; the link stays a link.
    TempDir dir;
    fs::create_directory(dir.path() / "real");
    std::ofstream(dir.path() / "real" / "target.o") << "old";
    fs::create_symlink("real/target.o", dir.path() / "link.o");
    const std::vector<std::uint8_t> bytes{'n', 'e', 'w'};
    ASSERT_TRUE(ebpf::write_file_atomically((dir.path() / "link.o").string(), bytes).has_value());
    EXPECT_TRUE(fs::is_symlink(dir.path() / "link.o"));
    EXPECT_EQ(slurp(dir.path() / "real" / "target.o"), "new");
    EXPECT_EQ(fs::directory_iterator(dir.path() / "real")->path().filename(), "target.o") << "no temporary left";
    // A dangling link: the file it names is created; a loop of links is an error.
    fs::create_symlink("real/new.o", dir.path() / "dangling.o");
    ASSERT_TRUE(ebpf::write_file_atomically((dir.path() / "dangling.o").string(), bytes).has_value());
    EXPECT_TRUE(fs::is_symlink(dir.path() / "dangling.o"));
    EXPECT_EQ(slurp(dir.path() / "real" / "new.o"), "new");
    fs::create_symlink("loop2.o", dir.path() / "loop1.o");
    fs::create_symlink("loop1.o", dir.path() / "loop2.o");
    auto loop = ebpf::write_file_atomically((dir.path() / "loop1.o").string(), bytes);
    ASSERT_FALSE(loop.has_value());
    EXPECT_NE(loop.error().message.find("Too many levels of symbolic links"), std::string::npos) << loop.error().message;
}

// --- The command line ------------------------------------------------------------------------

TEST(EmitElfCommand, WritesQuietlyAndFailsWithAMessage) {
    TempDir dir;
    const std::string bin = sniff_binary(), out = (dir.path() / "f.o").string();
    Ran ok = run(fmt::format("{} --emit-elf {} --hook xdp {} 2>&1", bin, out, shell_quote(many_ports())));
    EXPECT_EQ(ok.status, 0) << ok.output;
    EXPECT_EQ(ok.output, "") << "success is quiet, as tcpdump's";
    const std::string written = slurp(out);
    const ebpf::Filter f = compile_for_object(many_ports(), ebpf::Hook::Xdp);
    auto expected = ebpf::elf_object(f, ebpf::Hook::Xdp);
    ASSERT_TRUE(expected.has_value());
    EXPECT_TRUE(written == std::string(expected->begin(), expected->end())) << "the CLI writes what elf_object() makes";

    // "-": the object on standard output.
    Ran to_stdout = run(fmt::format("{} --emit-elf - --hook xdp {} 2>/dev/null | cmp - {}", bin, shell_quote(many_ports()), out));
    EXPECT_EQ(to_stdout.status, 0) << to_stdout.output;

    struct Case {
        std::string args;
        std::string message;
    };
    const Case cases[] = {
        {fmt::format("--emit-elf {}/no/such/dir/x.o 'tcp port 443'", dir.path().string()), "No such file or directory"},
        {fmt::format("--emit-elf {}/bad.o 'tcp port and host 1.2.3.4'", dir.path().string()), "filter error"},
        {fmt::format("--emit-elf {}/bad.o --hook xdp -y LINUX_SLL 'tcp'", dir.path().string()), "sniff:"},
        {fmt::format("--emit-elf {}/bad.o -y NOSUCH tcp", dir.path().string()), "unknown or unsupported link type"},
        {fmt::format("--emit-elf {}/bad.o -i lo tcp", dir.path().string()), "does not go with it"},
        {fmt::format("--emit-elf {}/bad.o -d tcp", dir.path().string()), "does not go with it"},
        {fmt::format("--xdp-drop --emit-elf {}/bad.o tcp", dir.path().string()), "--xdp-drop does not go with it"},
        {fmt::format("--emit-elf {}/bad.o --xdp-pass tcp", dir.path().string()), "--xdp-pass does not go with it"},
        {fmt::format("--emit-elf {}/bad.o --hook nosuch tcp", dir.path().string()), "nosuch"},
        {fmt::format("--emit-elf {}/bad.o -r {}/missing.pcap tcp", dir.path().string(), dir.path().string()), "missing.pcap"},
    };
    for (const Case& c : cases) {
        Ran r = run(fmt::format("{} {}", bin, c.args));
        EXPECT_EQ(r.status, 1) << c.args << "\n" << r.output;
        EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
        EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
    }
    EXPECT_FALSE(fs::exists(dir.path() / "bad.o"));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"f.o"});

    // A program the kernel here refuses (10,000 `ip6 host`: comparisons in an object, past the
    // verifier's 8,192 pending jumps) is not written: the message has the verifier's verdict.
    if (!ebpf::bpf_unavailable()) {
        TempDir lists;
        std::string hosts;
        for (std::uint32_t i = 0; i < 10000; ++i)
            hosts += fmt::format("{}ip6 host 2001:db8:{:x}:{:x}::{:x}", i ? " or " : "", (i * 2654435761u) >> 16, i & 0xffff, i + 1);
        std::ofstream(lists.path() / "hosts.txt") << hosts;
        Ran refused = run(fmt::format("{} --emit-elf {}/big.o --hook xdp -F {}/hosts.txt 2>&1", bin, dir.path().string(), lists.path().string()));
        EXPECT_EQ(refused.status, 1) << refused.output;
        EXPECT_NE(refused.output.find("the kernel here refuses the program"), std::string::npos) << refused.output;
        EXPECT_NE(refused.output.find("no file written"), std::string::npos) << refused.output;
        EXPECT_FALSE(fs::exists(dir.path() / "big.o"));
    }

    // -r FILE: the file's link type (LINUX_SLL here, whose `tcp` differs from Ethernet's).
    const char* root = std::getenv("SNIFF_SOURCE_ROOT");
    ASSERT_NE(root, nullptr);
    const fs::path cooked = fs::path(root) / "captures" / "cooked.pcap";
    Ran r = run(fmt::format("{} --emit-elf {}/sll.o -r {} tcp", bin, dir.path().string(), cooked.string()));
    EXPECT_EQ(r.status, 0) << r.output;
    auto sll = sniff::compile_ebpf("tcp", {.dlt = 113, .snaplen = kSnaplen, .kernel_vlan = true}, ebpf::Hook::Socket, {.in_object = true});
    ASSERT_TRUE(sll.has_value());
    auto want = ebpf::elf_object(*sll, ebpf::Hook::Socket);
    ASSERT_TRUE(want.has_value());
    EXPECT_TRUE(slurp(dir.path() / "sll.o") == std::string(want->begin(), want->end())) << "not the LINUX_SLL program";
    EXPECT_FALSE(slurp(dir.path() / "sll.o") == slurp(out)) << "an Ethernet program for a cooked capture";
}

// --- Loaded by the standard tools, run by the kernel -----------------------------------------

// This process's own mount namespace with a fresh bpffs on /sys/fs/bpf: pins made here (and any
// bpffs iproute2 mounts) are invisible outside and vanish with the process, even if it crashes.
std::optional<std::string> private_bpffs_unavailable() {
    static const std::optional<std::string> why = []() -> std::optional<std::string> {
        if (auto why = ebpf::bpf_unavailable()) return "bpf() cannot load programs here: " + *why;
        if (unshare(CLONE_NEWNS) != 0) return fmt::format("unshare(CLONE_NEWNS): {} (needs CAP_SYS_ADMIN)", std::strerror(errno));
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fmt::format("making / private: {}", std::strerror(errno));
        if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0) return fmt::format("mounting bpffs on /sys/fs/bpf: {}", std::strerror(errno));
        return std::nullopt;
    }();
    return why;
}

std::optional<std::string> tool_missing(const char* command, const char* package) {
    if (run(command).status != 0) return fmt::format("`{}` failed: install {} (test.sh's apt list has it)", command, package);
    return std::nullopt;
}

// Test frames for a filter on TCP/UDP ports: the ports the filters name, near misses, other
// protocols, IPv6, and frames cut inside the headers.
std::vector<Frame> test_frames() {
    using namespace testing_support;
    const Mac a{2, 0, 0, 0, 0, 1}, b{2, 0, 0, 0, 0, 2};
    std::vector<Frame> out;
    std::vector<std::uint16_t> ports{443, 444, 80, 53, 1000, 1001, 1007, 1693, 1694, 2000, 2003, 2297, 5000, 5011, 6089, 65535};
    for (std::uint16_t p : ports) {
        out.push_back(ethernet(b, a, 0x0800, ipv4(6, {10, 0, 0, 1}, {10, 0, 0, 2}, tcp(40000, p, 10))));
        out.push_back(ethernet(b, a, 0x0800, ipv4(6, {10, 0, 0, 1}, {10, 0, 0, 2}, tcp(p, 5011, 0))));
        out.push_back(ethernet(b, a, 0x0800, ipv4(17, {10, 0, 0, 1}, {10, 0, 0, 2}, udp(p, 9, 4))));
        out.push_back(ethernet(b, a, 0x86dd, ipv6(6, tcp(2003, p, 0))));
    }
    out.push_back(ethernet(b, a, 0x0806, arp_request({10, 0, 0, 1}, {10, 0, 0, 2})));
    const Frame whole = ethernet(b, a, 0x0800, ipv4(6, {10, 0, 0, 1}, {10, 0, 0, 2}, tcp(1000, 443, 0)));
    for (std::size_t cut : {14u, 30u, 34u, 36u, 40u}) out.push_back(Frame(whole.begin(), whole.begin() + static_cast<long>(cut)));
    return out;
}

// Runs every runnable frame through the loaded program and through the reference VM on the
// classic program for the same filter; counts the runs. Verdicts map through hook_return.
std::size_t expect_same_verdicts(int prog_fd, ebpf::Hook hook, const std::string& expr, const std::string& how) {
    auto classic = sniff::compile(expr, object_options(hook));
    EXPECT_TRUE(classic.has_value());
    if (!classic) return 0;
    ebpf::LoadedProgram loaded(prog_fd, hook, 0);
    std::size_t runs = 0, accepted = 0;
    for (const Frame& frame : test_frames()) {
        if (!ebpf::test_runnable(hook, frame)) continue;
        const std::uint32_t vm = cbpf::run(*classic, frame, static_cast<std::uint32_t>(frame.size()));
        auto got = ebpf::test_run(loaded, frame);
        EXPECT_TRUE(got.has_value()) << how << ": " << (got ? "" : got.error().message);
        if (!got) continue;
        ++runs;
        accepted += vm != 0;
        EXPECT_EQ(got->retval, ebpf::hook_return(hook, vm))
            << how << ", " << ebpf::hook_name(hook) << ", '" << expr.substr(0, 60) << "', frame of " << frame.size() << " bytes";
    }
    EXPECT_GT(accepted, 0u) << how << ": no test frame matches '" << expr.substr(0, 60) << "'";
    EXPECT_LT(accepted, runs) << how << ": every test frame matches";
    return runs;
}

// The number of maps a loaded program uses (BPF_OBJ_GET_INFO_BY_FD): .rodata's, when it has sets.
std::uint32_t map_count(int prog_fd) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    EXPECT_EQ(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0) << std::strerror(errno);
    return info.nr_map_ids;
}

const std::vector<std::string>& kernel_filters() {
    static const std::vector<std::string> f{"tcp port 443", many_ports(), two_sets(), many_hosts()};
    return f;
}

// Writes the object with the sniff binary, as a user would.
std::string emit(const TempDir& dir, ebpf::Hook hook, const std::string& expr, std::size_t n) {
    const std::string path = (dir.path() / fmt::format("{}-{}.o", ebpf::hook_name(hook), n)).string();
    Ran r = run(fmt::format("{} --emit-elf {} --hook {} {}", sniff_binary(), path, ebpf::hook_name(hook), shell_quote(expr)));
    EXPECT_EQ(r.status, 0) << r.output;
    return path;
}

TEST(ElfObjectKernel, BpftoolLoadsEveryHook) {
    if (auto why = private_bpffs_unavailable()) GTEST_SKIP() << *why;
    if (auto why = tool_missing("bpftool version", "bpftool")) GTEST_SKIP() << *why;
    TempDir dir;
    std::size_t runs = 0;
    for (ebpf::Hook hook : kHooks) {
        for (std::size_t n = 0; n < kernel_filters().size(); ++n) {
            const std::string& expr = kernel_filters()[n];
            const std::string object = emit(dir, hook, expr, n);
            const std::string pin = fmt::format("/sys/fs/bpf/sniff_elf_{}_{}", ebpf::hook_name(hook), n);
            Ran load = run(fmt::format("bpftool prog load {} {}", object, pin));
            ASSERT_EQ(load.status, 0) << "bpftool prog load " << object << ":\n" << load.output;
            Ran show = run("bpftool prog show pinned " + pin);
            EXPECT_NE(show.output.find("name sniff_filter"), std::string::npos) << show.output;
            EXPECT_NE(show.output.find(hook == ebpf::Hook::Xdp ? "xdp" : hook == ebpf::Hook::Tc ? "sched_cls" : "socket_filter"),
                      std::string::npos) << show.output;
            const int fd = bpf_obj_get(pin.c_str());
            ::unlink(pin.c_str());  // the descriptor keeps the program
            ASSERT_GE(fd, 0) << pin << ": " << std::strerror(errno);
            EXPECT_EQ(map_count(fd), compile_for_object(expr, hook).maps.empty() ? 0u : 1u) << "one .rodata map, or none";
            runs += expect_same_verdicts(fd, hook, expr, "bpftool prog load");
        }
    }
    std::printf("%zu test runs of objects loaded by bpftool\n", runs);
}

// Something `ip` or `tc` loaded: its id, from what they print (`prog/xdp id N`, `... id N tag`).
std::optional<std::uint32_t> loaded_id(const std::string& listing, const std::string& after) {
    std::smatch m;
    if (!std::regex_search(listing, m, std::regex(after + R"([^\n]*? id (\d+))"))) return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(m[1]));
}

// How many of `frames`, sent out of `from`, arrive on `to`: a packet socket on `to` counts the
// copies it receives (a tap sees a frame after XDP, before TC ingress).
std::expected<std::size_t, std::string> frames_arriving(const testing_support::VethLab& lab, const std::string& from, const std::string& to,
                                                        const std::vector<Frame>& frames) {
    testing_support::InNamespace in(lab);
    if (!in.ok()) return std::unexpected(fmt::format("setns into {}: {}", lab.name(), std::strerror(errno)));
    const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) return std::unexpected(fmt::format("socket(AF_PACKET): {}", std::strerror(errno)));
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(ETH_P_ALL);
    at.sll_ifindex = static_cast<int>(if_nametoindex(to.c_str()));
    if (bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) {
        ::close(fd);
        return std::unexpected(fmt::format("bind to {}: {}", to, std::strerror(errno)));
    }
    // Sent one by one. ENOBUFS is a frame TC_ACT_SHOT dropped at egress (dev_queue_xmit's
    // NET_XMIT_DROP, net_xmit_errno): not sent, and not retried as send_frames() would.
    const int out = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    sockaddr_ll dest{};
    dest.sll_family = AF_PACKET;
    dest.sll_ifindex = static_cast<int>(if_nametoindex(from.c_str()));
    dest.sll_halen = 6;
    for (const Frame& f : frames) {
        if (out >= 0 && sendto(out, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&dest), sizeof dest) == static_cast<ssize_t>(f.size()))
            continue;
        if (out >= 0 && errno == ENOBUFS) continue;
        const int e = errno;
        ::close(fd);
        if (out >= 0) ::close(out);
        return std::unexpected(fmt::format("sending on {}: {}", from, std::strerror(e)));
    }
    ::close(out);
    std::size_t arrived = 0;
    std::vector<std::uint8_t> buf(65536);
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 300) > 0) {  // until nothing more comes for 0.3 s
        sockaddr_ll from_addr{};
        socklen_t len = sizeof from_addr;
        const ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from_addr), &len);
        if (n < 0) break;
        if (from_addr.sll_pkttype == PACKET_OUTGOING) continue;
        const Frame got(buf.begin(), buf.begin() + n);
        arrived += std::find(frames.begin(), frames.end(), got) != frames.end();
    }
    ::close(fd);
    return arrived;
}

// How many of `frames` the reference VM keeps for `expr` at `hook`.
std::size_t reference_matches(const std::string& expr, ebpf::Hook hook, const std::vector<Frame>& frames) {
    auto classic = sniff::compile(expr, object_options(hook));
    EXPECT_TRUE(classic.has_value());
    if (!classic) return 0;
    const auto n = static_cast<std::size_t>(std::count_if(frames.begin(), frames.end(), [&](const Frame& f) {
        return cbpf::run(*classic, f, static_cast<std::uint32_t>(f.size())) != 0;
    }));
    EXPECT_GT(n, 0u) << "no frame matches '" << expr.substr(0, 60) << "': the check could not fail";
    EXPECT_LT(n, frames.size()) << "every frame matches '" << expr.substr(0, 60) << "': the check could not fail";
    return n;
}

TEST(ElfObjectKernel, IpAttachesTheXdpObject) {
    if (auto why = private_bpffs_unavailable()) GTEST_SKIP() << *why;
    if (auto why = testing_support::live_tests_unavailable()) GTEST_SKIP() << *why;
    TempDir dir;
    std::size_t runs = 0;
    for (std::size_t n = 0; n < kernel_filters().size(); ++n) {
        const std::string& expr = kernel_filters()[n];
        const std::string object = emit(dir, ebpf::Hook::Xdp, expr, n);
        auto lab = testing_support::VethLab::create();
        ASSERT_TRUE(lab.has_value()) << lab.error();
        std::string out;
        ASSERT_TRUE(lab->ip(fmt::format("link set dev {} xdp obj {} sec xdp", lab->a(), object), &out)) << out;
        ASSERT_TRUE(lab->ip("link show dev " + lab->a(), &out)) << out;
        auto id = loaded_id(out, "prog/xdp");
        ASSERT_TRUE(id.has_value()) << "no XDP program on " << lab->a() << ":\n" << out;
        const int fd = bpf_prog_get_fd_by_id(*id);
        ASSERT_GE(fd, 0) << "program " << *id << ": " << std::strerror(errno);
        runs += expect_same_verdicts(fd, ebpf::Hook::Xdp, expr, "ip link set xdp obj");
        // On the wire: what XDP_DROPs never reaches the receiving side's packet taps.
        auto arrived = frames_arriving(*lab, lab->b(), lab->a(), test_frames());
        ASSERT_TRUE(arrived.has_value()) << arrived.error();
        EXPECT_EQ(*arrived, reference_matches(expr, ebpf::Hook::Xdp, test_frames())) << "frames through XDP on " << lab->a() << ", '"
                                                                                     << expr.substr(0, 60) << "'";
        EXPECT_TRUE(lab->ip(fmt::format("link set dev {} xdp off", lab->a()), &out)) << out;
    }  // the namespace goes with the lab, and the veth pair with it
    std::printf("%zu test runs of objects attached by ip\n", runs);
}

TEST(ElfObjectKernel, TcAttachesTheTcObject) {
    if (auto why = private_bpffs_unavailable()) GTEST_SKIP() << *why;
    if (auto why = testing_support::live_tests_unavailable()) GTEST_SKIP() << *why;
    if (auto why = tool_missing("tc -V", "iproute2")) GTEST_SKIP() << *why;
    TempDir dir;
    std::size_t runs = 0;
    for (std::size_t n = 0; n < kernel_filters().size(); ++n) {
        const std::string& expr = kernel_filters()[n];
        const std::string object = emit(dir, ebpf::Hook::Tc, expr, n);
        auto lab = testing_support::VethLab::create();
        ASSERT_TRUE(lab.has_value()) << lab.error();
        const std::string tc = fmt::format("tc -n {} ", lab->name());
        Ran qdisc = run(tc + "qdisc add dev " + lab->a() + " clsact");
        ASSERT_EQ(qdisc.status, 0) << qdisc.output;
        Ran filter = run(fmt::format("{}filter add dev {} ingress bpf da obj {} sec tc", tc, lab->a(), object));
        ASSERT_EQ(filter.status, 0) << filter.output;
        Ran show = run(fmt::format("{}filter show dev {} ingress", tc, lab->a()));
        auto id = loaded_id(show.output, "direct-action");
        ASSERT_TRUE(id.has_value()) << "no direct-action filter on " << lab->a() << ":\n" << show.output;
        const int fd = bpf_prog_get_fd_by_id(*id);
        ASSERT_GE(fd, 0) << "program " << *id << ": " << std::strerror(errno);
        runs += expect_same_verdicts(fd, ebpf::Hook::Tc, expr, "tc filter add bpf da obj");
        // On the wire: taps see ingress frames before TC, so the same object goes on the sending
        // side's egress, where TC_ACT_SHOT keeps a frame from ever reaching the peer.
        Ran egress = run(fmt::format("{}qdisc add dev {} clsact && {}filter add dev {} egress bpf da obj {} sec tc", tc, lab->b(), tc, lab->b(), object));
        ASSERT_EQ(egress.status, 0) << egress.output;
        auto arrived = frames_arriving(*lab, lab->b(), lab->a(), test_frames());
        ASSERT_TRUE(arrived.has_value()) << arrived.error();
        EXPECT_EQ(*arrived, reference_matches(expr, ebpf::Hook::Tc, test_frames())) << "frames through TC egress on " << lab->b() << ", '"
                                                                                    << expr.substr(0, 60) << "'";
        Ran del = run(tc + "qdisc del dev " + lab->a() + " clsact");
        EXPECT_EQ(del.status, 0) << del.output;
    }
    std::printf("%zu test runs of objects attached by tc\n", runs);
}

}  // namespace
