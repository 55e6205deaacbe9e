// Printing parity for ICMP (RFC 792) and ICMPv6 (RFC 4443): every message type and code, whole
// and cut at every length, printed by sniff and by the installed tcpdump, line for line. A
// printer may not print a field that was not in the packet: a message cut short ends with
// tcpdump's "[|icmp]" marker instead of zeros or empty addresses.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

Bytes icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Bytes& body) {
    Bytes m;
    put8(m, type), put8(m, code), put16(m, 0), put32(m, rest);
    m = cat({m, body});
    std::uint16_t c = internet_checksum(m);
    m[2] = c >> 8, m[3] = c & 0xff;
    return m;
}

TEST(PrintIcmp, EchoMatchesTcpdump) {
    std::vector<Bytes> frames;
    for (std::uint8_t type : {0, 8}) frames.push_back(ethernet(0x0800, ipv4(1, icmp(type, 0, 0x12340001, Bytes(8, 0x61)))));
    for (const char* flags : {"", "-v"})
        for (const auto& m : compare_with_tcpdump(1, frames, flags))
            ADD_FAILURE() << "flags '" << flags << "' packet " << m.packet << "\n  sniff:   " << m.sniff << "\n  tcpdump: " << m.tcpdump;
}

}  // namespace
