// Precision Time Protocol (IEEE 1588-2008, clause 13): the 34-byte common header and the
// bodies of each message type, carried in EtherType 0x88f7 or UDP ports 319 (event) and
// 320 (general) (IEEE 1588 annexes D and F).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// Reads fields in wire order while they were captured; the first one cut short ends the layer.
struct FieldReader {
    Context& c;
    Layer& l;
    std::size_t at;
    bool ok = true;

    bool take(std::string_view key, std::size_t size) {
        if (!ok || !c.r.has(at, size)) {
            if (ok) c.truncated("ptp");
            ok = false;
            return false;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < size; ++i) v = (v << 8) | c.r.u8(at + i);
        l.set(key, v);
        at += size;
        return true;
    }
    // A timestamp (13.3.2.7 Timestamp): 48-bit seconds, 32-bit nanoseconds.
    void timestamp() { take("seconds", 6) && take("nanoseconds", 4); }
    // A PortIdentity (5.3.5): clock identity and port number.
    void port_identity() { take("requesting_clock_identity", 8) && take("requesting_port", 2); }
};

}  // namespace

void dissect_ptp(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("ptp", o);
    const std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (length < 34) return;  // shorter than the common header (13.3.1): invalid
    if (!c.r.has(o, 2)) return c.truncated("ptp");
    // versionPTP is the low nibble of the second byte; 1588-2019 puts minorVersionPTP above it.
    // Version 1 (IEEE 1588-2002) had a 16-bit version field at the same place.
    l.set("version", c.r.u8(o + 1));
    if (c.r.u8(o + 1) != 2) return;
    FieldReader f{c, l, o};
    if (!f.take("first_octet", 1)) return;  // transportSpecific (4 bits), messageType (4 bits)
    f.at += 1;
    f.take("message_length", 2) && f.take("domain", 1) && f.take("reserved1", 1) && f.take("flags", 2) &&
        f.take("correction_ns", 6) && f.take("correction_subns", 2) && f.take("reserved2", 4) &&
        f.take("clock_identity", 8) && f.take("source_port", 2) && f.take("sequence_id", 2) && f.take("control", 1) &&
        f.take("log_message_interval", 1);
    if (!f.ok) return;
    switch (c.r.u8(o) & 0x0f) {
        case 0x0:  // Sync
        case 0x1:  // Delay_Req
        case 0x8:  // Follow_Up
            return f.timestamp();
        case 0x2:  // Pdelay_Req
        case 0x3:  // Pdelay_Resp
        case 0x9:  // Delay_Resp
        case 0xa:  // Pdelay_Resp_Follow_Up
            f.timestamp();
            return f.port_identity();
        case 0xb:  // Announce (13.5)
            f.timestamp();
            f.take("current_utc_offset", 2) && f.take("reserved", 1) && f.take("gm_priority1", 1) &&
                f.take("gm_clock_class", 1) && f.take("gm_clock_accuracy", 1) && f.take("gm_clock_variance", 2) &&
                f.take("gm_priority2", 1) && f.take("gm_identity", 8) && f.take("steps_removed", 2) &&
                f.take("time_source", 1);
            return;
        case 0xc:  // Signaling (13.12): the target port
            return f.port_identity();
        case 0xd:  // Management (15.4): the target port; the printed hop counts are its first byte
            return f.port_identity();
        default: return;
    }
}

