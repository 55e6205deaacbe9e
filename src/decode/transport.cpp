// TCP (RFC 9293) and UDP (RFC 768) headers, checksums over the IP pseudo
// header, relative TCP sequence numbers, and the port-based hand-off to applications.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "decode/dissect.hpp"
#include "decode/protocols.hpp"
#include "decode/registry.hpp"

namespace decode::detail {
namespace {

// The innermost IP header before the transport header (for the pseudo header and flow key).
const Layer* enclosing_ip(const Context& c) {
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it) {
        if (it->protocol == "ipv4" || it->protocol == "ipv6") return &*it;
    }
    return nullptr;
}

// Sets checksum_ok, and checksum_should_be when it is bad, for the message [o, o + len).
void set_checksum(const Context& c, Layer& l, std::size_t o, std::size_t len, std::uint8_t proto, std::size_t field) {
    if (auto v = upper_layer_checksum(c, o, len, proto, o + field)) {
        l.set_flag("checksum_ok", v->ok);
        if (!v->ok) l.set("checksum_should_be", v->should_be);
    }
}

std::string_view address_bytes(const Context& c, const Layer& ip, bool source) {
    std::size_t at = ip.protocol == "ipv4" ? ip.offset + (source ? 12 : 16) : ip.offset + (source ? 8 : 24);
    auto b = c.r.bytes(at, ip.protocol == "ipv4" ? 4 : 16);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool is_http_start(std::span<const std::uint8_t> b) {
    static constexpr std::string_view starts[] = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
                                                  "PATCH ", "CONNECT ", "TRACE ", "HTTP/1."};
    std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    for (auto p : starts)
        if (s.substr(0, p.size()) == p) return true;
    return false;
}

}  // namespace

void dissect_text_banner(Context& c, std::size_t o, std::size_t end, std::string_view protocol) {
    Layer& l = c.add(protocol, o);
    auto b = c.r.bytes(o, c.r.available(o, end));
    bool recognised = protocol == "http" ? is_http_start(b) : b.size() >= 4 && std::string_view(reinterpret_cast<const char*>(b.data()), 4) == "SSH-";
    if (!recognised) return;
    std::string line;
    bool complete = false;
    for (auto ch : b) {
        if (ch == '\r' || ch == '\n') {
            complete = true;
            break;
        }
        line += (ch >= 0x20 && ch < 0x7f) ? static_cast<char>(ch) : '.';
    }
    // A line the capture cut off is not shown in part; one ending at the segment's end is whole.
    if (!complete && o + b.size() < end) return c.truncated(protocol);
    l.set("first_line", std::move(line));
}

void dissect_tcp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("tcp", o);
    if (!r.has(o, 4)) return c.truncated("tcp");
    std::uint16_t sport = r.u16(o), dport = r.u16(o + 2);
    l.set("sport", sport).set("dport", dport);
    if (!r.has(o, 20)) return c.truncated("tcp");
    std::size_t hlen = (r.u8(o + 12) >> 4) * 4u;
    std::size_t seg = end > o ? end - o : 0;
    if (hlen < 20) {
        l.set("bad_header_length", hlen).set("segment_length", seg > hlen ? seg - hlen : 0);
        return;
    }
    std::uint32_t seq = r.u32(o + 4), ack = r.u32(o + 8);
    std::uint8_t flags = r.u8(o + 13);
    std::size_t payload = seg > hlen ? seg - hlen : 0;
    static constexpr char kFlagChars[] = "FSRP.UEW";  // bit 0 (FIN) … bit 7 (CWR), as tcpdump orders them
    std::string flag_text;
    for (int i = 0; i < 8; ++i)
        if (flags & (1 << i)) flag_text += kFlagChars[i];
    l.set("seq", seq).set("ack", ack).set("flags", flags).set("flags_text", flag_text.empty() ? "none" : flag_text)
        .set("window", r.u16(o + 14)).set("checksum", r.u16(o + 16)).set("urgent", r.u16(o + 18))
        .set("header_length", hlen).set("payload_length", payload);
    set_checksum(c, l, o, seg, 6, 16);
    // tcpdump makes numbers relative only on segments with ACK set (a bare SYN or RST stays absolute).
    const Layer* ip = enclosing_ip(c);
    // RFC 2018: SACK edges are printed relative to the base of the ACK number (tcpdump sets the
    // base, the acknowledgement minus one, already on the packet that starts tracking).
    std::uint32_t sack_base = 0;
    if (c.flows && ip && (flags & 0x10)) {
        auto rel = c.flows->track(address_bytes(c, *ip, true), sport, address_bytes(c, *ip, false), dport, seq, ack, flags & 0x02);
        if (rel.relative) l.set("relative_seq", rel.seq).set("relative_ack", rel.ack);
        sack_base = rel.relative ? ack - rel.ack : ack - 1;
    }
    if (hlen > 20) {
        TcpOptionsText options = tcp_options_text(r, o + 20, hlen - 20, flags, sack_base);
        l.set("options", std::move(options.text));
        if (options.end == TcpOptionsText::truncated || options.end == TcpOptionsText::truncated_closed) {
            l.set_flag("options_truncated", true).set_flag("options_closed", options.end == TcpOptionsText::truncated_closed);
            return c.truncated(options.mptcp ? "mptcp" : "tcp");
        }
        if (options.end != TcpOptionsText::complete) {
            l.set_flag("options_bad", true).set_flag("options_closed", options.end == TcpOptionsText::bad);
            return;
        }
        // The option list may stop (EOL) before padding the capture did not keep: tcpdump is content.
    }
    if (payload == 0 || !r.has(o + hlen, 1) || !c.can_nest()) return;
    if (PayloadDissector next = tcp_payload_dissector(sport, dport)) next(c, o + hlen, end);
}

void dissect_udp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("udp", o);
    if (!r.has(o, 4)) return c.truncated("udp");
    std::uint16_t sport = r.u16(o), dport = r.u16(o + 2);
    l.set("sport", sport).set("dport", dport);
    if (!r.has(o, 6)) return c.truncated("udp");
    std::size_t ulen = r.u16(o + 4);
    l.set("length", ulen);
    if (ulen < 8) { l.set_flag("bad_length", true); return; }
    if (!r.has(o, 8)) return c.truncated("udp");
    l.set("checksum", r.u16(o + 6)).set("payload_length", ulen - 8);
    // The UDP length bounds the payload; the IP length may include trailing bytes.
    std::size_t stop = std::min(end, o + ulen);
    // A zero checksum over IPv4 means none was sent (RFC 768); IPv6 requires one (RFC 8200 8.1).
    const Layer* ip = enclosing_ip(c);
    if (r.u16(o + 6) != 0 || (ip && ip->protocol == "ipv6")) set_checksum(c, l, o, stop > o ? stop - o : 0, 17, 6);
    // A UDP length past the IP payload of an unfragmented datagram: tcpdump reports it and reads
    // no further. (A first fragment's UDP length covers the later fragments too.)
    if (!first_fragment(c) && end > o && ulen > end - o) {
        l.set("ip_payload_length", end - o);
        return;
    }
    if (!c.can_nest()) return;
    if (PayloadDissector next = udp_payload_dissector(sport, dport)) next(c, o + 8, stop);
}

}  // namespace decode::detail
