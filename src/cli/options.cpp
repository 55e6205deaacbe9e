// CLI11 set-up; help and usage errors are printed here.
#include "cli/options.hpp"

#include <CLI/CLI.hpp>

namespace cli {

ParseOutcome parse_options(int argc, char** argv) {
    CLI::App app{"sniff: packet capture and pcap-filter compiler (tcpdump-compatible flags)", "sniff"};
    Options o;
    app.add_flag("-d", o.dump_level, "print the compiled filter program (-dd as C array, -ddd as decimal)");
    app.add_option("-r", o.read_file, "read packets from a pcap or pcapng file ('-' for stdin)");
    app.add_option("-w", o.write_file, "write matching packets to a pcap file ('-' for stdout)");
    app.add_option("-i", o.interface, "capture live on an interface");
    app.add_option("-y", o.link_type, "link type for -d, by name (EN10MB) or number");
    app.add_option("-F", o.filter_file, "read the filter expression from a file");
    app.add_option("-c", o.count, "stop after this many packets")->check(CLI::PositiveNumber);
    app.add_option("-s", o.snaplen, "snapshot length (0: 262144)");
    app.add_flag("-n", o.numeric, "do not convert addresses to names (the default here)");
    app.add_option("expression", o.expression, "pcap-filter(7) expression");
    app.positionals_at_end(false);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return {std::nullopt, code == 0 ? 0 : 1};
    }
    if (o.snaplen == 0) o.snaplen = 262144;
    return {o, 0};
}

}  // namespace cli
