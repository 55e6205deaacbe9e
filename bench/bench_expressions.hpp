// The filters every benchmark measures, so compile, VM and printing reports line up.
#pragma once

namespace bench {

inline constexpr const char* kExpressions[] = {
    "tcp",
    "icmp or arp",
    "tcp port 443",
    "not port 53",
    "ip6 and udp",
    "host 10.0.0.1",
    "host 10.0.0.1 or net 192.168.0.0/16",
    "port 80 or 443 or 22",
    "(tcp or udp) and host 10.0.0.1",
    "udp and not port 53 and not port 123",
};

}  // namespace bench
