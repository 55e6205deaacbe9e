// -r: read a capture, run each packet through the filter in sniff's fast path, print or write
// matches; --trace explains each verdict instead.
#include <fmt/format.h>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/explain.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cli/commands.hpp"
#include "cli/program_source.hpp"
#include "cli/file_reading.hpp"
#include "cli/packet_output.hpp"

namespace cli {
namespace {

// No filter: every packet, whole, as tcpdump -r F -d shows it (`ret #` the file's snapshot length).
cbpf::Program accept_all(const FileAndProgram& in) { return {cbpf::stmt(cbpf::op::RET | cbpf::op::K, in.source.snaplen())}; }

int trace(FileAndProgram& in, const Options& o) {
    const cbpf::Program prog = in.program ? *in.program : accept_all(in);
    std::uint64_t index = 0;
    return for_each_packet(in.source, o, [&](const capture::Packet& pkt) {
        // Every packet read is explained, so -c counts packets explained.
        auto t = cbpf::run_traced(prog, pkt.data, pkt.wire_length);
        fmt::print("packet {} (captured {} of {} bytes): {}\n{}", ++index, pkt.data.size(), pkt.wire_length,
                   t.result ? fmt::format("accepted, {} bytes kept", t.result) : std::string("rejected"),
                   cbpf::explain(prog, t, pkt.data.size()));
        return true;
    });
}

}  // namespace

int run_offline(const Options& o) {
    auto in = open_file_and_program(o, false);
    if (!in) return 1;
    if (o.dump_level > 0 && o.ebpf && in->program) {  // as tcpdump -r FILE -d: for the file's link type
        sniff::CompileOptions options = in->compile_options;
        options.kernel_vlan = hook_of(o) == ebpf::Hook::Tc;  // as -d without -r
        auto prog = load_ebpf_program(o, options, hook_of(o));
        if (!prog) return 1;
        fmt::print("{}", dump_ebpf_text(*prog, o.dump_level));
        return 0;
    }
    if (o.dump_level > 0) {
        fmt::print("{}", cbpf::dump(in->program ? *in->program : accept_all(*in), o.dump_level));
        return 0;
    }
    if (o.trace) return trace(*in, o);
    auto output = PacketOutput::open(o, in->source.dlt(), in->source.snaplen(), in->source.identity());
    if (!output) return 1;
    std::optional<cbpf::FastFilter> fast;
    if (in->program) fast.emplace(*in->program);
    int status = for_each_packet(in->source, o, [&](const capture::Packet& pkt) {
        if (fast && fast->run(pkt.data, pkt.wire_length) == 0) return false;
        if (!output->handle(pkt)) request_stop();
        return true;
    });
    // Whatever was read before a damaged record or a signal is written out.
    if (!output->finish()) return 1;
    return status;
}

}  // namespace cli
