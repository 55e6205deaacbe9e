// sniff's entry point: parse the options and hand over to one command.
#include <fmt/format.h>

#include <csignal>

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace cli {
namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

bool stop_requested() { return g_stop != 0; }
void request_stop() { g_stop = 1; }

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns so the loop sees the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace cli

int main(int argc, char** argv) {
    auto parsed = cli::parse_options(argc, argv);
    if (!parsed.options) return parsed.exit_code;
    const cli::Options& o = *parsed.options;
    if (o.list_interfaces) return cli::run_list_interfaces(o);
    if (o.verify) {
        if (!o.read_file) {
            fmt::print(stderr, "sniff: --verify needs -r FILE: the packets to check\n");
            return 1;
        }
        return cli::run_verify(o);
    }
    if (o.read_file) return cli::run_offline(o);
    if (o.interface) return cli::run_live(o);
    if (o.dump_level > 0) return cli::run_dump(o);
    fmt::print(stderr, "sniff: nothing to do: give -r FILE to read packets, or -d with a filter to see its program (see --help)\n");
    return 1;
}