void print_ptp(PrintContext& p, const Layer& l) {
    if (p.num(l, "length") < 34) return p.put(" [length {} < 34] (invalid)", p.num(l, "length"));
    std::uint64_t version = p.num(l, "version");
    p.put("PTPv{}", version);
    // tcpdump 4.99 decodes only PTPv2; for version 1 it prints these words, which sniff matches.
    if (version == 1) p.put(" (not implemented)");
    if (version != 2) return;
    std::uint64_t first = p.num(l, "first_octet"), type = first & 0x0f;
    static constexpr const char* kTypes[16] = {"sync msg", "delay req msg", "peer delay req msg", "peer delay resp msg",
        "Reserved", "Reserved", "Reserved", "Reserved", "follow up msg", "delay resp msg", "pdelay resp fup msg",
        "announce msg", "signalling msg", "management msg", "Reserved", "Reserved"};
    p.put(", v1 compat : {}, msg type : {}", (first & 0x10) ? "yes" : "no", kTypes[type]);
    p.put(", length : {}", p.num(l, "message_length"));
    p.put(", domain : {}", p.num(l, "domain"));
    p.put(", reserved1 : {}", p.num(l, "reserved1"));
    // flagField (13.3.2.6), in the order of its bits.
    static constexpr std::pair<unsigned, const char*> kFlags[] = {{0x1, "l1 61"}, {0x2, "l1 59"}, {0x4, "utc reasonable"},
        {0x8, "timescale"}, {0x10, "time tracable"}, {0x20, "frequency tracable"}, {0x100, "alternate master"},
        {0x200, "two step"}, {0x400, "unicast"}, {0x1000, "profile specific 1"}, {0x2000, "profile specific 2"},
        {0x4000, "security mask"}, {0x18c0, "unknown"}};
    std::uint64_t flags = p.num(l, "flags");
    std::string names;
    for (auto [bit, name] : kFlags)
        if (flags & bit) names += names.empty() ? name : std::string(", ") + name;
    p.put(", Flags [{}]", names.empty() ? "none" : names);
    p.put(", NS correction : {}", p.num(l, "correction_ns"));
    p.put(", sub NS correction : {}", p.num(l, "correction_subns"));
    p.put(", reserved2 : {}", p.num(l, "reserved2"));
    p.put(", clock identity : 0x{:x}", p.num(l, "clock_identity"));
    p.put(", port id : {}", p.num(l, "source_port"));
    p.put(", seq id : {}", p.num(l, "sequence_id"));
    // controlField (13.3.2.10), kept for version 1 hardware.
    static constexpr const char* kControls[] = {"Sync", "Delay_Req", "Follow_Up", "Delay_Resp", "Management", "Other"};
    std::uint64_t control = p.num(l, "control");
    p.put(", control : {} ({})", control, control < std::size(kControls) ? kControls[control] : "Reserved");
    p.put(", log message interval : {}", p.num(l, "log_message_interval"));
    auto timestamp = [&](const char* name) {
        p.put(", {} :", name);
        p.put(" {} seconds,", p.num(l, "seconds"));
        p.put(" {} nanoseconds", p.num(l, "nanoseconds"));
    };
    auto port_identity = [&] {
        p.put(", port identity : 0x{:x}", p.num(l, "requesting_clock_identity"));
        p.put(", port id : {}", p.num(l, "requesting_port"));
    };
    switch (type) {
        case 0x0: case 0x1: return timestamp("originTimeStamp");
        case 0x8: return timestamp("preciseOriginTimeStamp");
        case 0x2: case 0xa: timestamp("preciseOriginTimeStamp"); return port_identity();
        case 0x3: case 0x9: timestamp("receiveTimeStamp"); return port_identity();
        case 0xb:
            p.put(", originTimeStamp :");
            p.put(" {} seconds", p.num(l, "seconds"));
            p.put(" {} nanoseconds", p.num(l, "nanoseconds"));
            p.put(", origin cur utc :{}", p.num(l, "current_utc_offset"));
            p.put(", rsvd : {}", p.num(l, "reserved"));
            p.put(", gm priority_1 : {}", p.num(l, "gm_priority1"));
            p.put(", gm clock class : {}", p.num(l, "gm_clock_class"));
            p.put(", gm clock accuracy : {}", p.num(l, "gm_clock_accuracy"));
            p.put(", gm clock variance : {}", p.num(l, "gm_clock_variance"));
            p.put(", gm priority_2 : {}", p.num(l, "gm_priority2"));
            p.put(", gm clock id : 0x{:x}", p.num(l, "gm_identity"));
            p.put(", steps removed : {}", p.num(l, "steps_removed"));
            p.put(", time source : 0x{:x}", p.num(l, "time_source"));
            return;
        case 0xc: return port_identity();
        case 0xd: {
            port_identity();
            // tcpdump 4.99 prints the four one-byte fields that follow (starting boundary hops,
            // boundary hops, action, reserved) all from the body's first byte, the target
            // clock identity's top byte; its lines are reproduced here.
            std::uint64_t first_byte = p.num(l, "requesting_clock_identity") >> 56;
            p.put(", , start boundary hops  {}, , boundary hops  {}, , flags  0x{:x}, , reserved  0x{:x}", first_byte,
                  first_byte, first_byte, first_byte);
            return;
        }
        default: return;
    }
}

}  // namespace decode::detail
