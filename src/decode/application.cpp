// Application summaries: DNS (RFC 1035, compression pointers checked), DHCP message type
// (RFC 2131, RFC 2132 option 53) and NTP mode and version (RFC 5905).
#include <fmt/format.h>

#include <optional>

#include "decode/dissect.hpp"

namespace decode::detail {
namespace {

// Reads a possibly compressed name starting at `at` inside the message [msg, end). Returns the
// offset just after the name in place, or nullopt when it runs past the captured bytes.
// RFC 1035 4.1.4 pointers are only followed backwards, so a pointer loop cannot spin.
struct Name {
    std::string text;
    std::size_t next = 0;
    bool bad_pointer = false;
};
std::optional<Name> dns_name(const ByteReader& r, std::size_t msg, std::size_t at, std::size_t end) {
    Name n;
    std::size_t limit = at;  // pointers must point before this
    bool jumped = false;
    for (int labels = 0; labels < 128; ++labels) {
        if (at >= end || !r.has(at, 1)) return std::nullopt;
        std::uint8_t len = r.u8(at);
        if ((len & 0xc0) == 0xc0) {
            if (!r.has(at, 2) || at + 2 > end) return std::nullopt;
            std::size_t target = msg + (r.u16(at) & 0x3fffu);
            if (!jumped) n.next = at + 2;
            if (target >= limit) {
                n.bad_pointer = true;
                return n;
            }
            jumped = true;
            limit = target;
            at = target;
            continue;
        }
        if (len & 0xc0) {  // 0x40/0x80: extended label types, obsolete (RFC 6891 5)
            n.bad_pointer = true;
            if (!jumped) n.next = at + 1;
            return n;
        }
        if (len == 0) {
            if (!jumped) n.next = at + 1;
            if (n.text.empty()) n.text = ".";
            return n;
        }
        if (!r.has(at + 1, len) || at + 1 + len > end) return std::nullopt;
        for (std::size_t i = 0; i < len; ++i) {
            std::uint8_t ch = r.u8(at + 1 + i);
            if (ch == '.' || ch == '\\') {
                n.text += '\\';
                n.text += static_cast<char>(ch);
            } else if (ch > 0x20 && ch < 0x7f) {
                n.text += static_cast<char>(ch);
            } else {
                n.text += fmt::format("\\{:03d}", ch);  // RFC 4343 2.1 escaping
            }
        }
        n.text += '.';
        at += 1 + len;
    }
    n.bad_pointer = true;
    return n;
}

// One answer's data as tcpdump prints it ("A 1.2.3.4", "CNAME x.example."); `verbose` adds
// what tcpdump shows only at -v (an SOA's names and timers, RFC 1035 3.3.13).
std::string dns_rdata(const ByteReader& r, std::size_t msg, std::uint16_t type, std::size_t at, std::size_t len, std::size_t end,
                      bool verbose) {
    std::string_view name = dns_type_name(type);
    std::string out = name.empty() ? fmt::format("Type{}", type) : std::string(name);
    switch (type) {
        case 1: if (len == 4) out += " " + ipv4_text(r, at); break;
        case 28: if (len == 16) out += " " + ipv6_text(r, at); break;
        case 2: case 5: case 12: case 39:
            if (auto n = dns_name(r, msg, at, end)) out += " " + (n->bad_pointer ? std::string("<BAD PTR>") : n->text);
            break;
        case 15:
            if (auto n = dns_name(r, msg, at + 2, end); n && len >= 3) out += fmt::format(" {} {}", n->text, r.u16(at));
            break;
        case 33:
            if (auto n = dns_name(r, msg, at + 6, end); n && len >= 7)
                out += fmt::format(" {}:{} {} {}", n->text, r.u16(at + 4), r.u16(at), r.u16(at + 2));
            break;
        case 6:
            if (!verbose) break;
            if (auto mname = dns_name(r, msg, at, end); mname && !mname->bad_pointer)
                if (auto rname = dns_name(r, msg, mname->next, end); rname && !rname->bad_pointer && r.has(rname->next, 20))
                    out += fmt::format(" {} {} {} {} {} {} {}", mname->text, rname->text, r.u32(rname->next), r.u32(rname->next + 4),
                                       r.u32(rname->next + 8), r.u32(rname->next + 12), r.u32(rname->next + 16));
            break;
        case 256:  // RFC 7553 URI: priority, weight, target
            if (len >= 4) {
                std::string target;
                for (std::size_t i = 4; i < len; ++i) target += static_cast<char>(r.u8(at + i));
                out += fmt::format(" {} {} {}", r.u16(at), r.u16(at + 2), target);
            }
            break;
        case 16: {
            std::size_t slen = r.u8(at);
            std::string s;
            for (std::size_t i = 0; i < slen && i + 1 < len; ++i) {
                std::uint8_t ch = r.u8(at + 1 + i);
                s += ch >= 0x20 && ch < 0x7f && ch != '"' ? static_cast<char>(ch) : '.';
            }
            out += " \"" + s + "\"";
            break;
        }
        default: break;
    }
    return out;
}

}  // namespace

namespace {

// EDNS options (RFC 6891 6.1.2) as tcpdump -vv lists them, in one bracket separated by commas:
// NSID (RFC 5001), DAU/DHU/N3U (RFC 6975), client subnet (RFC 7871), EXPIRE (RFC 7314), cookies
// (RFC 7873), keepalive (RFC 7828), padding (RFC 7830), CHAIN (RFC 7901), key tags (RFC 8145);
// others by code with their data in hex.
std::string edns_options(const ByteReader& r, std::size_t at, std::size_t end) {
    auto hex = [&r](std::size_t from, std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", r.u8(from + i));
        return out;
    };
    auto algorithm = [](unsigned code, std::uint8_t a) -> std::string {
        static constexpr std::pair<std::uint8_t, std::string_view> kSigning[] = {
            {1, "RSAMD5"}, {2, "DH"}, {3, "DSA"}, {5, "RSASHA1"}, {6, "DSA-NSEC3-SHA1"}, {7, "RSASHA1-NSEC3-SHA1"},
            {8, "RSASHA256"}, {10, "RSASHA512"}, {12, "ECC-GOST"}, {13, "ECDSAP256SHA256"}, {14, "ECDSAP384SHA384"},
            {15, "ED25519"}, {16, "ED448"}, {252, "INDIRECT"}, {253, "PRIVATEDNS"}, {254, "PRIVATEOID"}};
        static constexpr std::pair<std::uint8_t, std::string_view> kHash[] = {
            {1, "SHA-1"}, {2, "SHA-256"}, {3, "GOST_R_34.11-94"}, {4, "SHA-384"}};
        if (code == 5)
            for (auto [v, n] : kSigning)
                if (v == a) return std::string(n);
        if (code != 5)
            for (auto [v, n] : kHash)
                if (v == a && (code == 6 || v == 1)) return std::string(n);
        return fmt::format("Alg_{}", a);
    };
    std::string out;
    while (at + 4 <= end && r.has(at, 4)) {
        const std::uint16_t code = r.u16(at), len = r.u16(at + 2);
        const std::size_t data = at + 4;
        if (data + len > end || !r.has(data, len)) break;
        out += out.empty() ? " [" : ",";
        switch (code) {
            case 3: out += len ? "NSID " + hex(data, len) : "NSID"; break;
            case 5: case 6: case 7: {
                out += code == 5 ? "DAU" : code == 6 ? "DHU" : "N3U";
                for (std::size_t i = 0; i < len; ++i) out += " " + algorithm(code, r.u8(data + i));
                break;
            }
            case 8: {
                if (len < 4) break;
                const std::uint16_t family = r.u16(data);
                const std::uint8_t source = r.u8(data + 2), scope = r.u8(data + 3);
                std::uint8_t address[16] = {};
                for (std::size_t i = 0; i + 4 < len && i < 16; ++i) address[i] = r.u8(data + 4 + i);
                ByteReader a({address, 16});
                out += fmt::format("ECS {}/{}/{}", family == 1 ? ipv4_text(a, 0) : ipv6_text(a, 0), source, scope);
                break;
            }
            case 9: out += len == 4 ? fmt::format("EXPIRE {} sec", r.u32(data)) : "EXPIRE"; break;
            case 10: out += "COOKIE " + hex(data, std::min<std::size_t>(len, 8)) + (len > 8 ? " " + hex(data + 8, len - 8) : ""); break;
            case 11: out += len == 2 ? fmt::format("KEEPALIVE {}.{} sec", r.u16(data) / 10, r.u16(data) % 10) : "KEEPALIVE"; break;
            case 12: out += fmt::format("PADDING ({})", len); break;
            case 13: {
                auto name = dns_name(r, data, data, data + len);
                out += "CHAIN " + (name ? name->text : std::string());
                break;
            }
            case 14:
                out += "KEY-TAG";
                for (std::size_t i = 0; i + 1 < len; i += 2) out += fmt::format(" {}", r.u16(data + i));
                break;
            default: out += len ? fmt::format("Opt{} {}", code, hex(data, len)) : fmt::format("Opt{}", code); break;
        }
        at = data + len;
    }
    return out.empty() ? out : out + "]";
}

}  // namespace

// RR type mnemonics (RFC 1035 3.2.2 and later RFCs), the set tcpdump 4.99 names; others print
// as "Type<n>".
std::string_view dns_type_name(std::uint16_t t) {
    static constexpr std::string_view kLow[] = {
        "", "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO", "MINFO", "MX",
        "TXT", "RP", "AFSDB", "X25", "ISDN", "RT", "NSAP", "NSAP_PTR", "SIG", "KEY", "PX", "GPOS", "AAAA", "LOC",
        "NXT", "EID", "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT", "A6", "DNAME", "SINK", "OPT", "APL", "DS",
        "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY"};
    if (t < std::size(kLow)) return kLow[t];
    switch (t) {
        case 99: return "SPF"; case 100: return "UINFO"; case 101: return "UID"; case 102: return "GID";
        case 103: return "UNSPEC"; case 104: return "UNSPECA"; case 249: return "TKEY"; case 250: return "TSIG";
        case 251: return "IXFR"; case 252: return "AXFR"; case 253: return "MAILB"; case 254: return "MAILA";
        case 255: return "ANY"; case 256: return "URI";
        default: return {};
    }
}

void dissect_dns(Context& c, std::size_t o, std::size_t end, bool over_tcp) {
    const ByteReader& r = c.r;
    if (over_tcp) {  // RFC 1035 4.2.2: a 2-byte length prefix
        if (!r.has(o, 2)) return c.truncated("domain");
        o += 2;
    }
    Layer& l = c.add("dns", o);
    l.set("length", end > o ? end - o : 0);
    // Shorter than the fixed header (RFC 1035 4.1.1): tcpdump calls it invalid without reading it.
    if (end < o + 12) return l.set_flag("too_short", true), void();
    if (!r.has(o, 2)) return c.truncated("domain");
    l.set("id", r.u16(o));
    if (!r.has(o, 12)) return c.truncated("domain");
    std::uint16_t flags = r.u16(o + 2);
    std::uint16_t qd = r.u16(o + 4), an = r.u16(o + 6), ns = r.u16(o + 8), ar = r.u16(o + 10);
    l.set_flag("response", flags & 0x8000).set("opcode", (flags >> 11) & 0xfu).set("flags", flags).set("rcode", flags & 0xfu)
        .set("questions", qd).set("answers", an).set("authority", ns).set("additional", ar);
    std::size_t at = o + 12;
    std::string questions;  // " A? www.example.com.", which tcpdump lists at -vv
    for (std::size_t i = 0; i < qd; ++i) {
        auto n = dns_name(r, o, at, end);
        if (!n) return c.truncated("domain");
        // A bad pointer still leaves the type readable after it, as tcpdump shows ("A? <BAD PTR>").
        bool whole = r.has(n->next, 4) && n->next + 4 <= end;
        if (i == 0 && whole) l.set("question_type", r.u16(n->next)).set("question_class", r.u16(n->next + 2));
        if (i == 0) l.set("question_name", n->bad_pointer ? std::string("<BAD PTR>") : n->text);
        if (whole && !n->bad_pointer) {
            std::string_view name = dns_type_name(r.u16(n->next));
            if (i > 0) questions += ",";
            questions += " " + (name.empty() ? fmt::format("Type{}", r.u16(n->next)) : std::string(name)) + "? " + n->text;
        }
        if (n->bad_pointer || !whole) return c.truncated("domain");
        at = n->next + 4;
    }
    l.set_flag("questions_complete", true).set("questions_text", std::move(questions));
    // RFC 6891 6.1.3: an OPT record among the others extends the RCODE with its TTL's top byte.
    for (std::size_t i = 0, walk = at; i < std::size_t{an} + ns + ar; ++i) {
        auto n = dns_name(r, o, walk, end);
        if (!n || n->bad_pointer || !r.has(n->next, 10) || n->next + 10 > end) break;
        if (r.u16(n->next) == 41) {
            l.set("extended_rcode", (std::uint64_t{r.u8(n->next + 4)} << 4) | (flags & 0xfu));
            break;
        }
        walk = n->next + 10 + r.u16(n->next + 8);
    }
    // The answers as tcpdump lists them (" A 1.2.3.4, CNAME x."), and at -v with each record's
    // owner name; a record that prints nothing still leaves its comma. At -vv tcpdump lists the
    // authority and additional sections the same way (" ns: …", " ar: …").
    static constexpr std::string_view kSections[][2] = {{"answer_records", "answer_records_verbose"},
                                                        {"authority_records", "authority_records_verbose"},
                                                        {"additional_records", "additional_records_verbose"}};
    const std::uint16_t counts[] = {an, ns, ar};
    for (std::size_t s = 0; s < 3; ++s) {
        std::string records, verbose_records;
        auto done = [&] {
            l.set(kSections[s][0], std::move(records)).set(kSections[s][1], std::move(verbose_records));
        };
        for (std::size_t i = 0; i < counts[s]; ++i) {
            if (i > 0) records += ",", verbose_records += ",";
            auto n = dns_name(r, o, at, end);
            if (!n || n->bad_pointer) {
                done();
                return c.truncated("domain");
            }
            verbose_records += " " + n->text;
            // A record cut inside its fixed fields ends the list quietly, as tcpdump ends it; one
            // cut inside its data shows its type before the marker.
            if (!r.has(n->next, 10) || n->next + 10 > end) return done();
            std::uint16_t type = r.u16(n->next);
            std::size_t rdlen = r.u16(n->next + 8), rd = n->next + 10;
            if (!r.has(rd, rdlen) || rd + rdlen > end) {
                std::string_view name = dns_type_name(type);
                std::string shown = name.empty() ? fmt::format("Type{}", type) : std::string(name);
                records += " " + shown, verbose_records += " " + shown;
                done();
                return c.truncated("domain");
            }
            records += " " + dns_rdata(r, o, type, rd, rdlen, end, false);
            if (type == 41) {  // RFC 6891 6.1.2: the OPT pseudo-record's class is the UDP payload size
                verbose_records += fmt::format(" OPT UDPsize={}", r.u16(n->next + 2));
                if (r.u16(n->next + 6) & 0x8000) verbose_records += " DO";
                verbose_records += edns_options(r, rd, rd + rdlen);
            } else {
                verbose_records += " " + dns_rdata(r, o, type, rd, rdlen, end, true);
            }
            at = rd + rdlen;
        }
        done();
    }
}

void dissect_dhcp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("bootp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("bootp");
    l.set("op", r.u8(o));
    // The line needs the client's hardware address (offset 28); the rest is only for JSON and -v.
    if (!r.has(o, 34)) return c.truncated("bootp");
    if (r.u8(o + 1) == 1 && r.u8(o + 2) == 6) l.set("client_mac", mac_text(r, o + 28));
    if (!r.has(o, 240)) {
        l.set_flag("options_truncated", true);
        return;
    }
    l.set("xid", r.u32(o + 4)).set("client_ip", ipv4_text(r, o + 12)).set("your_ip", ipv4_text(r, o + 16))
        .set("server_ip", ipv4_text(r, o + 20)).set("relay_ip", ipv4_text(r, o + 24));
    // Options follow the magic cookie 99.130.83.99 at offset 236 (RFC 2132 2).
    if (r.u32(o + 236) != 0x63825363) return;
    // The line needs only the fixed header, so options cut short are noted, not flagged as a
    // truncated packet (tcpdump does not flag them either).
    for (std::size_t at = o + 240; at < end;) {
        if (!r.has(at, 1)) {
            l.set_flag("options_truncated", true);
            return;
        }
        std::uint8_t code = r.u8(at);
        if (code == 255) break;
        if (code == 0) { ++at; continue; }
        if (!r.has(at + 1, 1)) {
            l.set_flag("options_truncated", true);
            return;
        }
        std::size_t len = r.u8(at + 1);
        if (code == 53 && len == 1) {
            if (!r.has(at + 2, 1)) {
                l.set_flag("options_truncated", true);
                return;
            }
            l.set("message_type", r.u8(at + 2));
        }
        at += 2 + len;
    }
}

void dissect_ntp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("ntp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("ntp");
    std::uint8_t first = r.u8(o);
    l.set("leap", first >> 6).set("version", (first >> 3) & 7u).set("mode", first & 7u);
    if (!r.has(o, 4)) return c.truncated("ntp");
    l.set("stratum", r.u8(o + 1)).set("poll", r.u8(o + 2)).set_signed("precision", static_cast<std::int8_t>(r.u8(o + 3)));
}

}  // namespace decode::detail
