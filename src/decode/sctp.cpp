// SCTP (RFC 9260): the common header, then one layer per chunk (section 3.2: type, flags and
// length, padded to 4 bytes) with the fields tcpdump shows for DATA (3.3.1), INIT and INIT ACK
// (3.3.2, 3.3.3) and SACK (3.3.4). A DATA chunk carrying ForCES (RFC 5811: ports 6704-6706 or
// payload protocol 21-23) is followed by a "forces" layer with the message type (RFC 5810 6.1).
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// RFC 5811 section 4: the three ForCES priority channels.
std::string_view forces_channel(std::uint64_t port) {
    switch (port) {
        case 6704: return "ForCES HP";
        case 6705: return "ForCES MP";
        case 6706: return "ForCES LP";
        default: return {};
    }
}

std::string_view chunk_name(std::uint64_t type) {
    static constexpr std::string_view kNames[] = {"DATA", "INIT", "INIT ACK", "SACK", "HB REQ", "HB ACK", "ABORT",
                                                  "SHUTDOWN", "SHUTDOWN ACK", "OP ERR", "COOKIE ECHO", "COOKIE ACK",
                                                  "ECN ECHO", "ECN CWR", "SHUTDOWN COMPLETE"};
    if (type < std::size(kNames)) return kNames[type];
    switch (type) {
        case 0xc0: return "FOR CUM TSN";  // RFC 3758 FORWARD TSN
        case 0xc1: return "REL CTRL";
        case 0xc2: return "REL CTRL ACK";
        default: return {};
    }
}

// IANA "SCTP Payload Protocol Identifiers", as tcpdump names them.
std::string ppid_text(std::uint64_t ppid) {
    static constexpr std::string_view kNames[] = {"", "ISDN Q.921", "M2UA", "M3UA", "SUA", "M2PA", "V5.2", "H.248", "BICC",
                                                  "TALI", "DUA", "ASAP", "ENRP", "H.323", "Q.IPC", "SIMCO", "DDPSC",
                                                  "DDPSSC", "S1AP", "RUA", "HNBAP", "ForCES HP", "ForCES MP", "ForCES LP",
                                                  "SBc-AP", "NBAP", "", "X2AP", "IRCP", "LCS-AP", "MPICH2", "SABP",
                                                  "FGP", "PPP", "CALCAPP", "SSP", "NPMP-CTRL", "NPMP-DATA"};
    if (ppid < std::size(kNames) && !kNames[ppid].empty()) return std::string(kNames[ppid]);
    return fmt::format("0x{:x}", ppid);
}

// RFC 5810 section 6.1: version, message type, length in 32-bit words, source and destination
// IDs, correlator and flags: 24 bytes.
void dissect_forces(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("forces", o);
    if (!c.r.has(o, 24)) return c.truncated("forces");  // tcpdump reads the whole common header first
    l.set("length", end > o ? end - o : 0);
    l.set("version", c.r.u8(o) >> 4).set("message_type", c.r.u8(o + 1)).set("length_words", c.r.u16(o + 2));
}

std::string_view forces_message_name(std::uint64_t type) {
    switch (type) {
        case 0x01: return "Association Setup";
        case 0x02: return "Association TearDown";
        case 0x03: return "Config";
        case 0x04: return "Query";
        case 0x05: return "Event Notification";
        case 0x06: return "Packet Redirect";
        case 0x0f: return "HeartBeat";
        case 0x11: return "Association Response";
        case 0x13: return "Config Response";
        case 0x14: return "Query Response";
        default: return {};
    }
}

// Reads one chunk's body; false when tcpdump stops printing the packet after it.
bool chunk_body(Context& c, Layer& l, std::size_t at, std::size_t body, std::uint8_t type, bool& forces) {
    const ByteReader& r = c.r;
    auto bogus = [&l]() {
        l.set_flag("bogus_length", true);
        return false;
    };
    switch (type) {
        case 0: {  // DATA: TSN, stream identifier and sequence number, payload protocol
            if (body < 12) return bogus();
            std::uint32_t ppid = r.u32(at + 8);
            l.set("tsn", r.u32(at)).set("stream_id", r.u16(at + 4)).set("stream_seq", r.u16(at + 6)).set("ppid", ppid);
            forces = forces || (ppid >= 21 && ppid <= 23);
            if (forces && c.can_nest()) dissect_forces(c, at + 12, at + body);
            return true;
        }
        case 1: case 2:  // INIT, INIT ACK
            if (body < 16) return bogus();
            l.set("initiate_tag", r.u32(at)).set("a_rwnd", r.u32(at + 4)).set("outbound_streams", r.u16(at + 8))
                .set("inbound_streams", r.u16(at + 10)).set("initial_tsn", r.u32(at + 12));
            return true;
        case 3: {  // SACK: gap blocks are offsets from the cumulative TSN
            if (body < 12) return bogus();
            std::uint32_t cumulative = r.u32(at);
            std::size_t gaps = r.u16(at + 8), dups = r.u16(at + 10);
            l.set("cumulative_tsn_ack", cumulative).set("a_rwnd", r.u32(at + 4)).set("gap_blocks", gaps).set("duplicate_tsns", dups);
            std::string list;
            std::size_t p = at + 12, left = body - 12;
            bool whole = true;
            for (std::size_t i = 0; i < gaps && whole; ++i, p += 4, left -= 4) {
                if (left < 4) whole = false;
                else list += fmt::format("\n\t\t[gap ack block #{}: start = {}, end = {}] ", i + 1,
                                         static_cast<std::uint32_t>(cumulative + r.u16(p)), static_cast<std::uint32_t>(cumulative + r.u16(p + 2)));
            }
            for (std::size_t i = 0; i < dups && whole; ++i, p += 4, left -= 4) {
                if (left < 4) whole = false;
                else list += fmt::format("\n\t\t[dup TSN #{}: {}] ", i + 1, r.u32(p));
            }
            l.set("blocks", std::move(list));
            return whole ? true : bogus();
        }
        default: return true;
    }
}

}  // namespace

