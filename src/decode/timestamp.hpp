// Packet timestamps in tcpdump's -t… -ttttt forms.
#pragma once

#include <cstdint>
#include <string>

namespace decode {

enum class TimeFormat {
    clock,           // default: HH:MM:SS.uuuuuu, local time
    none,            // -t
    epoch,           // -tt: seconds.uuuuuu since 1970
    delta_previous,  // -ttt: since the previous packet
    date_clock,      // -tttt: YYYY-MM-DD HH:MM:SS.uuuuuu, local time
    delta_first,     // -ttttt: since the first packet
};

// -t given `count` times, as tcpdump counts them.
TimeFormat time_format_from_count(int count);

class TimestampFormatter {
public:
    explicit TimestampFormatter(TimeFormat f) : format_(f) {}
    // Appends the timestamp and the space after it (nothing at all for -t).
    void append(std::string& out, std::int64_t sec, std::uint32_t usec);

private:
    TimeFormat format_;
    bool have_first_ = false;
    std::int64_t first_us_ = 0, previous_us_ = 0;
    // localtime_r costs more than the rest of a line; packets share seconds, so cache one.
    std::int64_t cached_sec_ = INT64_MIN;
    std::string cached_text_;
};

}  // namespace decode
