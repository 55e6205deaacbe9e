// --emit-elf FILE: the filter compiled to eBPF for --hook and written as an ELF object that
// bpftool, ip and tc load (ebpf/elf_object.hpp).
#include <fmt/format.h>

#include <cerrno>

#include "capture/pcap_file_source.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"
#include "ebpf/elf_object.hpp"
#include "ebpf/loader.hpp"

namespace cli {
namespace {

// The link type the program parses: -r FILE's (only its header is read), else -y's, else Ethernet.
std::optional<int> object_link_type(const Options& o) {
    if (o.read_file) {
        auto source = capture::PcapFileSource::open(*o.read_file);
        if (!source) {
            fmt::print(stderr, "sniff: {}\n", source.error());
            return std::nullopt;
        }
        if (!sniff::find_link_type(source->dlt())) {
            fmt::print(stderr, "sniff: {}: link type {} is not supported by the filter compiler yet\n", *o.read_file, source->dlt());
            return std::nullopt;
        }
        return source->dlt();
    }
    if (!o.link_type) return sniff::kDefaultDlt;
    const sniff::LinkType* lt = sniff::find_link_type(*o.link_type);
    if (!lt) {
        fmt::print(stderr, "sniff: unknown or unsupported link type '{}'\n", *o.link_type);
        return std::nullopt;
    }
    return lt->dlt;
}

}  // namespace

int run_emit_elf(const Options& o) {
    const auto dlt = object_link_type(o);
    if (!dlt) return 1;
    const ebpf::Hook hook = hook_of(o);
    // The object runs on live traffic, as a live capture's program does: the socket filter and TC
    // see frames whose outer VLAN tag Linux has taken out; XDP sees the tag in the frame.
    const sniff::CompileOptions context{.dlt = *dlt, .snaplen = o.snaplen, .kernel_vlan = hook != ebpf::Hook::Xdp};
    // Only read-only sets travel in an object (.rodata); the others stay comparison trees.
    auto filter = load_ebpf_program(o, context, hook, sniff::SetMapOptions{.in_object = true});
    if (!filter) return 1;
    // Where this process may load programs, the kernel's verifier checks the program first, its
    // .rodata sets as the frozen arrays a loader makes of them: an object that this kernel's
    // loaders would refuse is not written. (Without the privilege, nothing is checked.)
    if (!ebpf::bpf_unavailable()) {
        auto loaded = ebpf::load(*filter, hook, "sniff_check");
        if (!loaded && loaded.error().error_number != EPERM && loaded.error().error_number != EACCES) {
            std::string log = loaded.error().verifier_log;
            // The verifier's verdict is in its log's last lines.
            while (!log.empty() && log.back() == '\n') log.pop_back();
            std::size_t from = log.size();
            for (int lines = 0; lines < 3 && from != std::string::npos && from > 0; ++lines) from = log.rfind('\n', from - 1);
            if (from != std::string::npos && from < log.size()) log = log.substr(from + 1);
            fmt::print(stderr,
                       "sniff: --emit-elf {}: the kernel here refuses the program ({} instructions), so bpftool, ip and tc would too: "
                       "{}{}{}\nsniff: no file written. In an object, sets are sorted arrays and lists of `ip6 host` or `ether host` "
                       "stay comparisons; live capture (--ebpf) and --xdp-drop look large lists up in hash maps\n",
                       *o.emit_elf, filter->insns.size(), loaded.error().message, log.empty() ? "" : "\n", log);
            return 1;
        }
    }
    auto bytes = ebpf::elf_object(*filter, hook);
    if (!bytes) {
        fmt::print(stderr, "sniff: --emit-elf {}: {}\n", *o.emit_elf, bytes.error().message);
        return 1;
    }
    if (auto written = ebpf::write_file_atomically(*o.emit_elf, *bytes); !written) {
        fmt::print(stderr, "sniff: --emit-elf {}\n", written.error().message);
        return 1;
    }
    return 0;
}

}  // namespace cli
