// VRRP, IP protocol 112: version 2 (RFC 3768 section 5) and version 3 (RFC 5798 section 5).
// Header: version and type (4 bits each), virtual router id, priority, count of addresses, then
// v2: authentication type, advertisement interval (s), checksum; v3: 4 reserved bits and a
// 12-bit interval in centiseconds, checksum. Then the IPv4 addresses and, for v2 simple
// authentication, 8 bytes of password.
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

namespace decode::detail {

void dissect_vrrp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    std::uint64_t ttl = enclosing_ttl(c.out);
    Layer& l = c.add("vrrp", o);
    l.set("length", end > o ? end - o : 0).set("ip_ttl", ttl);
    if (!r.has(o, 1)) return c.truncated("vrrp");
    std::uint8_t version = r.u8(o) >> 4, type = r.u8(o) & 0x0f;
    l.set("version", version).set("type", type);
    if (version < 2 || version > 3 || type != 1) return;
    if (!r.has(o, 3)) return c.truncated("vrrp");
    l.set("vrid", r.u8(o + 1)).set("priority", r.u8(o + 2));
    if (version == 2) {
        if (!r.has(o + 4, 1)) return c.truncated("vrrp");
        l.set("auth_type", r.u8(o + 4));
        if (!r.has(o + 5, 1)) return c.truncated("vrrp");
        l.set("interval", r.u8(o + 5));
    } else {
        if (!r.has(o + 4, 2)) return c.truncated("vrrp");
        l.set("interval", r.u16(o + 4) & 0x0fff);
    }
    // What -v adds: the checksum verdict, the addresses and the password.
    if (!r.has(o + 3, 1)) return;
    std::size_t count = r.u8(o + 3), len = end > o ? end - o : 0;
    l.set("address_count", count);
    if (r.has(o, len)) {
        std::uint32_t sum = ones_sum(r, o, len);
        if (version == 3) {  // RFC 5798 section 5.2.8: the IP pseudo-header counts too
            for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it) {
                if (it->protocol != "ipv4" && it->protocol != "ipv6") continue;
                std::size_t ip = it->offset;
                sum = it->protocol == "ipv4" ? ones_sum(r, ip + 12, 8, sum) : ones_sum(r, ip + 8, 32, sum);
                sum += 112 + static_cast<std::uint32_t>(len);
                break;
            }
        }
        if (fold_checksum(sum) != 0) {
            if (!r.has(o + 6, 2)) return;
            l.set("bad_checksum", r.u16(o + 6));
        }
        l.set_flag("checksum_checked", true);
    } else {
        l.set_flag("checksum_checked", true);
    }
    // VRRPv3 over IPv6 carries IPv6 addresses (RFC 5798 section 5.2.9).
    bool ipv6 = false;
    for (auto it = c.out.layers.rbegin(); it != c.out.layers.rend(); ++it)
        if (it->protocol == "ipv4" || it->protocol == "ipv6") {
            ipv6 = version == 3 && it->protocol == "ipv6";
            break;
        }
    const std::size_t size = ipv6 ? 16 : 4;
    std::string addrs;
    std::size_t at = o + 8;
    for (std::size_t i = 0; i < count; ++i, at += size) {
        if (!r.has(at, size)) {
            l.set("addresses", std::move(addrs));
            return;
        }
        if (i) addrs += ',';
        addrs += ipv6 ? ipv6_text(r, at) : ipv4_text(r, at);
    }
    l.set("addresses", std::move(addrs)).set_flag("addresses_complete", true);
    if (version == 2 && r.u8(o + 4) == 1) {
        bool complete = false;
        std::string password = printable_text(r, at, 8, complete);
        l.set("password", std::move(password));
        if (complete) l.set_flag("password_complete", true);
    }
}

void print_vrrp(PrintContext& p, const Layer& l) {
    if (!l.has("version")) return p.put("VRRP");  // not one byte of it: tcpdump names it before the marker
    std::uint64_t version = p.num(l, "version"), type = p.num(l, "type");
    p.put("VRRPv{}, ", version);
    if (type == 1) p.put("Advertisement");
    else p.put("unknown type ({})", type);
    if (l.num("ip_ttl") != 255) p.put(", (ttl {})", l.num("ip_ttl"));
    if (version < 2 || version > 3 || type != 1) return;
    p.put(", vrid {}, prio {}", p.num(l, "vrid"), p.num(l, "priority"));
    if (version == 2) {
        std::uint64_t auth = p.num(l, "auth_type");
        p.put(", authtype {}", auth == 0 ? "none" : auth == 1 ? "simple" : auth == 2 ? "ah" : "");
        p.put(", intvl {}s, length {}", p.num(l, "interval"), p.num(l, "length"));
    } else {
        p.put(", intvl {}cs, length {}", p.num(l, "interval"), p.num(l, "length"));
    }
    if (!p.verbose()) return;
    std::uint64_t count = p.num(l, "address_count");
    p.flag(l, "checksum_checked");
    if (l.has("bad_checksum")) p.put(", (bad vrrp cksum {:x})", l.num("bad_checksum"));
    p.put(", addrs");
    if (count > 1) p.put("({})", count);
    p.put(":");
    std::string_view addrs = p.text(l, "addresses");
    if (!addrs.empty()) p.put(" {}", addrs);
    p.flag(l, "addresses_complete");
    if (version == 2 && l.num("auth_type") == 1) {
        p.put(" auth \"{}", p.text(l, "password"));
        p.flag(l, "password_complete");
        p.put("\"");
    }
}

}  // namespace decode::detail
