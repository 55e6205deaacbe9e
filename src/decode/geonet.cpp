// ETSI GeoNetworking (ETSI TS 102 636-4-1; EtherType 0x8947), version 0: the common header
// (version, next header, header type and subtype, payload length, hop limit), the sender's long
// position vector (GN address, timestamp, latitude, longitude), the extended header of its
// type, then BTP (ETSI TS 102 636-5-1) and the ITS PDU header.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// Extended header sizes after the common header and long position vector, for the header
// types tcpdump decodes further (any, beacon, topologically-scoped broadcast); -1 for the rest.
int extended_header_size(unsigned type, unsigned subtype) {
    if (type == 0 || type == 1) return 0;
    if (type == 5 && subtype <= 1) return subtype == 0 ? 0 : 32;
    return -1;
}

}  // namespace

void dissect_geonet(Context& c, std::size_t o, std::size_t end) {
    Layer& l = c.add("geonet", o);
    const std::size_t length = end > o ? end - o : 0;
    l.set("length", length);
    if (length < 36) return;  // invalid: the printer says so
    if (!c.r.has(o, 8)) return c.truncated("geonet");
    const unsigned type = c.r.u8(o + 1) >> 4, subtype = c.r.u8(o + 1) & 0xf;
    l.set("version", c.r.u8(o) >> 4).set("next_header", c.r.u8(o) & 0xf).set("header_type", type).set("header_subtype", subtype);
    l.set("payload_length", c.r.u16(o + 4)).set("hop_limit", c.r.u8(o + 7));
    if (length < 36) return;  // invalid: the printer says so
    if (!c.r.has(o + 8, 28)) return c.truncated("geonet");
    std::string address;
    for (int i = 0; i < 8; ++i) address += fmt::format("{}{:02x}", i ? ":" : "", c.r.u8(o + 8 + i));
    l.set("gn_address", std::move(address)).set("latitude", c.r.u32(o + 20)).set("longitude", c.r.u32(o + 24));
    const int size = extended_header_size(type, subtype);
    if (size < 0) return;
    l.set("extended_header_size", static_cast<std::uint64_t>(size));
    if (static_cast<std::size_t>(size) > length - 36) return;
    const std::size_t btp = o + 36 + static_cast<std::size_t>(size);
    const unsigned next = c.r.u8(o) & 0xf;
    if (next != 1 && next != 2) return;
    // BTP-A (destination port, source port) or BTP-B (destination port, port info).
    if (btp + 4 > end) return;
    if (!c.r.has(btp, 4)) return c.truncated("geonet");
    l.set("btp_destination_port", c.r.u16(btp)).set(next == 1 ? "btp_source_port" : "btp_destination_port_info", c.r.u16(btp + 2));
    if (btp + 6 > end) return;  // no room for the ITS PDU header
    if (!c.r.has(btp + 4, 2)) return c.truncated("geonet");
    l.set("its_pdu_version", c.r.u8(btp + 4)).set("its_message_id", c.r.u8(btp + 5));
}

void print_geonet(PrintContext& p, const Layer& l) {
    const Layer* link = p.previous();
    if (link && link->protocol == "ethernet") p.put("GeoNet src:{}; ", p.text(*link, "src"));
    else p.put("GeoNet ");
    const std::uint64_t length = p.num(l, "length");
    if (length < 36) return p.put(" (common header length {} < 36) (invalid)", length);
    static constexpr const char* kNext[] = {"Any", "BTP-A", "BTP-B", "IPv6"};
    const std::uint64_t next = p.num(l, "next_header"), type = p.num(l, "header_type"), subtype = p.num(l, "header_subtype");
    const char* name = "Unknown";
    switch (type) {
        case 0: name = "Any"; break;
        case 1: name = "Beacon"; break;
        case 2: name = "GeoUnicast"; break;
        case 3: name = subtype == 0 ? "GeoAnycastCircle" : subtype == 1 ? "GeoAnycastRect" : subtype == 2 ? "GeoAnycastElipse" : name; break;
        case 4: name = subtype == 0 ? "GeoBroadcastCircle" : subtype == 1 ? "GeoBroadcastRect" : subtype == 2 ? "GeoBroadcastElipse" : name; break;
        case 5: name = subtype == 0 ? "TopoScopeBcast-SH" : subtype == 1 ? "TopoScopeBcast-MH" : name; break;
        case 6: name = subtype == 0 ? "LocService-Request" : subtype == 1 ? "LocService-Reply" : name; break;
        default: break;
    }
    p.put("v:{} NH:{}-{} HT:{}-{}-{} HopLim:{} Payload:{} ", p.num(l, "version"), next, next < 4 ? kNext[next] : "Unknown", type,
          subtype, name, p.num(l, "hop_limit"), p.num(l, "payload_length"));
    if (!l.has("gn_address")) return;  // cut short: the marker follows
    p.put("GN_ADDR:{} lat:{} lon:{}", p.text(l, "gn_address"), p.num(l, "latitude"), p.num(l, "longitude"));
    if (!l.has("extended_header_size")) return;
    const std::uint64_t size = p.num(l, "extended_header_size");
    if (size > length - 36) return p.put(" (header size {} > {}) (invalid)", size, length - 36);
    if (next != 1 && next != 2) return;
    const std::uint64_t btp_length = length - 36 - size;
    if (btp_length < 4) return p.put(" (BTP length {} < 4) (invalid)", btp_length);
    // BTP-B's destination port info is printed as BTP-A's source port is.
    p.put("; BTP Dst:{} Src:{}", p.num(l, "btp_destination_port"),
          p.num(l, l.has("btp_source_port") ? "btp_source_port" : "btp_destination_port_info"));
    if (btp_length < 6) return;
    // ITS message identifiers (ETSI TS 102 894-2 and the ones tcpdump names).
    static constexpr std::pair<unsigned, const char*> kMessages[] = {{0, "CAM"}, {1, "DENM"}, {101, "TPEGM"}, {102, "TSPDM"},
        {103, "VPM"}, {104, "SRM"}, {105, "SLAM"}, {106, "ecoCAM"}, {107, "ITM"}, {150, "SA"}};
    const std::uint64_t id = p.num(l, "its_message_id");
    p.put("; ItsPduHeader v:{} t:{}-", p.num(l, "its_pdu_version"), id);
    for (auto [value, name] : kMessages)
        if (value == id) return p.raw(name);
    p.put("unknown ({})", id);
}

}  // namespace decode::detail
