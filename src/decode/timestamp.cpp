// Timestamp text. Deltas print as tcpdump 4.99 does: " HH:MM:SS.uuuuuu" with a leading space.
#include "decode/timestamp.hpp"

#include <fmt/format.h>

#include <ctime>

namespace decode {

TimeFormat time_format_from_count(int count) {
    switch (count) {
        case 0: return TimeFormat::clock;
        case 1: return TimeFormat::none;
        case 2: return TimeFormat::epoch;
        case 3: return TimeFormat::delta_previous;
        case 4: return TimeFormat::date_clock;
        default: return TimeFormat::delta_first;
    }
}

namespace {

void append_delta(std::string& out, std::int64_t us) {
    bool negative = us < 0;  // captures are not always in order
    if (negative) us = -us;
    std::int64_t s = us / 1000000;
    fmt::format_to(std::back_inserter(out), " {}{:02d}:{:02d}:{:02d}.{:06d} ", negative ? "-" : "", s / 3600, (s / 60) % 60,
                   s % 60, us % 1000000);
}

}  // namespace

void TimestampFormatter::append(std::string& out, std::int64_t sec, std::uint32_t usec) {
    std::int64_t us = sec * 1000000 + usec;
    if (!have_first_) {
        have_first_ = true;
        first_us_ = previous_us_ = us;
    }
    switch (format_) {
        case TimeFormat::none: break;
        case TimeFormat::epoch: fmt::format_to(std::back_inserter(out), "{}.{:06d} ", sec, usec); break;
        case TimeFormat::delta_previous: append_delta(out, us - previous_us_); break;
        case TimeFormat::delta_first: append_delta(out, us - first_us_); break;
        case TimeFormat::clock:
        case TimeFormat::date_clock: {
            if (sec != cached_sec_) {
                std::time_t t = static_cast<std::time_t>(sec);
                std::tm tm{};
                localtime_r(&t, &tm);
                cached_text_ = format_ == TimeFormat::date_clock
                                   ? fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", tm.tm_year + 1900, tm.tm_mon + 1,
                                                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
                                   : fmt::format("{:02d}:{:02d}:{:02d}", tm.tm_hour, tm.tm_min, tm.tm_sec);
                cached_sec_ = sec;
            }
            out += cached_text_;
            char frac[8] = {'.', '0', '0', '0', '0', '0', '0', ' '};
            for (int i = 6; i >= 1 && usec; --i, usec /= 10) frac[i] = static_cast<char>('0' + usec % 10);
            out.append(frac, sizeof frac);
            break;
        }
    }
    previous_us_ = us;
}

}  // namespace decode
