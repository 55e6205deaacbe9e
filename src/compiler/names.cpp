// Resolution through the C library (getaddrinfo, getnetbyname, getservbyname), like libpcap.
#include "compiler/names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fmt/format.h>

namespace sniff::names {

HostAddresses resolve_host(const std::string& name) {
    HostAddresses out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
    addrinfo* res = nullptr;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            std::uint32_t a = ntohl(reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr);
            if (std::find(out.v4.begin(), out.v4.end(), a) == out.v4.end()) out.v4.push_back(a);
        } else if (ai->ai_family == AF_INET6) {
            std::array<std::uint8_t, 16> a{};
            std::memcpy(a.data(), &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
            if (std::find(out.v6.begin(), out.v6.end(), a) == out.v6.end()) out.v6.push_back(a);
        }
    }
    freeaddrinfo(res);
    return out;
}

std::optional<std::uint32_t> resolve_network(const std::string& name) {
    netent* n = getnetbyname(name.c_str());
    if (!n || n->n_addrtype != AF_INET) return std::nullopt;
    return static_cast<std::uint32_t>(n->n_net);
}

std::optional<std::uint16_t> resolve_service(const std::string& name, const char* transport) {
    servent* s = getservbyname(name.c_str(), transport);
    if (!s) return std::nullopt;
    return ntohs(static_cast<std::uint16_t>(s->s_port));
}

ParsedNumber parse_number(const std::string& t) {
    if (t.empty()) return {std::nullopt, "empty number"};
    unsigned base = 10;
    std::size_t i = 0;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) { base = 16; i = 2; }
    else if (t.size() > 1 && t[0] == '0') { base = 8; i = 1; }
    std::uint64_t v = 0;
    for (; i < t.size(); ++i) {
        char c = static_cast<char>(std::tolower(static_cast<unsigned char>(t[i])));
        unsigned d = std::isdigit(static_cast<unsigned char>(c)) ? unsigned(c - '0') : unsigned(c - 'a' + 10);
        if (d >= base) {
            if (base == 8) return {std::nullopt, fmt::format("number {} contains non-octal digit (a leading 0 means octal)", t)};
            return {std::nullopt, fmt::format("'{}' is not a number", t)};
        }
        v = v * base + d;
        if (v > 0xffffffffull) return {std::nullopt, fmt::format("number {} does not fit in 32 bits", t)};
    }
    return {static_cast<std::uint32_t>(v), {}};
}

PartialIpv4 parse_ipv4(const std::string& t) {
    PartialIpv4 out;
    std::size_t start = 0;
    while (start <= t.size()) {
        std::size_t dot = t.find('.', start);
        std::string part = t.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return {0, 0, fmt::format("'{}' is not an IPv4 address", t)};
        unsigned v = static_cast<unsigned>(std::stoul(part));
        if (v > 255) return {0, 0, fmt::format("'{}' in '{}' is not a byte (0..255)", part, t)};
        if (out.bits == 32) return {0, 0, fmt::format("'{}' has more than four parts", t)};
        out.value = (out.value << 8) | v;
        out.bits += 8;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(const std::string& text) {
    std::array<std::uint8_t, 16> a{};
    if (inet_pton(AF_INET6, text.c_str(), a.data()) != 1) return std::nullopt;
    return a;
}

}  // namespace sniff::names
