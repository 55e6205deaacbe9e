// IEEE 802.11 frames (IEEE 802.11-2020 clause 9): frame control, duration, addresses, sequence
// control; management bodies (9.3.3: fixed fields, then elements 9.4.2 such as SSID, Supported
// Rates and DSSS Parameter Set), control frames (9.3.1) and data frames (9.3.2), whose body is
// 802.2 LLC, or for a protected frame a WEP/TKIP/CCMP header (12.3.2.2: IV, pad, key ID).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

constexpr unsigned kManagement = 0, kControl = 1, kData = 2;

std::string_view management_name(std::uint64_t subtype) {
    static constexpr std::string_view kNames[] = {"Assoc Request", "Assoc Response", "ReAssoc Request", "ReAssoc Response",
        "Probe Request", "Probe Response", "", "", "Beacon", "ATIM", "Disassociation", "Authentication", "DeAuthentication",
        "Action", "", ""};
    return kNames[subtype & 0xf];
}

std::string_view control_name(std::uint64_t subtype) {
    static constexpr std::string_view kNames[] = {"", "", "", "", "", "", "", "Control Wrapper", "BAR", "BA",
        "Power Save-Poll", "Request-To-Send", "Clear-To-Send", "Acknowledgment", "CF-End", "CF-End+CF-Ack"};
    return kNames[subtype & 0xf];
}

// The whole header of a control frame of this subtype (9.3.1); 0 for subtypes tcpdump does not know.
std::size_t control_header_length(unsigned subtype) {
    switch (subtype) {
        case 7: return 10;   // Control Wrapper: frame control, duration, address 1
        case 8: return 20;   // BlockAckReq: RA, TA, BAR control, starting sequence
        case 9: return 16;   // BlockAck
        case 10: return 16;  // PS-Poll: AID, BSSID, TA
        case 11: return 16;  // RTS: RA, TA
        case 12: return 10;  // CTS: RA
        case 13: return 10;  // Ack: RA
        case 14: return 16;  // CF-End: RA, BSSID
        case 15: return 16;  // CF-End + CF-Ack
        default: return 0;
    }
}

// The SSID as tcpdump prints a string: up to a NUL; bytes past ASCII as "M-", controls as "^".
std::string ssid_text(const ByteReader& r, std::size_t at, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t ch = r.u8(at + i);
        if (ch == 0) break;
        if (ch & 0x80) {
            out += "M-";
            ch &= 0x7f;
        }
        if (ch < 0x20 || ch == 0x7f) {
            out += '^';
            out += static_cast<char>(ch ^ 0x40);
        } else {
            out += static_cast<char>(ch);
        }
    }
    return out;
}

// Elements (9.4.2) from `at` to `end`: the first SSID, Supported Rates and DSSS channel are kept.
// False when an element is cut short or breaks its own size rules, as tcpdump judges them.
bool parse_elements(Context& c, Layer& l, std::size_t at, std::size_t end) {
    const ByteReader& r = c.r;
    while (at < end) {
        if (!r.has(at, 2) || end - at < 2) return false;
        const std::uint8_t id = r.u8(at), len = r.u8(at + 1);
        if (!r.has(at + 2, len) || end - at - 2 < len) return false;
        const std::size_t v = at + 2;
        switch (id) {
            case 0:  // SSID: at most 32 bytes
                if (len > 32) return false;
                if (!l.has("ssid")) l.set("ssid", ssid_text(r, v, len));
                break;
            case 1:  // Supported Rates: in 500 kb/s units, the top bit marks a basic rate
                if (len > 16) return false;
                if (len != 0 && !l.has("rates")) {
                    std::string rates;
                    for (std::size_t i = 0; i < len; ++i)
                        rates += fmt::format("{:.1f}{} ", (r.u8(v + i) & 0x7f) / 2.0, (r.u8(v + i) & 0x80) ? "*" : "");
                    l.set("rates", rates);
                }
                break;
            case 3:  // DSSS Parameter Set: the current channel
                if (len == 1 && !l.has("ds_channel")) l.set("ds_channel", r.u8(v));
                break;
            case 5:  // TIM: count, period, bitmap control and up to 251 bitmap bytes
                if (len > 3 && len - 3 > 251) return false;
                break;
            case 16:  // Challenge text
                if (len > 253) return false;
                break;
            default: break;
        }
        at = v + len;
    }
    return true;
}

