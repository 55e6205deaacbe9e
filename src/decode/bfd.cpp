// BFD over UDP: control packets on ports 3784 (single hop, RFC 5881), 4784 (multihop, RFC
// 5883) and 6784 (LAG members, RFC 7130), echo packets on 3785. Control header (RFC 5880
// section 4.1): version (3 bits), diagnostic (5), state (2), flags P F C A D M, detection time
// multiplier, length, my and your discriminators, desired min TX, required min RX and required
// min echo RX intervals (microseconds); then, with the A flag, the authentication section
// (section 4.2): type, length, key id and the type's data.
#include "decode/protocols.hpp"
#include "decode/routing_text.hpp"

namespace decode::detail {
namespace {

std::string_view port_name(std::uint64_t port) {
    switch (port) {
        case 3784: return "Control";
        case 4784: return "Multihop";
        case 6784: return "Lag";
        case 3785: return "Echo";
        default: return {};
    }
}

std::string bfd_flags(std::uint64_t flags) {
    static constexpr std::pair<unsigned, std::string_view> kFlags[] = {
        {0x20, "Poll"}, {0x10, "Final"}, {0x08, "Control Plane Independent"}, {0x04, "Authentication Present"},
        {0x02, "Demand"}, {0x01, "Multipoint"}};
    std::string out;
    for (auto [bit, name] : kFlags) {
        if (!(flags & bit)) continue;
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out.empty() ? "none" : out;
}

void dissect_bfd_port(Context& c, std::size_t o, std::size_t end, std::uint16_t port) {
    const ByteReader& r = c.r;
    Layer& l = c.add("bfd", o);
    l.set("port", port).set("length", end > o ? end - o : 0);
    if (port == 3785) return;  // echo packets are opaque to all but their sender
    if (!r.has(o, 1)) return c.truncated("bfd");
    l.set("version", r.u8(o) >> 5).set("diagnostic", r.u8(o) & 0x1f);
    if (r.u8(o) >> 5 != 1) return;
    if (!r.has(o + 1, 1)) return c.truncated("bfd");
    l.set("state", r.u8(o + 1) >> 6).set("flags", r.u8(o + 1) & 0x3f);
    if (!r.has(o, 24)) return;
    l.set("detect_multiplier", r.u8(o + 2)).set("bfd_length", r.u8(o + 3)).set("my_discriminator", r.u32(o + 4))
        .set("your_discriminator", r.u32(o + 8)).set("desired_min_tx", r.u32(o + 12)).set("required_min_rx", r.u32(o + 16))
        .set("required_min_echo_rx", r.u32(o + 20));
    if (!(r.u8(o + 1) & 0x04)) return;
    std::size_t a = o + 24;
    if (!r.has(a, 2)) return;
    std::uint8_t type = r.u8(a), len = r.u8(a + 1);
    l.set("auth_type", type).set("auth_length", len);
    if (type == 1) {  // simple password: key id and 1 to 16 bytes of password
        if (!r.has(a + 2, 1)) return;
        l.set("auth_key_id", r.u8(a + 2));
        if (len < 4 || !r.has(a + 3, len - 3u)) return;
        std::string password;
        for (std::size_t i = 3; i < len; ++i) {
            std::uint8_t ch = r.u8(a + i);
            password += (ch >= 0x20 && ch < 0x7f) ? static_cast<char>(ch) : '.';
        }
        l.set("auth_password", std::move(password));
    } else if (type >= 2 && type <= 5) {  // MD5 (16-byte digest) or SHA1 (20-byte hash) after a sequence number
        std::size_t digest = type <= 3 ? 16 : 20;
        if (!r.has(a + 2, 6)) return;
        l.set("auth_key_id", r.u8(a + 2)).set("auth_sequence", r.u32(a + 4));
        if (!r.has(a + 8, digest)) return;
        l.set("auth_digest", hex_bytes(r, a + 8, digest));
    }
}

}  // namespace

void dissect_bfd(Context& c, std::size_t o, std::size_t end) {
    // The UDP layer names the port; tcpdump names the packet after its destination port.
    const Layer& udp = c.out.layers.back();
    dissect_bfd_port(c, o, end, static_cast<std::uint16_t>(udp.num("dport")));
}

void print_bfd(PrintContext& p, const Layer& l) {
    std::uint64_t port = p.num(l, "port");
    std::string_view name = port_name(port);
    std::string unknown = fmt::format("unknown ({})", port);
    std::string_view port_text = name.empty() ? std::string_view(unknown) : name;
    if (port == 3785) return p.put("BFD, {}, length: {}", port_text, p.num(l, "length"));
    if (name.empty()) return;
    std::uint64_t version = p.num(l, "version");
    if (version != 1) return p.put("BFDv{}, {}, length: {}", version, port_text, p.num(l, "length"));
    static constexpr std::string_view kStates[] = {"AdminDown", "Down", "Init", "Up"};
    std::uint64_t state = p.num(l, "state"), flags = p.num(l, "flags");
    if (!p.verbose()) {
        return p.put("BFDv1, {}, State {}, Flags: [{}], length: {}", port_text, kStates[state & 3], bfd_flags(flags),
                     p.num(l, "length"));
    }
    static constexpr std::string_view kDiagnostics[] = {"No Diagnostic", "Control Detection Time Expired",
        "Echo Function Failed", "Neighbor Signaled Session Down", "Forwarding Plane Reset", "Path Down",
        "Concatenated Path Down", "Administratively Down", "Reverse Concatenated Path Down"};
    std::uint64_t diag = p.num(l, "diagnostic");
    p.put("BFDv1, length: {}\n\t{}, State {}, Flags: [{}], Diagnostic: {} (0x{:02x})", p.num(l, "length"), port_text,
          kStates[state & 3], bfd_flags(flags), diag < std::size(kDiagnostics) ? kDiagnostics[diag] : "unknown", diag);
    std::uint64_t mult = p.num(l, "detect_multiplier"), tx = p.num(l, "desired_min_tx");
    p.put("\n\tDetection Timer Multiplier: {} ({} ms Detection time), BFD Length: {}", mult, mult * (tx / 1000),
          p.num(l, "bfd_length"));
    p.put("\n\tMy Discriminator: 0x{:08x}, Your Discriminator: 0x{:08x}", p.num(l, "my_discriminator"),
          p.num(l, "your_discriminator"));
    p.put("\n\t  Desired min Tx Interval:    {:4} ms", tx / 1000);
    p.put("\n\t  Required min Rx Interval:   {:4} ms", p.num(l, "required_min_rx") / 1000);
    p.put("\n\t  Required min Echo Interval: {:4} ms", p.num(l, "required_min_echo_rx") / 1000);
    if (!(flags & 0x04)) return;
    static constexpr std::string_view kAuth[] = {"Reserved", "Simple Password", "Keyed MD5", "Meticulous Keyed MD5",
                                                 "Keyed SHA1", "Meticulous Keyed SHA1"};
    std::uint64_t type = p.num(l, "auth_type");
    p.put("\n\tAuthentication: {} ({}), length: {}", type < std::size(kAuth) ? kAuth[type] : "unknown", type,
          p.num(l, "auth_length"));
    if (type == 1) {
        p.put("\n\t  Auth Key ID: {}, Password: {}", p.num(l, "auth_key_id"), p.text(l, "auth_password"));
    } else if (type >= 2 && type <= 5) {
        p.put("\n\t  Auth Key ID: {}, Sequence Number: 0x{:08x}", p.num(l, "auth_key_id"), p.num(l, "auth_sequence"));
        p.put("\n\t  {}: {}", type <= 3 ? "Digest" : "Hash", p.text(l, "auth_digest"));
    }
}

}  // namespace decode::detail
