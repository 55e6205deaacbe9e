// One-line packet summary (source > destination, protocol, length). The full tcpdump-style
// decoder grows from here.
#pragma once

#include <string>

#include "capture/packet.hpp"

namespace decode {

// `dlt` is the capture's link type; unknown link types print their bytes' length only.
std::string summarize(const capture::Packet& packet, int dlt);

// HH:MM:SS.uuuuuu in local time, as tcpdump prints by default.
std::string format_time(const capture::Packet& packet);

}  // namespace decode
