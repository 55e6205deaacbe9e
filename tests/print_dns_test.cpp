// Printing parity for the DNS header (RFC 1035 4.1.1): every opcode, RCODE (with RFC 6891's
// extended RCODE from an OPT record), flag and RR type name, and messages shorter than the fixed
// header, against the installed tcpdump.
#include <gtest/gtest.h>

#include "tcpdump_oracle.hpp"

namespace {

using namespace testing_support;

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
    for (const char* flags : {"", "-v"}) report_mismatches(compare_with_tcpdump(1, frames, flags), flags);
}

TEST(PrintDns, TypeNamesMatchTcpdump) {
    std::vector<Bytes> frames;
    for (unsigned t = 0; t < 300; ++t) frames.push_back(dns(0x0100, static_cast<std::uint16_t>(t)));
    for (std::uint16_t t : {32768, 32769, 65535}) frames.push_back(dns(0x0100, t));
    report_mismatches(compare_with_tcpdump(1, frames), "");
}

TEST(PrintDns, MessagesShorterThanTheHeaderAreInvalid) {
    std::vector<Bytes> frames;
    for (std::size_t n = 0; n < 12; ++n) frames.push_back(ethernet(0x0800, udp4(1111, 53, Bytes(n, 0x41))));
    for (const char* flags : {"", "-v"}) report_mismatches(compare_with_tcpdump(1, frames, flags), flags);
}

}  // namespace

namespace {

using namespace testing_support;

// A response to "www.example." with the given answer records (owner "www.example." through a
// compression pointer to the question, RFC 1035 4.1.4).
Bytes response(const std::vector<std::pair<std::uint16_t, Bytes>>& answers) {
    Bytes m;
    put16(m, 0x1234), put16(m, 0x8180), put16(m, 1), put16(m, static_cast<unsigned>(answers.size())), put16(m, 0), put16(m, 0);
    m = cat({m, {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}});
    put16(m, 1), put16(m, 1);
    for (const auto& [type, rdata] : answers) {
        put16(m, 0xc00c), put16(m, type), put16(m, 1), put32(m, 300), put16(m, static_cast<unsigned>(rdata.size()));
        m = cat({m, rdata});
    }
    return ethernet(0x0800, udp4(53, 1111, m));
}

// (Messages cut inside the question or the first answer are not compared yet: tcpdump's marker
// placement there depends on which of its skip and print paths reads the bytes.)
TEST(PrintDns, AnswersWithOwnerNamesAtVerboseMatchTcpdump) {
    Bytes soa = {2, 'n', 's', 0xc0, 0x10, 5, 'a', 'd', 'm', 'i', 'n', 0xc0, 0x10};
    for (std::uint32_t v : {2024010101u, 7200u, 3600u, 1209600u, 300u}) put32(soa, v);
    Bytes uri = {0, 10, 0, 5};
    for (char ch : std::string("http://www.example:8000")) uri.push_back(static_cast<std::uint8_t>(ch));
    const std::vector<Bytes> frames = {
        response({{1, {192, 0, 2, 1}}, {1, {192, 0, 2, 2}}}),
        response({{5, {3, 'w', 'e', 'b', 0xc0, 0x10}}, {28, ip6("2001:db8::1")}}),
        response({{6, soa}}),
        response({{256, uri}}),
        response({{15, {0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 0x10}}, {16, {5, 'h', 'e', 'l', 'l', 'o'}}}),
        response({{44, {1, 1, 0xab, 0xcd}}, {46, Bytes(20, 0)}}),
    };
    expect_same_as_tcpdump(1, frames, {"", "-v"});
}

}  // namespace

namespace {

using namespace testing_support;

// -vv lists the question of a response and the authority and additional sections, with the OPT
// pseudo-record's payload size, DO bit and options (RFC 6891, 7871, 7873, 7830, 5001, 8145).
TEST(PrintDns, SectionsAndEdnsOptionsAtDoubleVerboseMatchTcpdump) {
    auto option = [](std::uint16_t code, const Bytes& data) {
        Bytes o;
        put16(o, code), put16(o, static_cast<unsigned>(data.size()));
        return cat({o, data});
    };
    const std::vector<Bytes> option_sets = {
        option(10, Bytes(8, 0xaa)),
        cat({option(10, Bytes(24, 0x5c)), option(8, {0, 1, 24, 0, 192, 0, 2})}),
        cat({option(3, {1, 2, 3}), option(12, Bytes(6, 0)), option(14, {0x9c, 0x40, 0x75, 0x30})}),
        cat({option(5, {6, 7}), option(6, {2}), option(9, {}), option(11, {0x04, 0xd2}), option(77, {0xde, 0xad})}),
    };
    std::vector<Bytes> frames;
    for (std::uint16_t flags : {0x0100, 0x8180})
        for (const Bytes& options : option_sets) {
            Bytes m;
            const bool response = flags & 0x8000;
            put16(m, 0x4242), put16(m, flags), put16(m, 1), put16(m, response ? 1 : 0), put16(m, response ? 1 : 0), put16(m, 1);
            m = cat({m, {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}});
            put16(m, 1), put16(m, 1);
            if (response) {
                m = cat({m, {0xc0, 0x0c}}), put16(m, 1), put16(m, 1), put32(m, 60), put16(m, 4), m = cat({m, {192, 0, 2, 7}});
                m = cat({m, {0xc0, 0x0c}}), put16(m, 2), put16(m, 1), put32(m, 60), put16(m, 5);
                m = cat({m, {2, 'n', 's', 0xc0, 0x0c}});
            }
            put8(m, 0), put16(m, 41), put16(m, 1232), put32(m, response ? 0 : 0x8000), put16(m, static_cast<unsigned>(options.size()));
            m = cat({m, options});
            frames.push_back(ethernet(0x0800, udp4(response ? 53 : 1111, response ? 1111 : 53, m)));
        }
    expect_same_as_tcpdump(1, frames, {"", "-v", "-vv"});
}

}  // namespace
