// -r: read a capture, run each packet through the filter in sniff's VM, print or write matches.
#include <fmt/format.h>

#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/explain.hpp"
#include "cbpf_vm/fast_filter.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cli/commands.hpp"
#include "cli/packet_output.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"

namespace cli {

int run_offline(const Options& o) {
    auto source = capture::PcapFileSource::open(*o.read_file);
    if (!source) {
        fmt::print(stderr, "sniff: {}\n", source.error());
        return 1;
    }
    std::optional<cbpf::Program> prog;
    if (has_filter(o)) {
        if (!o.bpf_file && !sniff::find_link_type(source->dlt())) {
            fmt::print(stderr, "sniff: {}: link type {} is not supported by the filter compiler yet\n", *o.read_file, source->dlt());
            return 1;
        }
        prog = load_program(o, source->dlt());
        if (!prog) return 1;
    }
    if (o.dump_level > 0) {
        if (prog) fmt::print("{}", cbpf::dump(*prog, o.dump_level));
        return 0;
    }
    auto output = PacketOutput::open(o, source->dlt(), source->snaplen());
    if (!output) return 1;
    if (o.trace && !prog) prog = cbpf::Program{cbpf::stmt(cbpf::op::RET | cbpf::op::K, o.snaplen)};
    std::optional<cbpf::FastFilter> fast;
    if (prog) fast.emplace(*prog);
    install_stop_handlers();
    std::uint64_t matched = 0, index = 0;
    int status = 0;
    capture::Packet pkt;
    while (!stop_requested() && (!o.count || matched < *o.count)) {
        auto st = source->next(pkt);
        if (st == capture::PcapFileSource::Status::End) break;
        if (st == capture::PcapFileSource::Status::Damaged) {
            fmt::print(stderr, "sniff: {}\n", source->damage());
            status = 1;
            break;
        }
        ++index;
        if (o.trace) {
            // --trace explains every packet it reads; -c counts packets explained.
            auto t = cbpf::run_traced(*prog, pkt.data, pkt.wire_length);
            ++matched;
            fmt::print("packet {} (captured {} of {} bytes): {}\n{}", index, pkt.data.size(), pkt.wire_length,
                       t.result ? fmt::format("accepted, {} bytes kept", t.result) : std::string("rejected"),
                       cbpf::explain(*prog, t, pkt.data.size()));
            continue;
        }
        if (fast && fast->run(pkt.data, pkt.wire_length) == 0) continue;
        ++matched;
        output->handle(pkt);
    }
    if (!output->finish()) return 1;
    return status;
}

}  // namespace cli
