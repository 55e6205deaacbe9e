// One-line packet summary in tcpdump's default format, for callers that want a line without
// choosing options (the decoder proper is decode.hpp, text.hpp, json.hpp).
#pragma once

#include <string>

#include "capture/packet.hpp"

namespace decode {

// `dlt` is the capture's link type. TCP numbers are absolute: there is no connection state.
std::string summarize(const capture::Packet& packet, int dlt);

// HH:MM:SS.uuuuuu in local time, as tcpdump prints by default.
std::string format_time(const capture::Packet& packet);

}  // namespace decode