void dissect_management(Context& c, Layer& l, std::size_t o, std::size_t end, unsigned subtype) {
    const ByteReader& r = c.r;
    auto fixed = [&](std::size_t n) { return r.has(o, n) && end - o >= n; };
    bool ok = true;
    switch (subtype) {
        case 0:  // Association Request: capability, listen interval
            if (!(ok = fixed(4))) break;
            l.set("capability", r.u16le(o));
            ok = parse_elements(c, l, o + 4, end);
            break;
        case 1:
        case 3:  // (Re)Association Response: capability, status, AID
            if (!(ok = fixed(6))) break;
            l.set("capability", r.u16le(o)).set("status", r.u16le(o + 2)).set("aid", r.u16le(o + 4));
            ok = parse_elements(c, l, o + 6, end);
            break;
        case 2:  // Reassociation Request: capability, listen interval, current AP
            if (!(ok = fixed(10))) break;
            l.set("capability", r.u16le(o)).set("current_ap", mac_text(r, o + 4));
            ok = parse_elements(c, l, o + 10, end);
            break;
        case 4: ok = parse_elements(c, l, o, end); break;  // Probe Request: elements only
        case 5:
        case 8:  // Probe Response, Beacon: timestamp, interval, capability
            if (!(ok = fixed(12))) break;
            l.set("capability", r.u16le(o + 10));
            ok = parse_elements(c, l, o + 12, end);
            break;
        case 10:
        case 12:  // Disassociation, Deauthentication: reason
            if (!(ok = fixed(2))) break;
            l.set("reason", r.u16le(o));
            break;
        case 11:  // Authentication: algorithm, transaction sequence, status
            if (!(ok = fixed(6))) break;
            l.set("auth_algorithm", r.u16le(o)).set("auth_sequence", r.u16le(o + 2)).set("status", r.u16le(o + 4));
            break;
        case 13:  // Action: category, action
            if (!(ok = fixed(2))) break;
            l.set("category", r.u8(o)).set("action", r.u8(o + 1));
            break;
        default: break;
    }
    l.set_flag("body_ok", ok);
    if (!ok) c.truncated("802.11");
}

void print_management(PrintContext& p, const Layer& l, unsigned subtype) {
    std::string_view name = management_name(subtype);
    if (name.empty()) return p.put("Unhandled Management subtype({:x})", subtype);
    p.raw(name);
    auto ssid = [&] { if (l.has("ssid")) p.put(" ({})", p.text(l, "ssid")); };
    auto rates = [&] { if (l.has("rates")) p.put(" [{}Mbit]", p.text(l, "rates")); };
    auto channel = [&] {
        if (l.has("ds_channel")) p.put(" CH: {}", p.num(l, "ds_channel"));
        if (p.num(l, "capability") & 0x0010) p.put(", PRIVACY");
    };
    const bool e = p.options().link_header;
    switch (subtype) {
        case 0: if (!l.has("capability")) return; ssid(); rates(); break;
        case 1:
        case 3:
            if (!l.has("aid")) return;
            p.put(" AID({:x}) :{}: {}", p.num(l, "aid") & 0x3fff, (p.num(l, "capability") & 0x0010) ? " PRIVACY " : "",
                  ieee80211_status_text(p.num(l, "status")));
            break;
        case 2: if (!l.has("current_ap")) return; ssid(); p.put(" AP : {}", p.text(l, "current_ap")); break;
        case 4: ssid(); rates(); break;
        case 5: if (!l.has("capability")) return; ssid(); rates(); channel(); break;
        case 8:
            if (!l.has("capability")) return;
            ssid();
            rates();
            p.put(" {}", (p.num(l, "capability") & 0x0001) ? "ESS" : "IBSS");
            channel();
            break;
        case 10: if (!l.has("reason")) return; p.put(": {}", ieee80211_reason_text(p.num(l, "reason"))); break;
        case 12:
            if (!l.has("reason")) return;
            if (e) p.put(": {}", ieee80211_reason_text(p.num(l, "reason")));
            else p.put(" ({}): {}", p.text(l, "address2"), ieee80211_reason_text(p.num(l, "reason")));
            break;
        case 11: {
            if (!l.has("auth_algorithm")) return;
            static constexpr std::string_view kAlgorithms[] = {"Open System", "Shared Key", "EAP"};
            const std::uint64_t alg = p.num(l, "auth_algorithm"), seq = p.num(l, "auth_sequence");
            const std::string_view alg_name = alg < std::size(kAlgorithms) ? kAlgorithms[alg] : "Reserved";
            // The status means something in the odd-numbered (responding) frames only.
            const std::string_view status = (seq & 1) ? ieee80211_status_text(p.num(l, "status")) : "";
            if (alg == 1 && (seq == 2 || seq == 3)) p.put(" ({})-{:x} [Challenge Text] {}", alg_name, seq, status);
            else p.put(" ({})-{:x}: {}", alg_name, seq, status);
            break;
        }
        default: break;
    }
}