void dissect_sctp(Context& c, std::size_t o, std::size_t end) {
    const ByteReader& r = c.r;
    Layer& l = c.add("sctp", o);
    std::size_t length = end > o ? end - o : 0;
    if (length < 12) {
        l.set("missing", 12 - length);
        return;
    }
    if (!r.has(o, 12)) return c.truncated("sctp");
    std::uint16_t sport = r.u16(o), dport = r.u16(o + 2);
    l.set("sport", sport).set("dport", dport).set("verification_tag", r.u32(o + 4)).set("checksum", r.u32(o + 8));
    bool forces = !forces_channel(sport).empty() || !forces_channel(dport).empty();
    std::size_t at = o + 12, left = length - 12;
    for (std::uint64_t index = 1; left != 0; ++index) {
        if (!c.can_nest()) return;
        if (left < 4) {
            c.add("sctp_chunk", at).set("index", index).set_flag("descriptor_cut_off", true);
            return;
        }
        if (!r.has(at, 4)) return c.truncated("sctp");
        std::size_t chunk = r.u16(at + 2);
        if (chunk < 4) {
            c.add("sctp_chunk", at).set("index", index).set("bad_length", chunk).set_flag("too_short", true);
            return;
        }
        std::size_t padded = (chunk + 3) & ~std::size_t{3};
        if (!r.has(at, chunk)) return c.truncated("sctp");
        if (left < chunk) {
            c.add("sctp_chunk", at).set("index", index).set("bad_length", chunk).set_flag("too_short", false);
            return;
        }
        std::uint8_t type = r.u8(at);
        Layer& ch = c.add("sctp_chunk", at);
        ch.set("index", index).set("type", type).set("flags", r.u8(at + 1)).set("length", chunk);
        if (!chunk_body(c, ch, at + 4, chunk - 4, type, forces)) return;
        // tcpdump steps over the padding after printing the chunk, reading it from the capture.
        if (!r.has(at, padded)) return c.truncated("sctp");
        std::size_t step = std::min(padded, left);
        at += step;
        left -= step;
    }
}

void print_sctp(PrintContext& p, const Layer& l) {
    if (l.has("missing")) {
        p.put("truncated-sctp - {} bytes missing!", p.num(l, "missing"));
        return p.stop();
    }
    if (!l.has("sport")) return;  // cut short: tcpdump prints nothing before its marker
    p.raw("sctp");
    for (const char* key : {"sport", "dport"})
        if (std::string_view channel = forces_channel(p.num(l, key)); !channel.empty()) p.put("[{}]", channel);
}

void print_sctp_chunk(PrintContext& p, const Layer& l) {
    std::uint64_t index = p.num(l, "index");
    p.raw(p.verbose() >= 2 ? "\n\t" : index == 1 ? " (" : ", (");
    p.put("{}) ", index);
    if (l.flag("descriptor_cut_off")) return p.raw("[chunk descriptor cut off at end of packet]");
    if (l.has("bad_length"))
        return p.put("[Bad chunk length {}, {}]", p.num(l, "bad_length"),
                     l.flag("too_short") ? "< size of chunk descriptor" : "> remaining data in packet");
    std::uint64_t type = p.num(l, "type");
    std::string_view name = chunk_name(type);
    if (name.empty()) p.put("[Unknown chunk type: 0x{:x}] ", type);
    else p.put("[{}] ", name);
    if (type == 0) {
        std::uint64_t flags = p.num(l, "flags");
        if (flags & 4) p.raw("(U)");
        if (flags & 2) p.raw("(B)");
        if (flags & 1) p.raw("(E)");
        if (flags & 7) p.raw(" ");
    }
    if (l.flag("bogus_length") && (type != 3 || !l.has("blocks"))) {
        p.put("bogus chunk length {}]", p.num(l, "length"));
        return p.stop();
    }
    switch (type) {
        case 0:
            p.put("[TSN: {}] [SID: {}] [SSEQ {}] [PPID {}] ", p.num(l, "tsn"), p.num(l, "stream_id"), p.num(l, "stream_seq"),
                  ppid_text(p.num(l, "ppid")));
            break;
        case 1: case 2:
            p.put("[init tag: {}] [rwnd: {}] [OS: {}] [MIS: {}] [init TSN: {}] ", p.num(l, "initiate_tag"), p.num(l, "a_rwnd"),
                  p.num(l, "outbound_streams"), p.num(l, "inbound_streams"), p.num(l, "initial_tsn"));
            break;
        case 3:
            p.put("[cum ack {}] [a_rwnd {}] [#gap acks {}] [#dup tsns {}] ", p.num(l, "cumulative_tsn_ack"), p.num(l, "a_rwnd"),
                  p.num(l, "gap_blocks"), p.num(l, "duplicate_tsns"));
            p.raw(p.text(l, "blocks"));
            if (l.flag("bogus_length")) {
                p.put("bogus chunk length {}]", p.num(l, "length"));
                return p.stop();
            }
            break;
        default: break;
    }
}

void print_forces(PrintContext& p, const Layer& l) {
    if (!l.has("message_type")) return;  // cut short: the marker follows the chunk's text as it is
    std::uint64_t type = p.num(l, "message_type");
    std::string_view name = forces_message_name(type);
    if (name.empty()) {
        p.put("\n\tUnknown ForCES message type=0x{:x}", type);
        return p.stop();
    }
    p.put("\n\tForCES {} ", name);
}

}  // namespace decode::detail
