// CLI11 set-up; help and usage errors are printed here.
#include "cli/options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "compiler/parse.hpp"

namespace cli {
namespace {

// libpcap's largest snapshot length for every link type sniff captures (MAXIMUM_SNAPLEN);
// tcpdump refuses a larger -s.
constexpr std::uint32_t kMaxSnaplen = 262144;

// -s as tcpdump reads it: strtol with base 0 (decimal, 0x hex, 0 octal, an optional sign), the
// whole text, within 0..262144.
std::optional<std::uint32_t> parse_snaplen(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 0);
    if (text.empty() || end == text.c_str() || *end != '\0' || errno != 0 || v < 0 || v > kMaxSnaplen) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

// Options that cannot go together: a message, or nullopt.
std::optional<std::string> conflict(const Options& o) {
    const bool expression = has_expression(o);
    if (o.bpf_file && o.filter_file) return std::string("--bpf and -F both give the filter: give one of them");
    if (o.bpf_file && expression) return fmt::format("--bpf {} gives the program, so the expression '{}' would be ignored: give one of them",
                                                     *o.bpf_file, fmt::join(o.expression, " "));
    if (o.filter_file && expression) return fmt::format("-F {} gives the filter, so the expression '{}' would be ignored: give one of them",
                                                        *o.filter_file, fmt::join(o.expression, " "));
    if (o.emit_elf) {
        // The object is the whole output: nothing is read, captured or printed besides it.
        const std::pair<bool, const char*> others[] = {{o.interface.has_value(), "-i (live capture)"}, {o.verify, "--verify"},
                                                       {o.trace, "--trace"}, {o.write_file.has_value(), "-w"},
                                                       {o.dump_level > 0, "-d"}, {o.bpf_file.has_value(), "--bpf"},
                                                       {o.list_interfaces, "-D"}, {o.xdp_drop, "--xdp-drop"},
                                                       {o.xdp_pass, "--xdp-pass"}};
        for (const auto& [given, flag] : others)
            if (given)
                return fmt::format("--emit-elf writes the compiled filter to a file and does nothing else; {} does not go with it{}", flag,
                                   std::string_view(flag) == "--bpf" ? " (an object holds a compiled expression, not a classic program)" : "");
        return std::nullopt;
    }
    if (o.ebpf && o.bpf_file)
        return fmt::format("--bpf {} gives a classic BPF program; --ebpf compiles an expression (sniff does not translate programs)", *o.bpf_file);
    if (o.ebpf && o.backend == "pcap" && o.interface)
        return std::string("--ebpf attaches the filter to sniff's own AF_PACKET socket; --backend pcap attaches libpcap's classic BPF");
    if (o.ebpf && o.read_file && !o.verify && o.dump_level == 0)
        return std::string("--ebpf applies to -d (with -r, for the file's link type) and to live capture (-i); to check eBPF on "
                           "a file's packets use --verify -r FILE, which runs every eBPF hook that applies");
    if (o.xdp_drop || o.xdp_pass) {
        const std::string flag = o.xdp_drop ? "--xdp-drop" : "--xdp-pass";
        if (o.xdp_drop && o.xdp_pass) return std::string("--xdp-drop and --xdp-pass are opposites: give one of them");
        if (o.read_file)
            return fmt::format("{} acts on an interface's received packets (-i IF); -r reads a file: to see what it would drop, "
                               "use -r FILE 'EXPR' (the packets that match)", flag);
        if (o.write_file) return fmt::format("{} drops packets in the kernel and captures none, so there is nothing for -w to write", flag);
        if (!o.interface) return fmt::format("{} needs -i IF: the interface whose received packets it judges", flag);
        if (*o.interface == "any") return fmt::format("{} attaches to one interface; -i any is not one", flag);
        if (!expression && !o.filter_file)
            return fmt::format("{} needs a filter expression: without one it would {} every packet", flag, o.xdp_drop ? "drop" : "pass");
        if (o.bpf_file) return fmt::format("{} compiles an expression to XDP; --bpf gives a classic program", flag);
        if (o.hook || o.ebpf) return fmt::format("{} compiles its own XDP program; --ebpf and --hook do not apply", flag);
        if (o.backend != "af_packet") return fmt::format("{} does not capture, so --backend does not apply", flag);
        // Capture settings would be silently ignored: refuse them instead.
        const char* capture_option = o.direction != "inout" ? "-Q"
                                     : o.buffer_kib       ? "-B"
                                     : o.immediate        ? "--immediate-mode"
                                     : o.drop_user        ? "-Z"
                                     : o.no_promiscuous   ? "-p"
                                     : o.verify || o.trace ? "--verify/--trace"
                                                           : nullptr;
        if (capture_option)
            return fmt::format("{} is for captures; {} judges received packets in XDP and captures none", capture_option, flag);
    } else if (o.xdp_mode != "auto") {
        return std::string("--xdp-mode applies to --xdp-drop and --xdp-pass");
    }
    if (o.hook && *o.hook != "socket" && o.interface && o.dump_level == 0)
        return fmt::format("--hook {} is for -d: a live capture attaches the socket filter", *o.hook);
    return std::nullopt;
}

}  // namespace

bool has_expression(const Options& o) {
    for (const auto& w : o.expression)
        if (!std::all_of(w.begin(), w.end(), sniff::is_filter_space)) return true;
    return false;
}

ParseOutcome parse_options(int argc, char** argv) {
    CLI::App app{"sniff: packet capture and pcap-filter compiler (tcpdump-compatible flags)", "sniff"};
    Options o;
    app.add_flag("-d", o.dump_level, "print the compiled filter program (-dd as C array, -ddd as decimal)");
    app.add_flag("--verify", o.verify, "run every packet through sniff's VM, libpcap's bpf_filter and the kernel; report disagreements");
    app.add_flag("--trace", o.trace, "explain each verdict: instructions taken, values loaded and compared");
    app.add_option("--bpf", o.bpf_file, "use a program in tcpdump -ddd format instead of an expression");
    app.add_option("-F", o.filter_file, "read the filter expression from a file");
    app.add_option("-y", o.link_type, "link type, by name (EN10MB) or number");
    std::optional<std::string> snaplen_text;
    app.add_option("-s", snaplen_text, "snapshot length in bytes, decimal, 0x hex or 0 octal (0: 262144)");
    app.add_flag("-O", o.no_optimize, "do not run the filter optimizer");
    app.add_flag("--ebpf", o.ebpf, "compile to eBPF: -d prints it, -i attaches it to the capture socket (SO_ATTACH_BPF)");
    app.add_option("--hook", o.hook, "with -d or --emit-elf: the eBPF program type, socket (default), xdp or tc; implies --ebpf")
        ->check(CLI::IsMember({"socket", "xdp", "tc"}));
    app.add_option("--emit-elf", o.emit_elf, "write the filter as an eBPF ELF object for --hook (bpftool, ip, tc load it); "
                   "the link type is -y's, or -r FILE's");
    app.add_option("-r", o.read_file, "read packets from a pcap or pcapng file ('-' for stdin)");
    app.add_option("-w", o.write_file, "write matching packets to a pcap file ('-' for stdout)");
    app.add_option("-C", o.file_size_mb, "with -w: start a new file once this many million bytes are written")->check(CLI::PositiveNumber);
    app.add_option("-W", o.file_count, "with -C: keep a ring of this many files; with -G: stop after this many files")->check(CLI::PositiveNumber);
    app.add_option("-G", o.rotate_seconds, "with -w: start a new file every N seconds (the -w name is a strftime pattern)")->check(CLI::PositiveNumber);
    app.add_option("-c", o.count, "stop after this many packets")->check(CLI::PositiveNumber);
    app.add_flag("-n", o.numeric, "do not convert addresses to names (the default here)");
    app.add_flag("-t", o.timestamp_level, "timestamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since the first");
    app.add_flag("-e", o.link_header, "print the link-level header (MAC addresses, EtherType)");
    app.add_flag("-q", o.quiet, "quiet: less protocol information");
    app.add_flag("-v", o.verbose, "more fields (TTL, id, checksums); -vv for more");
    app.add_flag("-x", o.hex, "hex dump of each packet without (-xx: with) its link header");
    app.add_flag("-X", o.hex_ascii, "hex and ASCII dump without (-XX: with) the link header");
    app.add_flag("-A", o.ascii, "print each packet (without its link header) in ASCII");
    app.add_flag("--number", o.packet_numbers, "print a packet number at the start of each line (also -#)");
    app.add_flag("--json", o.json, "print one JSON object per packet");
    app.add_option("-i", o.interface, "capture live on an interface ('any' for all)");
    app.add_flag("-D", o.list_interfaces, "list the interfaces sniff can capture on");
    app.add_flag("-p", o.no_promiscuous, "do not put the interface into promiscuous mode");
    app.add_option("-Q", o.direction, "direction to capture: in, out or inout")->check(CLI::IsMember({"in", "out", "inout"}));
    app.add_option("-B", o.buffer_kib, "capture buffer size in KiB")->check(CLI::PositiveNumber);
    app.add_flag("--immediate-mode", o.immediate, "deliver packets as soon as they arrive");
    app.add_option("--backend", o.backend, "live capture backend")->check(CLI::IsMember({"af_packet", "pcap"}));
    app.add_option("-Z", o.drop_user, "drop privileges to this user once capture is set up");
    app.add_flag("--xdp-drop", o.xdp_drop, "with -i IF: drop the received packets the filter matches, in XDP (^C stops and prints counts)");
    app.add_flag("--xdp-pass", o.xdp_pass, "with -i IF: drop the received packets the filter does not match, in XDP");
    app.add_option("--xdp-mode", o.xdp_mode, "XDP attach mode: auto (native, else generic), native (driver) or generic (skb)")
        ->check(CLI::IsMember({"auto", "native", "generic"}));
    app.add_option("expression", o.expression, "pcap-filter(7) expression");
    // CLI11 does not accept '#' in an option name: tcpdump's -# is spelled --number for it.
    std::vector<std::string> args;
    for (int i = argc - 1; i > 0; --i) args.emplace_back(std::string_view(argv[i]) == "-#" ? "--number" : argv[i]);
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return {std::nullopt, code == 0 ? 0 : 1};
    }
    if (snaplen_text) {
        auto n = parse_snaplen(*snaplen_text);
        if (!n) {
            fmt::print(stderr, "sniff: invalid snaplen {} (must be >= 0 and <= {})\n", *snaplen_text, kMaxSnaplen);
            return {std::nullopt, 1};
        }
        o.snaplen = *n;
    }
    if (o.hook || o.emit_elf) o.ebpf = true;
    if (auto problem = conflict(o)) {
        fmt::print(stderr, "sniff: {}\n", *problem);
        return {std::nullopt, 1};
    }
    if (o.snaplen == 0) o.snaplen = kMaxSnaplen;
    return {o, 0};
}

}  // namespace cli
