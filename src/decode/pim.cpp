// PIM version 2, IP protocol 103 (RFC 7761 section 4.9): version (4 bits), type (4 bits),
// reserved, checksum; the message types of RFC 7761, RFC 3973 (dense mode: graft, state
// refresh) and RFC 5015 (bidirectional: DF election).
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

#include <fmt/format.h>

namespace decode::detail {
namespace {

// Hello options (RFC 7761 section 4.9.2, RFC 3973 section 4.7.5, RFC 5015 section 3.7.4) as
// tcpdump -v lists them; empty when an option it prints in a way not written here (address
// lists) is present, or the capture ends inside one.
bool describe_hello(const ByteReader& r, std::size_t at, std::size_t end, std::string& out) {
    while (at < end) {
        if (!r.has(at, 4)) return false;
        std::uint16_t type = r.u16(at), len = r.u16(at + 2);
        std::size_t v = at + 4;
        std::string_view name;
        switch (type) {
            case 1: name = "Hold Time"; break;
            case 2: name = "LAN Prune Delay"; break;
            case 18: name = "DR Priority (Old)"; break;
            case 19: name = "DR Priority"; break;
            case 20: name = "Generation ID"; break;
            case 21: name = "State Refresh Capability"; break;
            case 22: name = "Bi-Directional Capability"; break;
            default: return false;
        }
        if (!r.has(v, len)) return false;
        out += fmt::format("\n\t  {} Option ({}), length {}, Value: ", name, type, len);
        auto wrong_length = [&](unsigned want) { out += fmt::format("ERROR: Option Length != {} Bytes ({})", want, len); };
        switch (type) {
            case 1:
                if (len != 2) wrong_length(2);
                else out += relative_seconds(r.u16(v));
                break;
            case 2:
                if (len != 4) wrong_length(4);
                else
                    out += fmt::format("\n\t    T-bit={}, LAN delay {}ms, Override interval {}ms", r.u8(v) >> 7, r.u16(v) & 0x7fff,
                                       r.u16(v + 2));
                break;
            case 18: case 19:
                if (len == 0) out += "Illegal length";
                else if (len == 4) out += fmt::format("{}", r.u32(v));
                else wrong_length(4);
                break;
            case 20:
                if (len != 4) wrong_length(4);
                else out += fmt::format("0x{:08x}", r.u32(v));
                break;
            case 21:
                if (len != 4) {
                    wrong_length(4);
                    break;
                }
                out += fmt::format("v{}", r.u8(v));
                if (r.u8(v + 1) != 0) out += ", interval " + relative_seconds(r.u8(v + 1));
                if (r.u16(v + 2) != 0) out += fmt::format(" ?0x{:04x}?", r.u16(v + 2));
                break;
            default: break;
        }
        at = v + len;
    }
    return true;
}

}  // namespace

void dissect_pim(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("pim", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 1)) return c.truncated("pim");
    l.set("version", r.u8(o) >> 4).set("type", r.u8(o) & 0x0f);
    if (r.u8(o) != 0x20 || !r.has(o, 4) || end < o + 4) return;
    std::size_t len = end - o;
    l.set("checksum", r.u16(o + 2));
    if (!r.has(o, len)) return;
    // The checksum covers the message; over IPv6 an IPv6 pseudo-header too (RFC 7761 4.9).
    std::uint32_t sum = ones_sum(r, o, len);
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it) {
        if (it->protocol == "ipv4") break;
        if (it->protocol == "ipv6") {
            sum = ones_sum(r, it->offset + 8, 32, sum) + 103 + static_cast<std::uint32_t>(len);
            break;
        }
    }
    if (fold_checksum(sum) != 0) return;
    std::string hello;
    if (describe_hello(r, o + 4, end, hello)) l.set("hello_options", std::move(hello));
}

void print_pim(PrintContext& p, const Layer& l) {
    std::uint64_t version = p.num(l, "version");
    if (version != 2) return p.put("PIMv{}, length {}", version, p.num(l, "length"));
    static constexpr std::string_view kTypes[] = {"Hello", "Register", "Register Stop", "Join / Prune", "Bootstrap",
        "Assert", "Graft", "Graft Acknowledgement", "Candidate RP Advertisement", "Prune Refresh", "DF Election", "ECMP Redirect"};
    std::uint64_t type = p.num(l, "type");
    std::string_view name = type < std::size(kTypes) ? kTypes[type] : "Unknown Type";
    // -v: only Hello messages with a good checksum are written out in full here; the others keep
    // their one-line summary.
    if (!p.verbose() || !l.has("hello_options")) return p.put("PIMv2, {}, length {}", name, p.num(l, "length"));
    p.put("PIMv2, length {}\n\t{}, cksum 0x{:04x} (correct)", p.num(l, "length"), name, p.num(l, "checksum"));
    p.raw(l.text("hello_options"));
}

}  // namespace decode::detail