// With -e, what tcpdump prints of the header before the body: frame control flags and duration
// (with -v), then the addresses under the names their frame type and DS bits give them (9.3).
void print_header(PrintContext& p, const Layer& l, std::uint64_t type, std::uint64_t subtype) {
    const std::uint64_t fc = p.num(l, "frame_control");
    if (p.verbose()) {
        if (fc & 0x2000) p.put("More Data ");
        if (fc & 0x0400) p.put("More Fragments ");
        if (fc & 0x1000) p.put("Pwr Mgmt ");
        if (fc & 0x0800) p.put("Retry ");
        if (fc & 0x8000) p.put("Strictly Ordered ");
        if (fc & 0x4000) p.put("Protected ");
        if (type != kControl || subtype != 10) p.put("{}us ", p.num(l, "duration"));
    }
    auto a = [&](std::string_view key) { return p.text(l, key); };
    if (type == kManagement) return p.put("BSSID:{} DA:{} SA:{} ", a("address3"), a("address1"), a("address2"));
    if (type == kControl) {
        switch (subtype) {
            case 8:
                return p.put(" RA:{} TA:{} CTL({:x}) SEQ({}) ", a("address1"), a("address2"), p.num(l, "bar_control"),
                             p.num(l, "bar_sequence"));
            case 9:
            case 12:
            case 13: return p.put("RA:{} ", a("address1"));
            case 10: return p.put("BSSID:{} TA:{} ", a("address1"), a("address2"));
            case 11: return p.put("RA:{} TA:{} ", a("address1"), a("address2"));
            case 14:
            case 15: return p.put("RA:{} BSSID:{} ", a("address1"), a("address2"));
            default: return;
        }
    }
    if (subtype & 0x0b) {  // CF-Ack, CF-Poll, QoS
        p.put("CF ");
        if (subtype & 0x01) p.put((subtype & 0x02) ? "Ack/Poll" : "Ack");
        else if (subtype & 0x02) p.put("Poll");
        if (subtype & 0x08) p.put("+QoS");
        p.put(" ");
    }
    const bool to_ds = fc & 0x100, from_ds = fc & 0x200;
    if (!to_ds && !from_ds) p.put("DA:{} SA:{} BSSID:{} ", a("address1"), a("address2"), a("address3"));
    else if (!to_ds) p.put("DA:{} BSSID:{} SA:{} ", a("address1"), a("address2"), a("address3"));
    else if (!from_ds) p.put("BSSID:{} SA:{} DA:{} ", a("address1"), a("address2"), a("address3"));
    else p.put("RA:{} TA:{} DA:{} SA:{} ", a("address1"), a("address2"), a("address3"), a("address4"));
}

}  // namespace

