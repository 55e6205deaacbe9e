// sniff's entry point: parse the options and hand over to one command.
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <stdio_ext.h>

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

namespace {

int run(int argc, char** argv) {
    auto parsed = cli::parse_options(argc, argv);
    if (!parsed.options) return parsed.exit_code;
    const cli::Options& o = *parsed.options;
    if (o.list_interfaces) return cli::run_list_interfaces(o);
    if (o.emit_elf) return cli::run_emit_elf(o);
    if (o.verify) {
        if (!o.read_file) {
            fmt::print(stderr, "sniff: --verify needs -r FILE: the packets to check\n");
            return 1;
        }
        return cli::run_verify(o);
    }
    if (o.xdp_drop || o.xdp_pass) return cli::run_xdp_drop(o);
    if (o.read_file) return cli::run_offline(o);
    if (o.interface) return cli::run_live(o);
    if (o.dump_level > 0) return cli::run_dump(o);
    fmt::print(stderr, "sniff: nothing to do: give -r FILE to read packets, or -d with a filter to see its program (see --help)\n");
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    // A closed pipe is a write error with a message and exit status 1, not a silent death by
    // SIGPIPE: a script reading sniff's output must be able to tell that it stopped early.
    std::signal(SIGPIPE, SIG_IGN);
    int status;
    try {
        status = run(argc, argv);
    } catch (const std::system_error& e) {
        // fmt::print could not write (standard output, or standard error itself): say so where
        // possible, without anything that could throw again, and fail.
        if (std::ferror(stdout)) {
            __fpurge(stdout);  // reported here; the exit must not try again
            std::fprintf(stderr, "sniff: writing to standard output failed: %s\n", e.code().message().c_str());
        } else {
            std::fprintf(stderr, "sniff: %s\n", e.what());
        }
        return 1;
    }
    // Whatever is still buffered (-d, -D, --trace…) must reach its destination: a full disk or a
    // closed pipe makes the run fail, even where tcpdump reports success.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "sniff: writing to standard output failed: %s\n", std::strerror(errno));
        return 1;
    }
    return status;
}
