// Summary lines are appended to one buffer and written 64 KiB at a time: printing is often the
// bottleneck of a capture.
#include "cli/packet_output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "decode/summary.hpp"

namespace cli {

std::optional<PacketOutput> PacketOutput::open(const Options& o, int dlt, std::uint32_t snaplen) {
    PacketOutput out;
    out.dlt_ = dlt;
    if (o.write_file) {
        auto s = capture::PcapFileSink::open(*o.write_file, dlt, snaplen);
        if (!s) {
            fmt::print(stderr, "sniff: {}\n", s.error());
            return std::nullopt;
        }
        out.sink_ = std::move(*s);
    }
    return out;
}

void PacketOutput::handle(const capture::Packet& p) {
    if (sink_) {
        sink_->write(p);
        return;
    }
    text_ += decode::format_time(p);
    text_ += ' ';
    text_ += decode::summarize(p, dlt_);
    text_ += '\n';
    if (text_.size() >= (1u << 16)) flush();
}

bool PacketOutput::flush() {
    if (sink_) {
        if (auto r = sink_->flush(); !r) {
            fmt::print(stderr, "sniff: {}\n", r.error());
            return false;
        }
        return true;
    }
    bool ok = std::fwrite(text_.data(), 1, text_.size(), stdout) == text_.size() && std::fflush(stdout) == 0;
    text_.clear();
    if (!ok) fmt::print(stderr, "sniff: writing to standard output failed: {}\n", std::strerror(errno));
    return ok;
}

bool PacketOutput::finish() {
    if (!sink_) return flush();
    auto r = sink_->close();
    if (!r) fmt::print(stderr, "sniff: {}\n", r.error());
    return r.has_value();
}

}  // namespace cli
