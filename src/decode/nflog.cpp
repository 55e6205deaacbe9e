// Linux netfilter NFLOG (LINKTYPE_NFLOG, libpcap's pcap-linktype documentation): address family,
// version and resource ID (network order), then TLVs with a little-endian length and type, each
// padded to 4 bytes; the NFULA_PAYLOAD TLV (type 9) holds the logged packet.
#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

constexpr std::uint8_t kFamilyInet = 2, kFamilyInet6 = 10;
constexpr std::uint16_t kPayload = 9;

}  // namespace

void dissect_nflog(Context& c) {
    const ByteReader& r = c.r;
    Layer& l = c.add("nflog", 0);
    l.set("length", c.out.wire_length);
    if (!r.has(0, 4)) return c.truncated("nflog");
    const std::uint8_t family = r.u8(0);
    l.set("family", family).set("version", r.u8(1)).set("resource_id", r.u16(2));
    std::size_t at = 4;
    const std::size_t wire = c.out.wire_length;
    while (at < wire) {
        if (!r.has(at, 4)) return c.truncated("nflog");
        const std::size_t size = r.u16le(at);
        const std::uint16_t type = r.u16le(at + 2);
        if (size < 4 || !r.has(at, size)) return c.truncated("nflog");
        if (type == kPayload) {
            c.out.link_length = at + 4;
            if (family == kFamilyInet) return dissect_ipv4(c, at + 4);
            if (family == kFamilyInet6) return dissect_ipv6(c, at + 4);
            return;
        }
        at += (size + 3) / 4 * 4;
    }
}

void print_nflog(PrintContext& p, const Layer& l) {
    if (!l.has("family") || !p.options().link_header) return;
    const std::uint64_t family = p.num(l, "family");
    p.put("version {}, resource ID {}, family {} ({}), length {}: ", p.num(l, "version"), p.num(l, "resource_id"),
          family == kFamilyInet ? "IPv4" : family == kFamilyInet6 ? "IPv6" : "Unknown", family, p.num(l, "length"));
    p.payload_named();
}

}  // namespace decode::detail
