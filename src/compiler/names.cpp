// Resolution through the C library (getaddrinfo, getnetbyname, getservbyname), like libpcap.
#include "compiler/names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>
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

namespace sniff::names {

std::optional<std::array<std::uint8_t, 6>> parse_mac(const std::string& text) {
    // Hex digits in groups separated by one kind of separator: 6 groups of 1-2 digits
    // (':' '-' '.'), 3 groups of 4 digits ('.'), or 12 digits with no separator, as libpcap's
    // scanner accepts.
    std::vector<std::string> groups;
    char sep = 0;
    std::string cur;
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c))) { cur += c; continue; }
        if (c != ':' && c != '-' && c != '.') return std::nullopt;
        if (sep && c != sep) return std::nullopt;
        sep = c;
        groups.push_back(cur);
        cur.clear();
    }
    groups.push_back(cur);
    std::array<std::uint8_t, 6> mac{};
    if (groups.size() == 6) {
        for (std::size_t i = 0; i < 6; ++i) {
            if (groups[i].empty() || groups[i].size() > 2) return std::nullopt;
            mac[i] = static_cast<std::uint8_t>(std::stoul(groups[i], nullptr, 16));
        }
        return mac;
    }
    if (groups.size() == 1 && groups[0].size() == 12) {
        for (std::size_t i = 0; i < 6; ++i)
            mac[i] = static_cast<std::uint8_t>(std::stoul(groups[0].substr(2 * i, 2), nullptr, 16));
        return mac;
    }
    if (groups.size() == 3 && sep == '.') {
        for (std::size_t i = 0; i < 3; ++i) {
            if (groups[i].size() != 4) return std::nullopt;
            unsigned v = static_cast<unsigned>(std::stoul(groups[i], nullptr, 16));
            mac[2 * i] = static_cast<std::uint8_t>(v >> 8);
            mac[2 * i + 1] = static_cast<std::uint8_t>(v);
        }
        return mac;
    }
    return std::nullopt;
}

std::optional<std::array<std::uint8_t, 6>> resolve_ether(const std::string& name) {
    ether_addr a{};
    if (ether_hostton(name.c_str(), &a) != 0) return std::nullopt;
    std::array<std::uint8_t, 6> mac{};
    std::memcpy(mac.data(), a.ether_addr_octet, 6);
    return mac;
}

std::optional<std::uint32_t> resolve_protocol(const std::string& name) {
    protoent* p = getprotobyname(name.c_str());
    if (!p) return std::nullopt;
    return static_cast<std::uint32_t>(p->p_proto);
}

}  // namespace sniff::names
