// Spanning tree BPDUs (LLC SAP 0x42; Cisco PVST+ in SNAP PID 0x010b): IEEE 802.1D-2004 clause 9
// (Configuration, TCN, RST BPDUs), IEEE 802.1Q-2018 clause 14 (MST BPDUs, version 3) and
// IEEE 802.1aq (SPT BPDUs, version 4).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// A bridge identifier (9.2.5): priority and system ID extension (16 bits), then a MAC address.
std::string bridge_id(const ByteReader& r, std::size_t at) { return fmt::format("{:04x}.{}", r.u16(at), mac_text(r, at + 2)); }

struct BpduReader {
    Context& c;
    Layer& l;
    bool ok = true;
    bool have(std::size_t at, std::size_t n) {
        if (ok && !c.r.has(at, n)) {
            c.truncated("stp");
            ok = false;
        }
        return ok;
    }
    void u8(std::string_view key, std::size_t at) { if (have(at, 1)) l.set(key, c.r.u8(at)); }
    void u16(std::string_view key, std::size_t at) { if (have(at, 2)) l.set(key, c.r.u16(at)); }
    void u32(std::string_view key, std::size_t at) { if (have(at, 4)) l.set(key, c.r.u32(at)); }
    void bridge(std::string_view key, std::size_t at) { if (have(at, 8)) l.set(key, bridge_id(c.r, at)); }
};

// MST configuration name (802.1Q 13.8): 32 bytes, NUL-padded.
std::string config_name(const ByteReader& r, std::size_t at) {
    std::string s;
    for (std::size_t i = 0; i < 32 && r.u8(at + i); ++i) s += static_cast<char>(r.u8(at + i));
    return s;
}

std::string hex_bytes(const ByteReader& r, std::size_t at, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", r.u8(at + i));
    return s;
}

// The shortest BPDU of each kind (9.3.1, 9.3.3, 802.1Q 14.6, 802.1aq 14.6): shorter is invalid.
std::size_t minimum_length(std::uint8_t version, std::uint8_t type) {
    if (type == 0x00) return 35;
    if (version < 3) return 36;
    return version == 3 ? 102 : 106;
}

}  // namespace

void dissect_stp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("stp", o);
    const std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (length < 4) return;  // shorter than any BPDU: invalid
    BpduReader b{c, l};
    b.u16("protocol_id", o);
    b.u8("protocol_version", o + 2);
    b.u8("bpdu_type", o + 3);
    if (!b.ok) return;
    const std::uint8_t version = c.r.u8(o + 2), type = c.r.u8(o + 3);
    if (type != 0x00 && type != 0x02) return;  // a TCN BPDU (0x80) has nothing more
    if (length < minimum_length(version, type)) return;  // invalid: the printer says so
    // Configuration and RST BPDUs (9.3.1, 9.3.3).
    b.u8("flags", o + 4);
    b.bridge("root_id", o + 5);
    b.u32("root_path_cost", o + 13);
    b.bridge("bridge_id", o + 17);
    b.u16("port_id", o + 25);
    b.u16("message_age", o + 27);
    b.u16("max_age", o + 29);
    b.u16("hello_time", o + 31);
    b.u16("forward_delay", o + 33);
    if (type != 0x02 || version < 3 || !b.ok) return;
    // MST BPDU (802.1Q 14.6): version 3 length, MST configuration identifier, CIST fields.
    b.u16("v3_length", o + 36);
    if (!b.ok) return;
    const std::size_t v3_end = o + 38 + c.r.u16(o + 36);
    // The version 3 (and for SPT BPDUs version 4) parts must fit in the BPDU.
    bool fits = v3_end <= o + length;
    if (fits && version >= 4) {
        if (!b.have(v3_end, 2)) return;
        fits = v3_end + 2 + c.r.u16(v3_end) <= o + length;
    }
    l.set_flag("invalid", !fits);
    if (!fits) return;
    if (b.have(o + 38, 51)) {
        l.set("mcid_format", c.r.u8(o + 38)).set("mcid_name", config_name(c.r, o + 39));
        l.set("mcid_revision", c.r.u16(o + 71)).set("mcid_digest", hex_bytes(c.r, o + 73, 16));
    }
    b.u32("cist_internal_root_path_cost", o + 89);
    b.bridge("cist_bridge_id", o + 93);
    b.u8("cist_remaining_hops", o + 101);
    if (!b.ok) return;
    // MSTI configuration messages (14.6.1), 16 bytes each, up to the version 3 length: one
    // layer each.
    std::size_t at = o + 102;
    for (; at + 16 <= v3_end; at += 16) {
        if (!c.can_nest()) return;
        Layer& m = c.add("stp_msti", at);
        if (!c.r.has(at, 16)) return c.truncated("stp");
        m.set("flags", c.r.u8(at)).set("regional_root_id", bridge_id(c.r, at + 1)).set("msti", c.r.u16(at + 1) & 0xfffu);
        m.set("internal_root_path_cost", c.r.u32(at + 9)).set("bridge_priority", c.r.u8(at + 13) >> 4);
        m.set("port_priority", c.r.u8(at + 14) >> 4).set("remaining_hops", c.r.u8(at + 15));
    }
    if (version < 4 || !c.can_nest()) return;
    // SPT BPDU (802.1aq 14.6): version 4 length and the auxiliary MCID.
    Layer& spt = c.add("stp_spt", v3_end);
    if (!c.r.has(v3_end, 2)) return c.truncated("stp");
    spt.set("v4_length", c.r.u16(v3_end));
    if (!c.r.has(v3_end + 2, 51)) return c.truncated("stp");
    spt.set("aux_mcid_name", config_name(c.r, v3_end + 3)).set("aux_mcid_revision", c.r.u16(v3_end + 35));
    spt.set("aux_mcid_digest", hex_bytes(c.r, v3_end + 37, 16));
}

