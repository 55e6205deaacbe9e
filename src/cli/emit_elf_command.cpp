// --emit-elf FILE: the filter compiled to eBPF for --hook and written as an ELF object that
// bpftool, ip and tc load (ebpf/elf_object.hpp).
#include <fmt/format.h>

#include "capture/pcap_file_source.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"
#include "ebpf/elf_object.hpp"

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
