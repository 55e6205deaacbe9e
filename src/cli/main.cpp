// sniff's entry point: compile a filter and dump it, or filter packets from a file.
#include <fmt/format.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "capture/pcap_file_sink.hpp"
#include "capture/pcap_file_source.hpp"
#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cli/options.hpp"
#include "compiler/compile.hpp"
#include "compiler/link_type.hpp"
#include "decode/summary.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int fail(const std::string& message) {
    fmt::print(stderr, "sniff: {}\n", message);
    return 1;
}

// The filter text: -F file, or the words after the options joined by spaces (as tcpdump does).
std::optional<std::string> filter_text(const cli::Options& o, std::string& error) {
    if (o.filter_file) {
        std::ifstream in(*o.filter_file);
        if (!in) { error = fmt::format("{}: cannot read the filter file", *o.filter_file); return std::nullopt; }
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        // tcpdump's -F files may contain '#' comments to the end of a line.
        std::string cleaned;
        bool comment = false;
        for (char c : text) {
            if (c == '#') comment = true;
            if (c == '\n') comment = false;
            cleaned += comment || c == '\n' || c == '\t' ? ' ' : c;
        }
        return cleaned;
    }
    std::string text;
    for (const auto& w : o.expression) text += (text.empty() ? "" : " ") + w;
    return text;
}

std::optional<cbpf::Program> compile_or_report(const std::string& text, int dlt, std::uint32_t snaplen) {
    auto prog = sniff::compile(text, {dlt, snaplen});
    if (!prog) {
        fmt::print(stderr, "sniff: {}", sniff::render(prog.error(), text));
        return std::nullopt;
    }
    return std::move(*prog);
}

int dump_program(const cli::Options& o, const std::string& text) {
    int dlt = sniff::kDefaultDlt;
    if (o.link_type) {
        const sniff::LinkType* lt = sniff::find_link_type(*o.link_type);
        if (!lt) {
            std::string known;
            for (const auto& l : sniff::link_types()) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", l.name, l.dlt);
            return fail(fmt::format("unknown or unsupported link type '{}'; supported: {}", *o.link_type, known));
        }
        dlt = lt->dlt;
    }
    auto prog = compile_or_report(text, dlt, o.snaplen);
    if (!prog) return 1;
    fmt::print("{}", cbpf::dump(*prog, o.dump_level));
    return 0;
}

int read_file(const cli::Options& o, const std::string& text) {
    auto source = capture::PcapFileSource::open(*o.read_file);
    if (!source) return fail(source.error());
    std::optional<cbpf::Program> prog;
    bool has_filter = text.find_first_not_of(" \t\r\n") != std::string::npos;
    if (has_filter) {
        if (!sniff::find_link_type(source->dlt()))
            return fail(fmt::format("{}: link type {} is not supported by the filter compiler yet", *o.read_file, source->dlt()));
        prog = compile_or_report(text, source->dlt(), o.snaplen);
        if (!prog) return 1;
    }
    if (o.dump_level > 0) {
        if (prog) fmt::print("{}", cbpf::dump(*prog, o.dump_level));
        return 0;
    }
    std::optional<capture::PcapFileSink> sink;
    if (o.write_file) {
        auto s = capture::PcapFileSink::open(*o.write_file, source->dlt(), source->snaplen());
        if (!s) return fail(s.error());
        sink = std::move(*s);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::string out;
    std::uint64_t matched = 0;
    int status = 0;
    capture::Packet pkt;
    while (!g_stop && (!o.count || matched < *o.count)) {
        auto st = source->next(pkt);
        if (st == capture::PcapFileSource::Status::End) break;
        if (st == capture::PcapFileSource::Status::Damaged) {
            fmt::print(stderr, "sniff: {}\n", source->damage());
            status = 1;
            break;
        }
        if (prog && cbpf::run(*prog, pkt.data, pkt.wire_length) == 0) continue;
        ++matched;
        if (sink) {
            sink->write(pkt);
        } else {
            out += decode::format_time(pkt);
            out += ' ';
            out += decode::summarize(pkt, source->dlt());
            out += '\n';
            if (out.size() > (1 << 16)) { std::fwrite(out.data(), 1, out.size(), stdout); out.clear(); }
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (sink) {
        if (auto r = sink->close(); !r) return fail(r.error());
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = cli::parse_options(argc, argv);
    if (!parsed.options) return parsed.exit_code;
    const cli::Options& o = *parsed.options;
    std::string error;
    auto text = filter_text(o, error);
    if (!text) return fail(error);
    if (o.interface)
        return fail(fmt::format("live capture on '{}' is not available in this build; use -r to read a file", *o.interface));
    if (o.read_file) return read_file(o, *text);
    if (o.dump_level > 0) return dump_program(o, *text);
    return fail("nothing to do: give -r FILE to read packets, or -d with a filter to see its program (see --help)");
}