namespace {
std::string stp_flags_text(std::uint64_t f);
}  // namespace

void print_stp(PrintContext& p, const Layer& l) {
    if (p.num(l, "length") < 4) return p.put(" (invalid)");
    if (!l.has("protocol_version")) return;
    p.num(l, "protocol_id");
    const std::uint64_t version = p.num(l, "protocol_version"), length = p.num(l, "length");
    switch (version) {
        case 0: p.put("STP 802.1d"); break;
        case 2: p.put("STP 802.1w"); break;
        case 3: p.put("STP 802.1s"); break;
        case 4: p.put("STP 802.1aq"); break;
        default: p.put("STP unknown version {}", version); break;
    }
    const std::uint64_t type = p.num(l, "bpdu_type");
    switch (type) {
        case 0x00: p.put(", Config"); break;
        case 0x80: p.put(", Topology Change"); break;
        case 0x02: p.put(", Rapid STP"); break;
        default: return p.put(", unknown type 0x{:02x}", type);
    }
    if (type == 0x80) return;
    // Minimum lengths of each BPDU (9.3.1, 9.3.3, 802.1Q 14.6, 802.1aq): shorter is invalid.
    const bool mst = type == 0x02 && version >= 3;
    if (length < minimum_length(version, type)) return p.put(" (invalid)");

    // Flags (9.3.3, 17.21.x): the port role is a 2-bit field, the rest are single bits.
    auto role = [](std::uint64_t f) {
        static constexpr const char* kRoles[] = {"Unknown", "Alternate", "Root", "Designated"};
        return kRoles[(f >> 2) & 3];
    };
    // Timer values are in units of 1/256 second (9.2.8).
    auto seconds = [](std::uint64_t t) { return fmt::format("{}.{:02}s", t / 256, (t % 256) * 100 / 256); };
    auto timers = [&] {
        p.put("\n\tmessage-age {}, max-age {}, hello-time {}, forwarding-delay {}", seconds(p.num(l, "message_age")),
              seconds(p.num(l, "max_age")), seconds(p.num(l, "hello_time")), seconds(p.num(l, "forward_delay")));
    };

    if (mst) p.num(l, "v3_length");
    const std::uint64_t flags = p.num(l, "flags");
    if (!mst) {
        p.put(", Flags [{}]", stp_flags_text(flags));
        p.put(", bridge-id {}.{:04x}", p.text(l, "bridge_id"), p.num(l, "port_id"));
        p.put(", length {}", length);
        if (!p.verbose()) return;
        timers();
        p.put("\n\troot-id {}, root-pathcost {}", p.text(l, "root_id"), p.num(l, "root_path_cost"));
        if (type == 0x02) p.put(", port-role {}", role(flags));
        return;
    }
    if (p.flag(l, "invalid")) return p.put(" (invalid)");
    p.put(", CIST Flags [{}]", stp_flags_text(flags));
    p.put(", length {}", length);
    if (!p.verbose()) return;
    p.put("\n\tport-role {}, CIST root-id {}, CIST ext-pathcost {}", role(flags), p.text(l, "root_id"), p.num(l, "root_path_cost"));
    p.put("\n\tCIST regional-root-id {}, CIST port-id {:04x},", p.text(l, "bridge_id"), p.num(l, "port_id"));
    timers();
    p.put("\n\tv3len {}, MCID Name {}, rev {},", p.num(l, "v3_length"), p.text(l, "mcid_name"), p.num(l, "mcid_revision"));
    p.put("\n\t\tdigest {}, CIST int-root-pathcost {},", p.text(l, "mcid_digest"), p.num(l, "cist_internal_root_path_cost"));
    p.put("\n\tCIST bridge-id {}, CIST remaining-hops {}", p.text(l, "cist_bridge_id"), p.num(l, "cist_remaining_hops"));
}

}  // namespace decode::detail

namespace decode::detail {

namespace {
std::string stp_flags_text(std::uint64_t f) {
    static constexpr std::pair<unsigned, const char*> kFlags[] = {{0x01, "Topology change"}, {0x02, "Proposal"},
        {0x10, "Learn"}, {0x20, "Forward"}, {0x40, "Agreement"}, {0x80, "Topology change ACK"}};
    std::string s;
    for (auto [bit, name] : kFlags)
        if (f & bit) s += s.empty() ? name : std::string(", ") + name;
    return s.empty() ? std::string("none") : s;
}
}  // namespace

void print_stp_msti(PrintContext& p, const Layer& l) {
    if (!p.verbose()) return;
    static constexpr const char* kRoles[] = {"Unknown", "Alternate", "Root", "Designated"};
    const std::uint64_t flags = p.num(l, "flags");
    p.put("\n\tMSTI {}, Flags [{}], port-role {}", p.num(l, "msti"), stp_flags_text(flags), kRoles[(flags >> 2) & 3]);
    p.put("\n\t\tMSTI regional-root-id {}, pathcost {}", p.text(l, "regional_root_id"), p.num(l, "internal_root_path_cost"));
    p.put("\n\t\tMSTI bridge-prio {}, port-prio {}, hops {}", p.num(l, "bridge_priority"), p.num(l, "port_priority"),
          p.num(l, "remaining_hops"));
}

void print_stp_spt(PrintContext& p, const Layer& l) {
    if (!p.verbose()) return;
    p.put("\n\tv4len {}, AUXMCID Name {}, Rev {},", p.num(l, "v4_length"), p.text(l, "aux_mcid_name"), p.num(l, "aux_mcid_revision"));
    p.put("\n\t\tdigest {}", p.text(l, "aux_mcid_digest"));
}

}  // namespace decode::detail
