// Multipath TCP's TCP option (kind 30): RFC 8684 section 3 (v1) and RFC 6824 (v0), in tcpdump's
// words: "mptcp <length> <subtype> <fields>". tcpdump 4.99 names the subtypes up to
// MP_FASTCLOSE (7) and calls every later one (MP_TCPRST, MP_FAIL's successors) "unknown".
#include <fmt/format.h>

#include "decode/dissect.hpp"
#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

constexpr std::string_view kSubtypes[] = {"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"};

std::uint64_t u64(const ByteReader& r, std::size_t at) { return (std::uint64_t{r.u32(at)} << 32) | r.u32(at + 4); }

// RFC 8684 3.1: MP_CAPABLE is 4 or 12 bytes on a SYN, 20 or 22 on the third handshake segment.
bool capable(const ByteReader& r, std::size_t at, std::size_t len, std::uint8_t tcp_flags, std::string& out) {
    bool syn = tcp_flags & 0x02, ack_only = (tcp_flags & 0x12) == 0x10;
    if (!((len == 12 || len == 4) && syn) && !((len == 20 || len == 22) && ack_only)) return false;
    unsigned version = r.u8(at + 2) & 0x0f;
    if (version > 1) {
        out += fmt::format(" Unknown Version ({})", version);
        return true;
    }
    out += fmt::format(" v{}", version);
    if (r.u8(at + 3) & 0x80) out += " csum";  // A: checksum required
    if (len == 12 || len >= 20) {
        out += fmt::format(" {{0x{:x}", u64(r, at + 4));
        if (len >= 20) out += fmt::format(",0x{:x}", u64(r, at + 12));
        out += '}';
    }
    return true;
}

// RFC 8684 3.2: MP_JOIN is 12 bytes on the SYN, 16 on the SYN/ACK, 24 (a 160-bit HMAC after
// four header bytes) on the third ACK.
bool join(const ByteReader& r, std::size_t at, std::size_t len, std::string& out) {
    if (len != 12 && len != 16 && len != 24) return false;
    if (len != 24) {
        if (r.u8(at + 2) & 0x01) out += " backup";
        out += fmt::format(" id {}", r.u8(at + 3));
    }
    if (len == 12) out += fmt::format(" token 0x{:x} nonce 0x{:x}", r.u32(at + 4), r.u32(at + 8));
    if (len == 16) out += fmt::format(" hmac 0x{:x} nonce 0x{:x}", u64(r, at + 4), r.u32(at + 12));
    if (len == 24) {
        out += " hmac 0x";
        for (std::size_t i = 0; i < 20; ++i) out += fmt::format("{:02x}", r.u8(at + 4 + i));
    }
    return true;
}

// RFC 8684 3.3: DSS flags F (DATA_FIN) 0x10, m 0x08, M 0x04, a 0x02, A 0x01; the data ACK and
// sequence number are 8 bytes when their lower-case flag is set, else 4.
bool dss(const ByteReader& r, std::size_t at, std::size_t len, std::string& out) {
    if (len < 4) return false;
    std::uint8_t flags = r.u8(at + 3);
    if (flags & 0x10) out += " fin";
    std::size_t p = at + 4, left = len - 4;
    auto number = [&](bool wide) {
        std::size_t n = wide ? 8 : 4;
        if (left < n) return false;
        out += wide ? std::to_string(u64(r, p)) : std::to_string(r.u32(p));
        p += n;
        left -= n;
        return true;
    };
    if (flags & 0x01) {
        out += " ack ";
        if (!number(flags & 0x02)) return false;
    }
    if (flags & 0x04) {
        out += " seq ";
        if (!number(flags & 0x08)) return false;
        if (left < 4) return false;
        out += fmt::format(" subseq {}", r.u32(p));
        p += 4, left -= 4;
        if (left < 2) return false;
        out += fmt::format(" len {}", r.u16(p));
        p += 2, left -= 2;
        if (left >= 2) {  // the checksum is there only when negotiated
            out += fmt::format(" csum 0x{:x}", r.u16(p));
            left -= 2;
        }
    }
    return left == 0;
}

// RFC 8684 3.4.1 (v1: low bits reserved and E, echo) and RFC 6824 3.4.1 (v0: IP version):
// address, then an optional port, then (v1, not echoed) an 8-byte truncated HMAC.
bool add_addr(const ByteReader& r, std::size_t at, std::size_t len, std::string& out) {
    switch (len) {
        case 8: case 10: case 16: case 18: case 20: case 22: case 28: case 30: break;
        default: return false;
    }
    switch (r.u8(at + 2) & 0x0f) {
        case 0x0: out += " v1"; break;
        case 0x1: out += " v1-echo"; break;
        case 0x4: out += " v0-ip4"; break;
        case 0x6: out += " v0-ip6"; break;
        default: out += " [bad version/echo]"; break;
    }
    out += fmt::format(" id {}", r.u8(at + 3));
    bool v4 = len <= 18;
    std::size_t after = at + (v4 ? 8 : 20);
    out += ' ';
    out += v4 ? ipv4_text(r, at + 4) : ipv6_text(r, at + 4);
    bool port = len == 10 || len == 18 || len == 22 || len == 30;
    if (port) out += fmt::format(":{}", r.u16(after));
    if (len == 16 || len == 18 || len == 28 || len == 30) out += fmt::format(" hmac 0x{:x}", u64(r, after + (port ? 2 : 0)));
    return true;
}

}  // namespace

bool mptcp_option_text(const ByteReader& r, std::size_t at, std::size_t len, std::uint8_t tcp_flags, std::string& out) {
    if (len < 3) return false;
    unsigned subtype = std::min(r.u8(at + 2) >> 4, 8);
    out += fmt::format(" {} {}", len, kSubtypes[subtype]);
    switch (subtype) {
        case 0: return capable(r, at, len, tcp_flags, out);
        case 1: return join(r, at, len, out);
        case 2: return dss(r, at, len, out);
        case 3: return add_addr(r, at, len, out);
        case 4:  // RFC 8684 3.4.2: REMOVE_ADDR lists address IDs
            if (len < 4) return false;
            out += " id";
            for (std::size_t i = 3; i < len; ++i) out += fmt::format(" {}", r.u8(at + i));
            return true;
        case 5:  // RFC 8684 3.3.8: MP_PRIO, B flag, optional address ID (v0)
            if (len != 3 && len != 4) return false;
            out += (r.u8(at + 2) & 0x01) ? " backup" : " non-backup";
            if (len == 4) out += fmt::format(" id {}", r.u8(at + 3));
            return true;
        case 6:  // RFC 8684 3.7: MP_FAIL carries a 64-bit data sequence number
            if (len != 12) return false;
            out += fmt::format(" seq {}", u64(r, at + 4));
            return true;
        case 7:  // RFC 8684 3.5: MP_FASTCLOSE carries the receiver's key
            if (len != 12) return false;
            out += fmt::format(" key 0x{:x}", u64(r, at + 4));
            return true;
        default: return true;
    }
}

}  // namespace decode::detail
