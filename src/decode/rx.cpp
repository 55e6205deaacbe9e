// The Rx remote procedure call protocol of AFS (UDP ports 7000-7009; "Rx Protocol
// Specification", OpenAFS rx/rx_packet.h): the 28-byte header (epoch, connection ID, call
// number, sequence and serial numbers, packet type, flags, user status, security index,
// service ID) and an ACK packet's body (buffer space, maximum skew, first packet, previous
// packet, serial, reason, then one byte per packet: acknowledged or not).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string_view packet_type_name(std::uint64_t type) {
    static constexpr std::string_view kNames[] = {"", "data", "ack", "busy", "abort", "ackall", "challenge", "response",
                                                  "debug", "params", "", "", "", "version"};
    return type < std::size(kNames) ? kNames[type] : std::string_view{};
}

std::string_view ack_reason(std::uint64_t reason) {
    static constexpr std::string_view kNames[] = {"", "ack requested", "duplicate packet", "out of sequence", "exceeds window",
                                                  "no buffer space", "ping", "ping response", "delay", "idle"};
    return reason < std::size(kNames) ? kNames[reason] : std::string_view{};
}

// The packets whose acknowledgement byte is `wanted`, as ranges: " acked 1-3,5".
std::string ranges(std::span<const std::uint8_t> acks, std::uint32_t first, std::uint8_t wanted, std::string_view word) {
    std::string out;
    long start = -2, last = -2;
    std::size_t i = 0;
    for (; i < acks.size(); ++i) {
        long n = static_cast<long>(i);
        if (acks[i] == wanted) {
            if (last == -2) {
                out += fmt::format(" {} {}", word, first + i);
                start = n;
            } else if (last != n - 1) {
                out += fmt::format(",{}", first + i);
                start = n;
            }
            last = n;
        } else if (last == n - 1 && start != last) {
            out += fmt::format("-{}", first + i - 1);
        }
    }
    if (last == static_cast<long>(i) - 1 && start != last) out += fmt::format("-{}", first + i - 1);
    return out;
}

}  // namespace

void dissect_rx(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("rx", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 28)) return;  // tcpdump names the cut header itself: " [|rx] (length)"
    std::uint8_t type = r.u8(o + 20);
    l.set("epoch", r.u32(o)).set("cid", r.u32(o + 4)).set("call_number", r.u32(o + 8)).set("seq", r.u32(o + 12))
        .set("serial", r.u32(o + 16)).set("type", type).set("flags", r.u8(o + 21)).set("user_status", r.u8(o + 22))
        .set("security_index", r.u8(o + 23)).set("service_id", r.u16(o + 26));
    if (type != 2) return;
    std::size_t a = o + 28;
    if (!r.has(a, 18)) return l.set_flag("ack_truncated", true), void();
    std::uint32_t first = r.u32(a + 4);
    std::size_t count = r.u8(a + 17);
    l.set("buffer_space", r.u16(a)).set("max_skew", r.u16(a + 2)).set("first_packet", first)
        .set("previous_packet", r.u32(a + 8)).set("ack_serial", r.u32(a + 12)).set("reason", r.u8(a + 16));
    if (count == 0) return l.set("acks", ""), void();
    auto acks = r.bytes(a + 18, count);
    if (acks.size() != count) return l.set_flag("ack_truncated", true), void();  // tcpdump checks them all first
    l.set("acks", ranges(acks, first, 1, "acked") + ranges(acks, first, 0, "nacked"));
}

void print_rx(PrintContext& p, const Layer& l) {
    std::uint64_t length = p.num(l, "length");
    if (!l.has("type")) {
        p.put(" [|rx] ({})", length);
        return p.stop();
    }
    std::uint64_t type = p.num(l, "type");
    std::string_view name = packet_type_name(type);
    if (name.empty()) p.put(" rx type {}", type);
    else p.put(" rx {}", name);
    if (p.verbose()) {
        if (p.verbose() > 1) p.put(" cid {:08x} call# {}", p.num(l, "cid"), p.num(l, "call_number"));
        p.put(" seq {} ser {}", p.num(l, "seq"), p.num(l, "serial"));
    }
    if (type == 2) {
        if (l.has("reason")) {
            std::uint64_t reason = p.num(l, "reason");
            std::string_view why = ack_reason(reason);
            p.put(" first {} serial {} reason {}", p.num(l, "first_packet"), p.num(l, "ack_serial"),
                  why.empty() ? fmt::format("#{}", reason) : std::string(why));
            if (l.has("acks")) p.raw(p.text(l, "acks"));
        }
        if (l.flag("ack_truncated")) p.raw(" [|ack]");
    }
    p.put(" ({})", length);
}

}  // namespace decode::detail
