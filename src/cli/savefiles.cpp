// File naming follows tcpdump(1): with -C alone the first file is NAME and later ones NAME1,
// NAME2…; with -W the suffix starts at 0, is zero-padded to the digits of -W, and wraps around.
#include "cli/savefiles.hpp"

#include <fmt/format.h>

#include <ctime>

namespace cli {
namespace {

constexpr std::uint64_t kFileHeaderBytes = 24, kRecordHeaderBytes = 16;

unsigned digits(std::uint32_t n) {
    unsigned d = 1;
    while (n >= 10) { n /= 10; ++d; }
    return d;
}

}  // namespace

std::string Savefiles::file_name(std::int64_t t, std::uint32_t index) const {
    std::string base = policy_.name;
    if (policy_.rotate_seconds) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        localtime_r(&tt, &tm);
        char buf[4096];
        std::size_t n = std::strftime(buf, sizeof buf, policy_.name.c_str(), &tm);
        if (n > 0) base.assign(buf, n);
    }
    if (!policy_.max_bytes) return base;
    if (policy_.max_files) return fmt::format("{}{:0{}}", base, index % *policy_.max_files, digits(*policy_.max_files));
    return index == 0 ? base : fmt::format("{}{}", base, index);
}

std::expected<void, std::string> Savefiles::open_next(std::int64_t t) {
    if (sink_) {
        if (auto closed = sink_->close(); !closed) return std::unexpected(closed.error());
        sink_.reset();
    }
    // Each rotated name is checked as it is opened: -C/-W/-G may reach the input's name late.
    auto s = capture::PcapFileSink::open(file_name(t, size_index_), dlt_, snaplen_, input_);
    if (!s) return std::unexpected(s.error());
    sink_.emplace(std::move(*s));
    bytes_ = kFileHeaderBytes;
    return {};
}

std::expected<void, std::string> Savefiles::start() {
    if (policy_.rotate_seconds) return {};
    time_files_ = 1;
    return open_next(0);
}

std::expected<bool, std::string> Savefiles::write(const capture::Packet& p) {
    const std::int64_t now = p.ts_sec;
    bool new_interval = policy_.rotate_seconds && (!sink_ || now - interval_start_ >= *policy_.rotate_seconds);
    if (new_interval) {
        if (sink_ && policy_.rotate_seconds && policy_.max_files && time_files_ >= *policy_.max_files) return false;
        interval_start_ = now;
        size_index_ = 0;
        ++time_files_;
        if (auto r = open_next(now); !r) return std::unexpected(r.error());
    } else if (policy_.max_bytes && bytes_ > *policy_.max_bytes) {
        // tcpdump checks the size before each packet: a file may end a little past -C.
        ++size_index_;
        if (auto r = open_next(interval_start_); !r) return std::unexpected(r.error());
    }
    sink_->write(p);
    bytes_ += kRecordHeaderBytes + p.data.size();
    return true;
}

std::expected<void, std::string> Savefiles::flush() {
    if (!sink_) return {};
    return sink_->flush();
}

std::expected<void, std::string> Savefiles::close() {
    if (!sink_) return {};
    auto r = sink_->close();
    sink_.reset();
    return r;
}

}  // namespace cli
