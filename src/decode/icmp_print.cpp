// ICMP's line as tcpdump 4.99 prints it (RFC 792 types and codes, RFC 1191's next-hop MTU,
// RFC 1256 router advertisements, RFC 950 address masks). Like tcpdump's printer, it builds the
// whole summary or nothing: a message cut before a field the summary names prints "[|icmp]".
// At -v the quoted datagram of an error follows on its own lines (the "quoted" layer).
#include <string>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// RFC 792 timestamps: milliseconds since midnight UT, as HH:MM:SS.mmm.
std::string ms_since_midnight(std::uint64_t ms) {
    return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

void unreachable(PrintContext& p, const Layer& l, std::uint64_t code) {
    std::string_view dst = p.text(l, "quoted_dst");
    switch (code) {
        case 0: return p.put("net {} unreachable", dst);
        case 1: return p.put("host {} unreachable", dst);
        case 2: return p.put("{} protocol {} unreachable", dst, p.num(l, "quoted_protocol"));
        case 3: {
            std::uint64_t port = p.num(l, "quoted_dport"), protocol = p.num(l, "quoted_protocol");
            if (protocol == 6) return p.put("{} tcp port {} unreachable", dst, port);
            if (protocol == 17) return p.put("{} udp port {} unreachable", dst, port);
            return p.put("{} protocol {} port {} unreachable", dst, protocol, port);
        }
        case 4: {
            std::uint64_t mtu = p.num(l, "mtu");
            if (mtu) return p.put("{} unreachable - need to frag (mtu {})", dst, mtu);
            return p.put("{} unreachable - need to frag", dst);
        }
        case 5: return p.put("{} unreachable - source route failed", dst);
        case 6: return p.put("net {} unreachable - unknown", dst);
        case 7: return p.put("host {} unreachable - unknown", dst);
        case 8: return p.put("{} unreachable - source host isolated", dst);
        case 9: return p.put("net {} unreachable - admin prohibited", dst);
        case 10: return p.put("host {} unreachable - admin prohibited", dst);
        case 11: return p.put("net {} unreachable - tos prohibited", dst);
        case 12: return p.put("host {} unreachable - tos prohibited", dst);
        case 13: return p.put("host {} unreachable - admin prohibited filter", dst);  // RFC 1812
        case 14: return p.put("host {} unreachable - host precedence violation", dst);
        case 15: return p.put("host {} unreachable - precedence cutoff", dst);
        default: return p.put("{} unreachable - #{}", dst, code);
    }
}

}  // namespace

void print_icmp(PrintContext& p, const Layer& l) {
    p.all_or_nothing();
    p.raw("ICMP ");
    std::uint64_t type = p.num(l, "type"), code = p.num(l, "code");
    bool error = false;
    switch (type) {
        case 0: case 8:
            p.put("echo {}, id {}, seq {}", type ? "request" : "reply", p.num(l, "id"), p.num(l, "seq"));
            break;
        case 3: unreachable(p, l, code), error = true; break;
        case 4: p.raw("source quench"), error = true; break;
        case 5: {
            std::string_view dst = p.text(l, "quoted_dst"), gateway = p.text(l, "gateway");
            switch (code) {
                case 0: p.put("redirect {} to net {}", dst, gateway); break;
                case 1: p.put("redirect {} to host {}", dst, gateway); break;
                case 2: p.put("redirect-tos {} to net {}", dst, gateway); break;
                case 3: p.put("redirect-tos {} to host {}", dst, gateway); break;
                default: p.put("redirect-#{} {} to {}", code, dst, gateway); break;
            }
            error = true;
            break;
        }
        case 9:
            p.put("router advertisement lifetime {} {}:", p.num(l, "lifetime"), p.num(l, "addresses"));
            if (p.num(l, "entry_size") != 2) p.put(" [size {}]", p.num(l, "entry_size"));
            break;
        case 10: p.raw("router solicitation"); break;
        case 11:
            p.text(l, "quoted_dst");  // not printed, but tcpdump requires it
            if (code == 0) p.raw("time exceeded in-transit");
            else if (code == 1) p.raw("ip reassembly time exceeded");
            else p.put("time exceeded-#{}", code);
            error = true;
            break;
        case 12:
            if (code == 0) p.put("parameter problem - octet {}", p.num(l, "pointer"));
            else p.put("parameter problem - code {}", code);
            error = true;
            break;
        case 13: p.put("time stamp query id {} seq {}", p.num(l, "id"), p.num(l, "seq")); break;
        case 14:
            p.put("time stamp reply id {} seq {}: org {}", p.num(l, "id"), p.num(l, "seq"), ms_since_midnight(p.num(l, "originate")));
            p.put(", recv {}, xmit {}", ms_since_midnight(p.num(l, "receive")), ms_since_midnight(p.num(l, "transmit")));
            break;
        case 15: p.raw("information request"); break;
        case 16: p.raw("information reply"); break;
        case 17: p.raw("address mask request"); break;
        case 18: p.put("address mask is 0x{:08x}", p.num(l, "mask")); break;
        default: p.put("type-#{}", type); break;
    }
    p.put(", length {}", p.num(l, "length"));
    if (p.verbose() > 0 && l.has("checksum_expected"))
        p.put(" (wrong icmp cksum {:x} (->{:x})!)", p.num(l, "checksum"), p.num(l, "checksum_expected"));
    // The quoted datagram follows at -v only.
    if (!error || p.verbose() == 0) p.stop();
}

