// ISAKMP's fixed header (RFC 2408 section 3.1; IKEv2, RFC 7296 section 3.1): initiator and
// responder SPIs, next payload, major and minor version, exchange type, flags, message ID and
// length. tcpdump words an IKEv2 message as "parent_sa" (message ID 0) or "child_sa", the
// exchange type and the Initiator, Version and Response flags. IKEv1 is named only: telling
// its initiator from its responder needs the cookies of earlier packets, which sniff does not keep.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string_view exchange_name(std::uint64_t type) {
    switch (type) {
        case 0: return "none"; case 1: return "base"; case 2: return "ident"; case 3: return "auth"; case 4: return "agg";
        case 5: return "inf"; case 32: return "oakley-quick"; case 33: return "oakley-newgroup";
        case 34: return "ikev2_init"; case 35: return "ikev2_auth"; case 36: return "child_sa"; case 37: return "inf2";
        default: return {};
    }
}

}  // namespace

void dissect_isakmp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("isakmp", o);
    l.set("length", end > o ? end - o : 0);
    if (!r.has(o, 28)) return c.truncated("isakmp");
    l.set("next_payload", r.u8(o + 16)).set("major_version", r.u8(o + 17) >> 4).set("minor_version", r.u8(o + 17) & 0x0f)
        .set("exchange_type", r.u8(o + 18)).set("flags", r.u8(o + 19)).set("message_id", r.u32(o + 20))
        .set("message_length", r.u32(o + 24));
}

void print_isakmp(PrintContext& p, const Layer& l) {
    if (!l.has("major_version")) return;
    std::uint64_t major = p.num(l, "major_version");
    p.raw("isakmp");
    if (p.verbose()) p.put(" {}.{} msgid {:08x}", major, p.num(l, "minor_version"), p.num(l, "message_id"));
    p.raw(":");
    if (major != 2) return p.stop();
    p.raw(p.num(l, "message_id") == 0 ? " parent_sa" : " child_sa ");
    std::uint64_t type = p.num(l, "exchange_type");
    std::string_view name = exchange_name(type);
    if (name.empty()) p.put(" #{}", type);
    else p.put(" {}", name);
    std::uint64_t flags = p.num(l, "flags");
    if (flags) p.put("[{}{}{}]", (flags & 0x08) ? "I" : "", (flags & 0x10) ? "V" : "", (flags & 0x20) ? "R" : "");
    p.stop();
}

}  // namespace decode::detail
