// -i: live capture through a capture::Source (AF_PACKET by default, libpcap with --backend pcap),
// and -D: the interfaces to capture on. The loop below does not know which backend it drives.
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/af_packet_source.hpp"
#include "capture/interfaces.hpp"
#include "capture/pcap_live_source.hpp"
#include "capture/source.hpp"
#include "cbpf_vm/dump.hpp"
#include "cli/commands.hpp"
#include "cli/packet_output.hpp"
#include "cli/program_source.hpp"
#include "compiler/link_type.hpp"
#include "ebpf/loader.hpp"

namespace cli {
namespace {

using namespace std::chrono_literals;

// How long one wait for packets may last. A signal ends the wait at once (no SA_RESTART); this
// bound only matters when the signal lands between the flag check and the wait.
constexpr auto kWait = 250ms;
// After a stop request: the block the kernel is still filling reaches the reader when its retire
// timer fires (at most two periods of 100 ms), so wait a little longer than that for it, and stop
// waiting after a second at most even if packets keep coming.
constexpr auto kDrainWait = 250ms;
constexpr auto kDrainLimit = 1000ms;

capture::Direction direction_of(const std::string& q) {
    if (q == "in") return capture::Direction::In;
    if (q == "out") return capture::Direction::Out;
    return capture::Direction::InOut;
}

std::expected<std::unique_ptr<capture::Source>, capture::Error> open_source(const Options& o, const capture::LiveOptions& lo) {
    if (o.backend == "pcap") return capture::PcapLiveSource::open(lo);
    return capture::AfPacketSource::open(lo);
}

// -Z: give up root once everything that needs it is open (the socket, the -w file).
// Supplementary groups first, then the group, then the user: once the uid changes, the
// process may no longer change the other two.
bool drop_privileges(const std::string& user) {
    errno = 0;
    const passwd* pw = getpwnam(user.c_str());
    if (!pw) {
        fmt::print(stderr, "sniff: -Z {}: no such user{}\n", user, errno ? fmt::format(" ({})", std::strerror(errno)) : "");
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        fmt::print(stderr, "sniff: -Z {}: cannot change to uid {} and gid {}: {}\n", user, pw->pw_uid, pw->pw_gid, std::strerror(errno));
        return false;
    }
    return true;
}

const char* plural(std::uint64_t n) { return n == 1 ? "" : "s"; }

}  // namespace

int run_live(const Options& o) {
    capture::LiveOptions lo;
    lo.interface = *o.interface;
    lo.snaplen = o.snaplen;
    lo.promiscuous = !o.no_promiscuous;
    lo.direction = direction_of(o.direction);
    lo.buffer_kib = o.buffer_kib;
    lo.immediate = o.immediate;
    auto opened = open_source(o, lo);
    if (!opened) {
        fmt::print(stderr, "sniff: {}\n", opened.error().message);
        return 1;
    }
    capture::Source& source = **opened;

    std::optional<cbpf::Program> prog;
    // --ebpf, or a classic program too long for the kernel on an Ethernet interface: the filter
    // goes into the kernel as an eBPF socket filter (tcpdump would filter in user space instead).
    bool use_ebpf = o.ebpf;
    // sniff's own socket on a device with a link header (DLT_EN10MB) or none (DLT_RAW): the
    // kernel runs the socket filter on the bytes sniff receives.
    const bool ebpf_capable = o.backend == "af_packet" && (source.dlt() == 1 || source.dlt() == 12);
    if (has_filter(o)) {
        const auto* lt = sniff::find_link_type(source.dlt());
        if (!o.bpf_file && !lt) {
            fmt::print(stderr, "sniff: {}: link type {} is not supported by the filter compiler yet\n", lo.interface, source.dlt());
            return 1;
        }
        prog = load_program(o, {.dlt = source.dlt(), .snaplen = o.snaplen, .kernel_vlan = true});
        if (!prog) return 1;
        // The kernel takes classic programs of at most 4,096 instructions. A longer one goes into
        // the kernel as eBPF where sniff can attach that (an Ethernet interface, its own socket);
        // otherwise it runs in user space, as tcpdump runs it.
        if (!use_ebpf && prog->size() > cbpf::kMaxInsns && o.dump_level == 0) {
            if (ebpf_capable && !o.bpf_file) {
                use_ebpf = true;
            } else {
                fmt::print(stderr, "sniff: {}: the filter compiles to {} classic BPF instructions, more than the kernel's {}; it runs "
                                   "in user space instead, so every packet is copied to sniff first, as tcpdump does{}\n",
                           lo.interface, prog->size(), cbpf::kMaxInsns,
                           o.bpf_file ? "" : " (sniff attaches eBPF, which has no such limit, on Ethernet and raw-IP interfaces with --backend af_packet)");
            }
        }
    } else if (o.ebpf && o.dump_level == 0) {
        fmt::print(stderr, "sniff: --ebpf needs a filter expression: without one every packet is captured and nothing is compiled\n");
        return 1;
    }
    std::optional<ebpf::Filter> ebpf_prog;
    if (use_ebpf && prog) {
        if (!ebpf_capable && o.dump_level == 0) {
            fmt::print(stderr, "sniff: {}: eBPF socket filters are attached to Ethernet and raw-IP interfaces (link types EN10MB "
                               "and RAW); this one delivers link type {}: capture without --ebpf\n", lo.interface, source.dlt());
            return 1;
        }
        // -d may ask for another hook (the capture itself attaches the socket filter); XDP sees
        // VLAN tags in the frame, the socket filter and TC without the outer one.
        const ebpf::Hook hook = o.dump_level > 0 ? hook_of(o) : ebpf::Hook::Socket;
        ebpf_prog = load_ebpf_program(o, {.dlt = source.dlt(), .snaplen = o.snaplen, .kernel_vlan = hook != ebpf::Hook::Xdp}, hook);
        if (!ebpf_prog) return 1;
        if (!o.ebpf)
            fmt::print(stderr, "sniff: {}: the filter compiles to {} classic BPF instructions, more than the kernel's {}; "
                               "filtering in the kernel with eBPF instead ({} instructions)\n",
                       lo.interface, prog->size(), cbpf::kMaxInsns, ebpf_prog->insns.size());
    }
    if (o.dump_level > 0) {  // tcpdump -i IF -d: the program for that interface's link type
        if (ebpf_prog) fmt::print("{}", dump_ebpf_text(*ebpf_prog, o.dump_level));
        else if (prog) fmt::print("{}", cbpf::dump(*prog, o.dump_level));
        return 0;
    }
    bool filter_set = false;
    if (ebpf_prog) {
        // With --ebpf a failure ends the capture; after the automatic switch the filter runs in
        // user space instead, as it would have without eBPF.
        std::string failure;
        auto loaded = ebpf::load(*ebpf_prog, ebpf::Hook::Socket);
        if (!loaded) {
            failure = fmt::format("{}: {}", lo.interface, loaded.error().message);
            if (o.ebpf && !loaded.error().verifier_log.empty()) failure += "\nthe verifier said:\n" + loaded.error().verifier_log;
        } else if (auto ok = source.set_ebpf_filter(loaded->fd(), *prog); !ok) {
            failure = ok.error().message;  // the socket keeps the program; the descriptor closes here
        } else {
            filter_set = true;
        }
        if (!filter_set) {
            fmt::print(stderr, "sniff: {}\n", failure);
            if (o.ebpf) return 1;
            fmt::print(stderr, "sniff: {}: filtering in user space instead: every packet is copied to sniff first, as tcpdump does\n",
                       lo.interface);
        }
    }
    if (!filter_set) {
        if (auto ok = source.set_filter(prog); !ok) {
            fmt::print(stderr, "sniff: {}\n", ok.error().message);
            return 1;
        }
    }
    auto output = PacketOutput::open(o, source.dlt(), source.snaplen());
    if (!output) return 1;
    if (o.drop_user && !drop_privileges(*o.drop_user)) return 1;
    install_stop_handlers();

    const auto* lt = sniff::find_link_type(source.dlt());
    fmt::print(stderr, "sniff: listening on {}, link-type {} ({}), snapshot length {} bytes\n", lo.interface,
               lt ? lt->name : "?", lt ? lt->description : "?", source.snaplen());

    std::uint64_t captured = 0;
    int status = 0;
    auto reached = [&] { return o.count && captured >= *o.count; };
    bool output_done = false;
    // Lines go out after each batch so a live capture shows packets as they come; pcap records
    // stay buffered until the end, as tcpdump -w does without -U.
    auto take = [&](std::span<const capture::Packet> batch) {
        for (const auto& p : batch) {
            if (reached() || output_done) break;
            if (!output->handle(p)) {
                output_done = true;  // -G -W wrote its last file, or the output failed
                request_stop();
                break;
            }
            ++captured;
        }
        if (!batch.empty() && !o.write_file && !output->flush()) status = 1;
    };
    bool source_failed = false;
    while (status == 0 && !stop_requested() && !reached()) {
        auto batch = source.next_batch(kWait);
        if (!batch) {
            fmt::print(stderr, "sniff: {}\n", batch.error().message);
            source_failed = true;
            break;
        }
        take(*batch);
    }
    if (status == 0 && (stop_requested() || source_failed) && !reached()) {
        // Interrupted (or the interface went away): what the kernel already accepted is still
        // delivered, so "captured" covers every packet that made it into the buffer.
        auto limit = std::chrono::steady_clock::now() + kDrainLimit;
        while (status == 0 && !reached() && std::chrono::steady_clock::now() < limit) {
            auto batch = source.next_batch(kDrainWait);
            if (!batch || batch->empty()) break;
            take(*batch);
        }
    }
    if (source_failed) status = 1;
    if (!output->finish()) status = 1;
    auto st = source.stats();
    source.close();
    fmt::print(stderr, "{} packet{} captured\n", captured, plural(captured));
    if (st) {
        fmt::print(stderr, "{} packet{} received by filter\n", st->received, plural(st->received));
        fmt::print(stderr, "{} packet{} dropped by kernel\n", st->dropped, plural(st->dropped));
    } else {
        fmt::print(stderr, "sniff: {}\n", st.error().message);
        status = 1;
    }
    return status;
}

int run_list_interfaces(const Options&) {
    auto list = capture::list_interfaces();
    if (!list) {
        fmt::print(stderr, "sniff: {}\n", list.error().message);
        return 1;
    }
    fmt::print("{}", capture::format_interface_list(*list));
    return 0;
}

}  // namespace cli