// The quoted datagram starts on its own line; tcpdump needs its IP length before printing it.
void print_quoted(PrintContext& p, const Layer& l) {
    p.raw("\n\t");
    if (!l.has("ip_length")) {
        p.put(" [|{}]", p.text(l, "by"));
        p.stop();
    }
}

}  // namespace decode::detail

namespace decode::detail {
namespace {

}  // namespace

// ICMPv6's line as tcpdump 4.99 prints it (RFC 4443 errors and echo, RFC 4861 neighbour
// discovery, RFC 2710 and RFC 3810 MLD, RFC 6275 mobility). Unlike ICMP's, tcpdump's ICMPv6
// printer prints as it reads, so a cut message keeps what was printed before the marker; it
// never prints the quoted datagram. At -v the checksum verdict comes first, and the length moves
// from the end to just after the name of neighbour discovery messages.
void print_icmp6(PrintContext& p, const Layer& l) {
    p.stop();  // the quoted datagram's layers stay unprinted
    const bool v = p.verbose() > 0;
    if (v && l.has("checksum_ok")) {
        if (p.flag(l, "checksum_ok")) p.raw("[icmp6 sum ok] ");
        else p.put("[bad icmp6 cksum 0x{:04x} -> 0x{:04x}!] ", p.num(l, "checksum"), p.num(l, "checksum_should_be"));
    }
    const std::uint64_t length = p.num(l, "length");
    const std::uint64_t type = p.num(l, "type");
    std::string_view name;
    switch (type) {
        case 1: name = "destination unreachable"; break;
        case 2: name = "packet too big"; break;
        case 3: name = "time exceeded in-transit"; break;
        case 4: name = "parameter problem"; break;
        case 128: name = "echo request"; break;
        case 129: name = "echo reply"; break;
        case 130: name = "multicast listener query"; break;
        case 131: name = "multicast listener report"; break;
        case 132: name = "multicast listener done"; break;
        case 133: name = "router solicitation"; break;
        case 134: name = "router advertisement"; break;
        case 135: name = "neighbor solicitation"; break;
        case 136: name = "neighbor advertisement"; break;
        case 137: name = "redirect"; break;
        case 141: name = "inverse neighbor solicitation"; break;
        case 142: name = "inverse neighbor advertisement"; break;
        case 143: name = "multicast listener report v2"; break;
        case 144: name = "ha discovery request"; break;
        case 145: name = "ha discovery reply"; break;
        case 146: name = "mobile router solicitation"; break;
        case 147: name = "mobile router advertisement"; break;
        case 200: name = "mtrace response"; break;
        case 201: name = "mtrace message"; break;
        default: break;
    }
    p.raw("ICMP6, ");
    if (name.empty()) p.put("unknown icmp6 type ({})", type);
    else p.raw(name);
    const bool nd = type == 133 || type == 134 || type == 135 || type == 136 || type == 137 || type == 145 || type == 147;
    if (v && nd) p.put(", length {}", length);
    const std::uint64_t code = p.num(l, "code");
    switch (type) {
        case 1: {
            // (tcpdump's name for code 1 starts with a space.)
            static constexpr std::string_view kCodes[] = {"unreachable route", " unreachable prohibited", "beyond scope",
                                                          "unreachable address", "unreachable port"};
            if (code >= std::size(kCodes)) {
                // An unknown code: tcpdump dumps the message instead of its length.
                p.put(", unknown unreach code ({})", code);
                if (p.verbose() <= 1) p.hex_dump(l.offset, length);
                return;
            }
            p.put(", {}", kCodes[code]);
            if (code == 0 || code == 1 || code == 3) p.put(" {}", p.text(l, "quoted_dst"));
            else if (code == 2) p.put(" {}, source address {}", p.text(l, "quoted_dst"), p.text(l, "quoted_src"));
            else {
                const std::uint64_t protocol = p.num(l, "quoted_protocol");
                std::string_view dst = p.text(l, "quoted_dst");
                const std::uint64_t port = p.num(l, "quoted_dport");
                if (protocol == 6) p.put(", {} tcp port {}", dst, port);
                else if (protocol == 17) p.put(", {} udp port {}", dst, port);
                else p.put(", {} protocol {} port {} unreachable", dst, protocol, port);
            }
            break;
        }
        case 2: p.put(", mtu {}", p.num(l, "mtu")); break;
        case 3:
            if (code == 0) p.put(" for {}", p.text(l, "quoted_dst"));
            else if (code == 1) p.raw(" (reassembly)");
            else p.put(", unknown code ({})", code);
            break;
        case 4: {
            p.text(l, "quoted_dst");  // tcpdump requires the quoted destination first
            static constexpr std::string_view kCodes[] = {"erroneous", "next header", "option", "incomplete header chain"};
            if (code < std::size(kCodes)) p.put(", {} - octet {}", kCodes[code], p.num(l, "pointer"));
            else p.put(", code-#{}", code);
            break;
        }
        case 128: case 129: p.put(", id {}, seq {}", p.num(l, "id"), p.num(l, "seq")); break;
        case 130: case 131: case 132:
            // RFC 3810 5.1.3: a query of 28 bytes or more is an MLDv2 query.
            if (type == 130 && length != 24) {
                if (length < 28) p.put(" unknown-version (len {}) ", length);
                else p.raw(" v2");
                break;
            }
            // A cut MLD body is skipped without a marker, as tcpdump does.
            if (l.has("group")) p.put("max resp delay: {} addr: {}", p.num(l, "max_response_delay"), p.text(l, "group"));
            break;
        case 133: case 134: case 141: case 142: break;
        case 135: p.put(", who has {}", p.text(l, "target")); break;
        case 136: {
            p.put(", tgt is {}", p.text(l, "target"));
            if (!v) break;
            // RFC 4861 4.4: router, solicited and override flags.
            const std::uint64_t f = p.num(l, "na_flags");
            std::string flags;
            for (auto [bit, flag] : {std::pair{0x80000000u, "router"}, {0x40000000u, "solicited"}, {0x20000000u, "override"}})
                if (f & bit) flags += (flags.empty() ? "" : ", ") + std::string(flag);
            p.put(", Flags [{}]", flags.empty() ? "none" : flags);
            break;
        }
        case 137:
            p.put(", {}", p.text(l, "destination"));
            p.put(" to {}", p.text(l, "target"));
            break;
        case 143: p.put(", {} group record(s)", p.num(l, "records")); break;
        case 144: case 146: p.put(", id 0x{:04x}", p.num(l, "id")); break;
        default:
            // Types tcpdump does not decode: the length and the message in hex.
            if (!(v && nd)) p.put(", length {}", length);
            if (p.verbose() <= 1) p.hex_dump(l.offset, length);
            return;
    }
    if (!v) p.put(", length {}", length);
}

}  // namespace decode::detail
