// Printing parity for the DNS header (RFC 1035 4.1.1): every opcode, RCODE (with RFC 6891's
// extended RCODE from an OPT record), flag and RR type name, and messages shorter than the fixed
// header, against the installed tcpdump.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

void report(const std::vector<LineMismatch>& mismatches, const char* flags) {
    for (const auto& m : mismatches)
        ADD_FAILURE() << "flags '" << flags << "' packet " << m.packet << "\n  sniff:\n" << m.sniff << "\n  tcpdump:\n" << m.tcpdump;
}

// A message with one question "a." of type `qtype`; with `extended`, an OPT record whose TTL's
// top byte extends the RCODE.
Bytes dns(std::uint16_t flags, std::uint16_t qtype = 1, int extended = -1) {
    Bytes m;
    put16(m, 7), put16(m, flags), put16(m, 1), put16(m, 0), put16(m, 0), put16(m, extended >= 0 ? 1 : 0);
    m = cat({m, {1, 'a', 0}});
    put16(m, qtype), put16(m, 1);
    if (extended >= 0) {
        put8(m, 0), put16(m, 41), put16(m, 4096), put32(m, static_cast<std::uint32_t>(extended) << 24), put16(m, 0);
    }
    const bool response = flags & 0x8000;
    return ethernet(0x0800, udp4(response ? 53 : 1111, response ? 1111 : 53, m));
}

TEST(PrintDns, HeaderFlagsOpcodesAndRcodesMatchTcpdump) {
    std::vector<Bytes> frames;
    for (unsigned rcode = 0; rcode < 16; ++rcode) frames.push_back(dns(0x8080 | rcode));
    for (int ext = 0; ext < 3; ++ext)
        for (unsigned rcode = 0; rcode < 16; ++rcode) frames.push_back(dns(0x8080 | rcode, 1, ext));
    for (unsigned f = 0; f < 0x800; f += 0x10) frames.push_back(dns(0x8400 | f)), frames.push_back(dns(f));
    for (unsigned op = 0; op < 16; ++op) frames.push_back(dns(op << 11)), frames.push_back(dns(0x8000 | (op << 11)));
    for (std::uint16_t f : {0x0403, 0x0003, 0x2100}) frames.push_back(dns(f));
    for (const char* flags : {"", "-v"}) report(compare_with_tcpdump(1, frames, flags), flags);
}

TEST(PrintDns, TypeNamesMatchTcpdump) {
    std::vector<Bytes> frames;
    for (unsigned t = 0; t < 300; ++t) frames.push_back(dns(0x0100, static_cast<std::uint16_t>(t)));
    for (std::uint16_t t : {32768, 32769, 65535}) frames.push_back(dns(0x0100, t));
    report(compare_with_tcpdump(1, frames), "");
}

TEST(PrintDns, MessagesShorterThanTheHeaderAreInvalid) {
    std::vector<Bytes> frames;
    for (std::size_t n = 0; n < 12; ++n) frames.push_back(ethernet(0x0800, udp4(1111, 53, Bytes(n, 0x41))));
    for (const char* flags : {"", "-v"}) report(compare_with_tcpdump(1, frames, flags), flags);
}

}  // namespace
