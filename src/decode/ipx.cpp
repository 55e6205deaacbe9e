// Novell IPX (IPX Router Specification, Novell 1992): the 30-byte header (checksum, length,
// transport control, packet type, destination and source network, node and socket), and by
// destination socket the Service Advertising Protocol (0x0452) and RIP (0x0453) bodies. IPX
// arrives in EtherType 0x8137, 802.2 LLC SAP 0xe0, or "raw" 802.3 (a header starting ffff).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

std::string ipx_address(const ByteReader& r, std::size_t at) { return fmt::format("{:08x}.{}", r.u32(at), mac_text(r, at + 4)); }

// One body item per line of the "items" field: SAP entries "type 'name' addr", RIP "net/hops.ticks".
void dissect_ipx_body(Context& c, Layer& l, std::size_t at, std::size_t end, std::uint16_t socket) {
    std::string items;
    if (socket == 0x0452) {
        if (!c.r.has(at, 2)) return c.truncated("ipx");
        l.set("sap_operation", c.r.u16(at));
        const std::uint16_t op = c.r.u16(at);
        at += 2;
        if (op == 1 || op == 3) {  // general or nearest service query: one server type
            if (!c.r.has(at, 2)) return c.truncated("ipx");
            l.set("sap_server_type", c.r.u16(at));
            return;
        }
        for (; at + 64 <= end; at += 64) {
            if (!c.r.has(at, 64)) {
                l.set("items", items);
                return c.truncated("ipx");
            }
            std::string name;
            for (std::size_t i = 0; i < 48 && c.r.u8(at + 2 + i); ++i) name += static_cast<char>(c.r.u8(at + 2 + i));
            items += fmt::format(" {:04x} '{}' addr {}", c.r.u16(at), name, ipx_address(c.r, at + 50));
        }
    } else {
        if (!c.r.has(at, 2)) return c.truncated("ipx");
        l.set("rip_operation", c.r.u16(at));
        at += 2;
        for (; at + 8 <= end; at += 8) {
            if (!c.r.has(at, 8)) {
                l.set("items", items);
                return c.truncated("ipx");
            }
            items += fmt::format(" {:08x}/{}.{}", c.r.u32(at), c.r.u16(at + 4), c.r.u16(at + 6));
        }
    }
    l.set("items", std::move(items));
}

}  // namespace

void dissect_ipx(Context& c, std::size_t o, std::size_t /*end*/) {
    Layer& l = c.add("ipx", o);
    if (!c.r.has(o, 30)) return c.truncated("ipx");
    const std::size_t length = c.r.u16(o + 2);
    l.set("length", length).set("dst", ipx_address(c.r, o + 6)).set("dst_socket", c.r.u16(o + 16));
    l.set("src", ipx_address(c.r, o + 18)).set("src_socket", c.r.u16(o + 28));
    const std::uint16_t socket = c.r.u16(o + 16);
    if (length < 30) return;  // invalid: the printer says so
    if (socket == 0x0452 || socket == 0x0453) dissect_ipx_body(c, l, o + 30, o + length, socket);
}

void dissect_ipx_llc(Context& c, std::size_t o, std::size_t end) { dissect_ipx(c, o + 3, end); }

void dissect_ipx_ethertype(Context& c, std::size_t o, std::size_t end) {
    dissect_ipx(c, o, end);
    c.out.layers.back().set("encapsulation", "NOV-ETHII");
}

void print_ipx(PrintContext& p, const Layer& l) {
    // EtherType framing, named as Novell's drivers name it; LLC and raw 802.3 are not named.
    if (l.has("encapsulation")) p.put("({}) ", p.text(l, "encapsulation"));
    p.put("IPX {}.{:04x} > {}.{:04x}: ", p.text(l, "src"), p.num(l, "src_socket"), p.text(l, "dst"), p.num(l, "dst_socket"));
    const std::uint64_t length = p.num(l, "length");
    if (length < 30) return p.put("[length {} < 30] (invalid)", length);
    const std::uint64_t data = length - 30;
    switch (p.num(l, "dst_socket")) {
        case 0x0451: return p.put("ipx-ncp {}", data);
        case 0x0452: {
            const std::uint64_t op = p.num(l, "sap_operation");
            static constexpr const char* kOps[] = {"", "ipx-sap-req", "ipx-sap-resp", "ipx-sap-nearest-req", "ipx-sap-nearest-resp"};
            if (op == 1 || op == 3) return p.put("{} {:04x}", kOps[op], p.num(l, "sap_server_type"));
            if (op == 2 || op == 4) return p.put("{}{}", kOps[op], p.text(l, "items"));
            return p.put("ipx-sap-?{:x}", op);
        }
        case 0x0453: {
            const std::uint64_t op = p.num(l, "rip_operation");
            if (op == 1 || op == 2) return p.put("{}{}", op == 1 ? "ipx-rip-req" : "ipx-rip-resp", p.text(l, "items"));
            return p.put("ipx-rip-?{:x}", op);
        }
        case 0x0455: return p.put("ipx-netbios {}", data);
        case 0x0456: return p.put("ipx-diags {}", data);
        case 0x0553: return p.put("ipx-nwlink-dgm {}", data);
        default: return p.put("ipx-#{:x} {}", p.num(l, "dst_socket"), data);
    }
}

}  // namespace decode::detail