void dissect_ieee80211(Context& c, std::size_t o, bool fcs, bool pad) {
    const ByteReader& r = c.r;
    Layer& w = c.add("802.11", o);
    // With an FCS the frame's last 4 bytes are not its body.
    std::size_t end = c.out.wire_length > o ? c.out.wire_length : r.size();
    if (fcs) {
        if (r.size() < o + 4) return c.truncated("802.11");
        end = end >= o + 4 ? end - 4 : o;
    }
    if (!r.has(o, 2)) return c.truncated("802.11");
    const std::uint16_t fc = r.u16le(o);
    const unsigned type = (fc >> 2) & 3, subtype = (fc >> 4) & 0xf;
    w.set("frame_control", fc).set("type", type).set("subtype", subtype);
    const bool to_ds = fc & 0x100, from_ds = fc & 0x200;
    std::size_t header = 0;
    if (type == kManagement) header = 24;
    else if (type == kControl) header = control_header_length(subtype);
    else if (type == kData) header = 24 + (to_ds && from_ds ? 6 : 0) + ((subtype & 0x8) ? 2 : 0);
    if (header == 0) return;  // a frame type or control subtype with no known layout
    if (pad) header = (header + 3) / 4 * 4;
    if (!r.has(o, header) || r.size() - (fcs ? 4 : 0) < o + header) return c.truncated("802.11");
    w.set("duration", r.u16le(o + 2)).set("address1", mac_text(r, o + 4));
    if (header >= 16) w.set("address2", mac_text(r, o + 10));
    if (type != kControl) w.set("address3", mac_text(r, o + 16));
    if (type == kData && to_ds && from_ds) w.set("address4", mac_text(r, o + 24));
    const std::size_t body = o + header;
    if (type == kManagement) return dissect_management(c, w, body, std::max(end, body), subtype);
    if (type == kControl) {
        if (subtype == 8) w.set("bar_control", r.u16le(o + 16)).set("bar_sequence", r.u16le(o + 18));
        return;
    }
    if (subtype & 0x4) return;  // no data
    if (fc & 0x4000) {
        // Protected: the IV, a pad and the key ID come first (12.3.2.2, 12.5.2.2, 12.5.3.2).
        w.set_flag("protected", true);
        if (!r.has(body, 4)) return c.truncated("802.11");
        w.set("iv", r.u32le(body));
        return;
    }
    dissect_8022(c, body, std::max(end, body));
}

void print_ieee80211(PrintContext& p, const Layer& l) {
    if (!l.has("frame_control")) return;
    const std::uint64_t type = p.num(l, "type"), subtype = p.num(l, "subtype");
    if (type == kControl && control_name(subtype).empty()) return p.put("unknown 802.11 ctrl frame subtype ({})", subtype);
    if (type == 3) return p.put("unknown 802.11 frame type ({})", type);
    if (!l.has("duration")) return;  // header cut short: only the marker
    if (p.options().link_header) {
        print_header(p, l, type, subtype);
        p.payload_named();
    }
    if (type == kManagement) {
        if (l.has("body_ok")) print_management(p, l, static_cast<unsigned>(subtype));
        return;
    }
    if (type == kControl) {
        p.raw(control_name(subtype));
        if (subtype == 10) return p.put(" AID({:x})", p.num(l, "duration"));  // PS-Poll: the AID is where the duration is
        if (p.options().link_header) return;
        switch (subtype) {
            case 8:
                p.put(" RA:{} TA:{} CTL({:x}) SEQ({}) ", p.text(l, "address1"), p.text(l, "address2"), p.num(l, "bar_control"),
                      p.num(l, "bar_sequence"));
                break;
            case 11: p.put(" TA:{} ", p.text(l, "address2")); break;
            case 9:
            case 12:
            case 13:
            case 14:
            case 15: p.put(" RA:{} ", p.text(l, "address1")); break;
            default: break;
        }
        return;
    }
    if (l.has("protected")) {
        p.put("Data");
        if (!l.has("iv")) return;
        const std::uint64_t iv = p.num(l, "iv");
        p.put(" IV:{:3x} Pad {:x} KeyID {:x}", iv & 0xffffff, (iv >> 24) & 0x3f, (iv >> 30) & 0x03);
    }
}

}  // namespace decode::detail
