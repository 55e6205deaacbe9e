// TCP options (RFC 9293 3.2 and the IANA "TCP Option Kind Numbers" registry) in tcpdump's
// words: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". Each option is read through its own
// length byte; an option whose length does not fit the header ends the list with "[bad opt]",
// and one the capture cut ends the line with the truncation marker.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string_view option_name(std::uint8_t kind) {
    switch (kind) {
        case 0: return "eol";
        case 1: return "nop";
        case 2: return "mss";
        case 3: return "wscale";
        case 4: return "sackOK";
        case 5: return "sack";
        case 6: return "echo";       // RFC 1072
        case 7: return "echoreply";  // RFC 1072
        case 8: return "TS";
        case 11: return "cc";        // RFC 1644
        case 12: return "ccnew";
        case 13: return "";          // CC.ECHO: tcpdump prints no name
        case 19: return "md5";       // RFC 2385
        case 20: return "scps";
        case 28: return "uto";       // RFC 5482
        case 29: return "tcp-ao";    // RFC 5925
        case 30: return "mptcp";     // RFC 8684
        case 34: return "tfo";       // RFC 7413
        case 254: return "exp";      // RFC 6994
        default: return {};
    }
}

// RFC 7413 4.1.1: an empty cookie asks for one; a cookie is 4 to 16 bytes, even.
void fast_open(const ByteReader& r, std::size_t at, std::size_t n, std::string& out) {
    if (n == 0) {
        out += " cookiereq";
        return;
    }
    if (n % 2 != 0 || n < 4 || n > 16) {
        out += " invalid";
        return;
    }
    out += " cookie ";
    for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", r.u8(at + i));
}

}  // namespace

TcpOptionsText tcp_options_text(const ByteReader& r, std::size_t at, std::size_t size, std::uint8_t tcp_flags,
                                std::uint32_t sack_base) {
    TcpOptionsText t;
    std::string& out = t.text;
    std::size_t left = size;  // header bytes not yet read
    bool first = true;
    // The marker a cut option ends with: tcpdump's MPTCP printer renames the protocol.
    auto cut = [&t]() {
        t.end = TcpOptionsText::truncated;
        return t;
    };
    auto bad = [&t, &first]() {
        t.text += "[bad opt]";
        t.end = first ? TcpOptionsText::bad_first : TcpOptionsText::bad;
        return t;
    };
    while (left > 0) {
        if (!first) out += ',';
        if (!r.has(at, 1)) return cut();
        std::uint8_t kind = r.u8(at++);
        std::size_t len = 1;
        if (kind > 1) {
            if (!r.has(at, 1)) return cut();
            len = r.u8(at++);
            if (len < 2 || len > left) return bad();
            --left;
        }
        --left;
        std::string_view name = option_name(kind);
        if (name.data()) out += name;
        else out += fmt::format("unknown-{}", kind);
        std::size_t data = 0;  // the bytes the option's printer reads, as tcpdump counts them
        // The option's next `n` bytes must be inside the header, then inside the capture.
        enum { ok, too_long, not_captured } check = ok;
        auto need = [&](std::size_t n) {
            if (n > left) check = too_long;
            else if (!r.has(at, n)) check = not_captured;
            return check == ok;
        };
        switch (kind) {
            case 0: case 1: case 4: break;
            case 2:
                data = 2;
                if (need(2)) out += fmt::format(" {}", r.u16(at));
                break;
            case 3:
                data = 1;
                if (need(1)) out += fmt::format(" {}", r.u8(at));
                break;
            case 5:  // RFC 2018: blocks of left and right edge, relative as the ACK number is
                data = len - 2;
                if (data % 8 != 0) {
                    out += " invalid sack";
                    break;
                }
                out += fmt::format(" {} ", data / 8);
                for (std::size_t i = 0; i < data && check == ok; i += 8) {
                    if (!need(i + 4)) break;
                    std::uint32_t left_edge = r.u32(at + i) - sack_base;
                    if (!need(i + 8)) break;
                    out += fmt::format("{{{}:{}}}", left_edge, r.u32(at + i + 4) - sack_base);
                }
                break;
            case 6: case 7: case 11: case 12: case 13:
                data = 4;
                if (need(4)) out += fmt::format(" {}", r.u32(at));
                break;
            case 8:
                data = 8;
                if (need(8)) out += fmt::format(" val {} ecr {}", r.u32(at), r.u32(at + 4));
                break;
            case 19:  // RFC 2385: sniff has no shared secret to check the digest with
                data = 16;
                if (!need(16)) break;
                out += " shared secret not supplied with -M, can't check - ";
                for (std::size_t i = 0; i < 16; ++i) out += fmt::format("{:02x}", r.u8(at + i));
                break;
            case 20:  // SCPS capabilities (CCSDS 714.0-B-2)
                data = 2;
                if (need(2)) out += fmt::format(" cap {:02x} id {}", r.u8(at), r.u8(at + 1));
                break;
            case 28: {  // RFC 5482 3: the G bit says minutes, else seconds
                data = 2;
                if (!need(2)) break;
                unsigned v = r.u16(at);
                out += fmt::format(" 0x{:x} {}", v, (v & 1) ? (v >> 1) * 60 : v >> 1);
                break;
            }
            case 29:  // RFC 5925 2.2: key IDs, then the MAC
                data = len - 2;
                if (data < 2) {
                    out += " invalid";
                    break;
                }
                if (!need(1)) break;
                out += fmt::format(" keyid {}", r.u8(at));
                if (!need(2)) break;
                out += fmt::format(" rnextkeyid {}", r.u8(at + 1));
                if (data > 2) {
                    out += " mac 0x";
                    for (std::size_t i = 2; i < data; ++i) {
                        if (!need(i + 1)) break;
                        out += fmt::format("{:02x}", r.u8(at + i));
                    }
                }
                break;
            case 30:
                data = len - 2;
                if (!need(data)) break;
                t.mptcp = true;
                if (!mptcp_option_text(r, at - 2, len, tcp_flags, out)) return bad();
                break;
            case 34:
                data = len - 2;
                if (!need(data)) break;
                out += ' ';
                fast_open(r, at, data, out);
                break;
            case 254:  // RFC 6994: a 16-bit experiment identifier comes first
                data = len - 2;
                if (!need(data)) break;
                if (data < 2) return bad();
                out += '-';
                if (r.u16(at) == 0xf989) {
                    out += "tfo";
                    fast_open(r, at + 2, data - 2, out);
                } else {
                    out += fmt::format("{:04x}", r.u16(at));
                }
                break;
            default:
                data = len - 2;
                if (data) out += " 0x";
                for (std::size_t i = 0; i < data; ++i) {
                    if (!need(i + 1)) break;
                    out += fmt::format("{:02x}", r.u8(at + i));
                }
                break;
        }
        if (check == too_long) return bad();
        if (check == not_captured) {
            t.end = first ? TcpOptionsText::truncated : TcpOptionsText::truncated_closed;
            return t;
        }
        at += data;
        left -= data;
        std::size_t consumed = data + (kind > 1 ? 2 : 1);
        if (consumed != len) out += fmt::format("[len {}]", len);
        first = false;
        if (kind == 0) break;
    }
    return t;
}

}  // namespace decode::detail
