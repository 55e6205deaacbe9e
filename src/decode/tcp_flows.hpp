// tcpdump prints TCP sequence and acknowledgement numbers relative to the first ones it saw on
// a connection. This table remembers, per connection, the initial number of each side.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace decode {

class TcpFlows {
public:
    struct Relative {
        std::uint32_t seq;
        std::uint32_t ack;
        bool relative;  // false on the packet that starts tracking, which tcpdump prints absolute
    };

    // `src`/`dst` are the raw address bytes (4 or 16); ports in host order. `syn` restarts the
    // connection (a new SYN reuses the 4-tuple with new initial numbers).
    Relative track(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                   std::uint32_t seq, std::uint32_t ack, bool syn);
    void clear() { flows_.clear(); }

private:
    struct Bases {
        std::uint32_t low_side = 0;   // initial number of the endpoint that sorts first
        std::uint32_t high_side = 0;  // and of the other one
    };
    std::unordered_map<std::string, Bases> flows_;
    std::string key_;  // reused to avoid an allocation per packet
};

}  // namespace decode
