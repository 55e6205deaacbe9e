// Lines are appended to one buffer and written 64 KiB at a time: printing is often the
// bottleneck of a capture. Each packet is decoded once and rendered as text or JSON.
#include "cli/packet_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstdio>
#include <cstring>

#include <stdio_ext.h>

#include "decode/decode.hpp"
#include "decode/hexdump.hpp"
#include "decode/json.hpp"

namespace cli {

std::optional<PacketOutput> PacketOutput::open(const Options& o, int dlt, std::uint32_t snaplen,
                                               const std::optional<capture::FileIdentity>& input) {
    PacketOutput out;
    out.dlt_ = dlt;
    out.text_options_ = decode::TextOptions{o.verbose, o.link_header, o.quiet, o.hex > 0 || o.hex_ascii > 0 || o.ascii};
    out.timestamps_ = decode::TimestampFormatter(decode::time_format_from_count(o.timestamp_level));
    out.hex_level_ = std::max(o.hex, o.hex_ascii);
    out.hex_ascii_ = o.hex_ascii > 0;
    out.ascii_ = o.ascii;
    out.numbers_ = o.packet_numbers;
    out.json_ = o.json;
    if (o.write_file) {
        std::optional<std::uint64_t> max_bytes;
        if (o.file_size_mb) max_bytes = *o.file_size_mb * 1000000ull;  // tcpdump's -C unit
        out.sink_.emplace(SavefilePolicy{*o.write_file, max_bytes, o.file_count, o.rotate_seconds}, dlt, snaplen, input);
        if (auto started = out.sink_->start(); !started) {
            fmt::print(stderr, "sniff: {}\n", started.error());
            return std::nullopt;
        }
    }
    return out;
}

bool PacketOutput::handle(const capture::Packet& p) {
    if (sink_) {
        auto more = sink_->write(p);
        if (!more) {
            fmt::print(stderr, "sniff: {}\n", more.error());
            failed_ = true;
            return false;
        }
        return *more;
    }
    ++count_;
    decode::decode_packet(p.data, p.wire_length, dlt_, &flows_, decoded_);
    if (json_) {
        decode::append_json(text_, decoded_, {count_, p.ts_sec, p.ts_usec});
    } else {
        if (numbers_) fmt::format_to(std::back_inserter(text_), "{:5}  ", count_);
        timestamps_.append(text_, p.ts_sec, p.ts_usec);
        decode::append_text(text_, decoded_, text_options_);
        // -x/-X leave out the link header, -xx/-XX keep it (tcpdump(1)); so does -A.
        auto body = p.data.subspan(hex_level_ >= 2 ? 0 : decoded_.link_length);
        if (hex_level_ > 0)
            decode::append_hex_dump(text_, body, hex_ascii_);
        else if (ascii_)
            decode::append_ascii_dump(text_, body);
    }
    text_ += '\n';
    if (text_.size() >= (1u << 16)) return flush();
    return true;
}

bool PacketOutput::flush() {
    if (sink_) {
        if (auto r = sink_->flush(); !r) {
            fmt::print(stderr, "sniff: {}\n", r.error());
            failed_ = true;
        }
        return !failed_;
    }
    if (failed_) return false;  // the error was reported once; nothing more goes out
    bool ok = std::fwrite(text_.data(), 1, text_.size(), stdout) == text_.size() && std::fflush(stdout) == 0;
    text_.clear();
    if (!ok) {
        fmt::print(stderr, "sniff: writing to standard output failed: {}\n", std::strerror(errno));
        failed_ = true;
        // Reported once: what stdio still holds is dropped, so the exit does not report it again.
        __fpurge(stdout);
        std::clearerr(stdout);
    }
    return ok;
}

bool PacketOutput::finish() {
    if (!sink_) return flush();  // false too when an earlier write failed
    auto r = sink_->close();
    if (!r) {
        fmt::print(stderr, "sniff: {}\n", r.error());
        failed_ = true;
    }
    return !failed_;
}

}  // namespace cli
