// tcpdump's line format, layer by layer. The wording follows what tcpdump 4.99 prints (checked
// against it in tests/decode_test.cpp); where sniff differs on purpose the comment says so.
#include "decode/text.hpp"

#include "decode/protocols.hpp"
#include "decode/registry.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

namespace decode {
namespace {

std::string ethertype_name(std::uint64_t t) { return detail::ethertype_name_or(t, "Unknown"); }

// IP protocol names as tcpdump's -v header line spells them (its table, not all of IANA's).
std::string_view ip_protocol_name(std::uint64_t p) {
    switch (p) {
        case 0: return "Options"; case 1: return "ICMP"; case 2: return "IGMP"; case 4: return "IPIP"; case 6: return "TCP";
        case 8: return "EGP"; case 9: return "IGRP"; case 17: return "UDP"; case 33: return "DCCP"; case 41: return "IPv6";
        case 43: return "Routing"; case 44: return "Fragment"; case 46: return "RSVP"; case 47: return "GRE";
        case 50: return "ESP"; case 51: return "AH"; case 55: return "Mobile IP"; case 58: return "ICMPv6";
        case 62: return "Mobile IP (old)"; case 88: return "EIGRP"; case 89: return "OSPF"; case 103: return "PIM";
        case 108: return "Compressed IP"; case 112: return "VRRP"; case 113: return "PGM"; case 132: return "SCTP";
        case 135: return "Mobility"; case 143: return "Ethernet";
        default: return "unknown";
    }
}

// The name tcpdump's truncation marker gives a protocol, where it differs from the layer's name.
std::string_view marker_name(std::string_view protocol) {
    if (protocol == "ipv4") return "ip";
    if (protocol == "ipv6") return "ip6";
    if (protocol == "dns") return "domain";
    if (protocol == "ipv6_routing") return "rt6";
    if (protocol == "ethernet") return "ether";
    return protocol;
}

bool has_ports(const Layer& l) {
    return (l.protocol == "tcp" || l.protocol == "udp" || l.protocol == "sctp" || l.protocol == "dccp") && l.has("sport");
}

class LineBuilder : public detail::PrintContext {
public:
    using PrintContext::PrintContext;

    void run() {
        const auto& ls = d_.layers;
        std::size_t printed = 0;  // layers whose printer ran
        for (i_ = 0; i_ < ls.size() && !stop_; ++i_, ++printed) {
            const std::size_t start = out_.size();
            all_or_nothing_ = false;
            try {
                layer(ls[i_]);
            } catch (const detail::MissingField&) {
                // The printer needed a field the packet did not hold: end the line as tcpdump
                // does when a GET_ macro fails, with the marker of the protocol being printed.
                if (all_or_nothing_) out_.resize(start);
                while (!out_.empty() && out_.back() == ' ' && !out_.ends_with(": ")) out_.pop_back();
                std::string_view name = !d_.truncated.empty() && d_.truncated_depth == i_ + 1 ? d_.truncated : marker_name(ls[i_].protocol);
                fmt::format_to(std::back_inserter(out_), " [|{}]", name);
                return;
            }
        }
        if (!d_.truncated.empty() && printed >= d_.truncated_depth) {
            // A header that yielded nothing right after "src > dst: " takes one space, as tcpdump prints it.
            // After a tunnel header's ": " (GRE) the marker keeps its space, as tcpdump prints it.
            bool after_gre = ls.size() >= 2 && ls[ls.size() - 2].protocol == "gre";
            bool bare = !ls.empty() && ls.back().fields.empty() && ls.back().protocol != "udp" && out_.ends_with(": ") && !after_gre;
            fmt::format_to(std::back_inserter(out_), "{}[|{}]", bare ? "" : " ", d_.truncated);
            if (close_marker_) out_ += '>';
        }
        // (No trailing-space trim: tcpdump keeps the spaces its printers leave at the end of a line.)
    }

private:

    void layer(const Layer& l) {
        std::string_view p = l.protocol;
        if (p == "ethernet") return ethernet(l);
        if (p == "vlan") return vlan(l);
        if (p == "mpls") return mpls(l);
        if (p == "pppoe") return pppoe(l);
        if (p == "sll" || p == "sll2") return sll(l);
        if (p == "null") return null_link(l);
        if (p == "ipv4") return ipv4(l);
        if (p == "ipv6") return ipv6(l);
        if (p == "ipv6_hbh" || p == "ipv6_dstopt") {
            raw(p == "ipv6_hbh" ? "HBH " : "DSTOPT ");
            if (l.has("options_error") && p == "ipv6_hbh") return raw(o_.verbose > 0 ? l.text("options") : l.text("options_error"));
            if (l.has("options_error") && o_.verbose > 0) {
                stop_ = true;
                return put("{} [|dstopt]", l.text("options"));
            }
            if (o_.verbose > 0) put("{} ", l.text("options"));
            return;
        }
        if (p == "ipv6_mobility") return put("MOBILITY ");
        if (p == "ipv6_routing") return ipv6_routing(l);
        if (p == "ipv6_fragment") return ipv6_fragment(l);
        if (p == "ipv6_none") return put("no next header");
        if (p == "ip_unknown") return put(" ip-proto-{} {}", l.num("protocol"), l.num("length"));
        if (p == "tcp") return tcp(l);
        if (p == "udp") return udp(l);
        if (p == "igmp") return igmp(l);
        if (p == "vxlan") return vxlan(l);
        if (p == "geneve") return geneve(l);
        if (p == "dns") return dns(l);
        if (p == "bootp") return bootp(l);
        if (p == "http" && !l.has("first_line") && d_.truncated == "http") return put(": HTTP");
        if (p == "ntp") return ntp(l);
        if (p == "http") return l.has("first_line") ? put(": HTTP: {}", l.text("first_line")) : put(": HTTP");
        if (p == "ssh") return l.has("first_line") ? put(": SSH: {}", l.text("first_line")) : void();
        if (p == "llc") return put("LLC, dsap 0x{:02x}, ssap 0x{:02x}, length {}", l.num("dsap"), l.num("ssap"), l.num("length"));
        if (p == "ppp") return put("PPP, proto 0x{:04x}", l.num("protocol"));
        if (p == "unknown") {
            if (!previous() || (previous()->protocol != "ethernet" && previous()->protocol != "sll" && previous()->protocol != "sll2"))
                put("ethertype Unknown (0x{:04x}), length {}", l.num("ethertype"), l.num("length"));
            return default_print(l.offset, num(l, "length"));
        }
        if (p == "data") return put("data, length {}", l.num("length"));
        if (p == "link") return put("link type {}, length {}", l.num("linktype"), l.num("length"));
        if (detail::Printer print = detail::printer_for(p)) return print(*this, l);
    }

    // --- link layers: printed with -e; their payload then goes without its "IP " prefix
    void ethernet(const Layer& l) {
        const Layer* n = next();
        // An unknown payload gets the header even without -e, so the line says what it is.
        bool unknown = !n || n->protocol == "unknown" || n->protocol == "llc";
        if (!o_.link_header && !unknown) return;
        std::uint64_t type = l.num("type");
        std::size_t length = l.offset == 0 ? d_.wire_length : d_.captured - l.offset;
        if (type <= 1500)
            put("{} > {}, 802.3, length {}: ", l.text("src"), l.text("dst"), length);
        else
            put("{} > {}, ethertype {} (0x{:04x}), length {}: ", l.text("src"), l.text("dst"), ethertype_name(type), type, length);
        named_ = true;
    }
    void vlan(const Layer& l) {
        // Behind a cooked header tcpdump names the tagged EtherType even without -e.
        const Layer* p = previous();
        if (!o_.link_header && p && (p->protocol == "sll" || p->protocol == "sll2" || (p->protocol == "vlan" && cooked_vlan_))) {
            cooked_vlan_ = true;
            return put("ethertype {}, ", ethertype_name(l.num("type")));
        }
        if (!o_.link_header) return;
        put("vlan {}, p {}{}, ethertype {} (0x{:04x}), ", l.num("id"), l.num("pcp"), l.flag("dei") ? ", DEI" : "",
            ethertype_name(l.num("type")), l.num("type"));
    }
    void mpls(const Layer& l) {
        if (!previous() || previous()->protocol != "mpls") put("MPLS ");
        put("(label {}, tc {}{}, ttl {}) ", l.num("label"), l.num("tc"), l.flag("bottom") ? ", [S]" : "", l.num("ttl"));
        named_ = o_.link_header;  // with -e tcpdump prints the payload without its "IP "
    }
    void pppoe(const Layer& l) {
        static constexpr std::pair<std::uint64_t, std::string_view> kCodes[] = {
            {0x00, ""}, {0x09, "PADI"}, {0x07, "PADO"}, {0x19, "PADR"}, {0x65, "PADS"}, {0xa7, "PADT"}};
        std::string_view code = "unknown";
        for (auto [v, name] : kCodes)
            if (v == l.num("code")) code = name;
        if (l.has("protocol")) {
            put("PPPoE {} [ses 0x{:x}] ", code, l.num("session"));
            std::uint64_t proto = l.num("protocol");
            if (o_.link_header) {
                put("{} (0x{:04x}), length {}: ", proto == 0x21 ? "IP" : proto == 0x57 ? "IPv6" : "unknown", proto,
                    l.num("length") >= 2 ? l.num("length") - 2 : 0);
                named_ = true;
            }
            return;
        }
        put("PPPoE {} {}", code, l.text("tags"));
    }
    void sll(const Layer& l) {
        const Layer* n = next();
        bool unknown = !n || n->protocol == "unknown" || n->protocol == "llc";
        if (!o_.link_header && !unknown) return;
        static constexpr std::string_view kDirections[] = {"In", "B", "M", "P", "Out"};
        std::uint64_t t = l.num("packet_type");
        std::string_view dir = t < std::size(kDirections) ? kDirections[t] : "?";
        if (l.protocol == "sll2") put("ifindex {} ", l.num("ifindex"));
        put("{:>3} {} ethertype {} (0x{:04x}), length {}: ", dir, l.text("src"), ethertype_name(l.num("type")), l.num("type"),
            d_.wire_length);
        named_ = true;
    }
    void null_link(const Layer& l) {
        if (!o_.link_header) return;
        std::uint64_t f = l.num("family");
        put("AF {} ({}), length {}: ", f == 2 ? "IPv4" : (f == 24 || f == 28 || f == 30 || f == 10) ? "IPv6" : "Unknown", f,
            d_.wire_length);
        named_ = true;
    }
    // --- network
    // "src.sport > dst.dport: " when the transport header follows directly, else "src > dst: ".
    void addresses(const Layer& l) {
        const Layer* n = next();
        // tcpdump's SCTP printer prints the addresses itself once it has read its header.
        if (n && (n->protocol == "sctp" || n->protocol == "dccp") && !n->has("sport") && d_.truncated == n->protocol) return;
        raw(l.text("src"));
        if (n && has_ports(*n)) {
            raw(".");
            number(n->num("sport"));
        }
        raw(" > ");
        raw(l.text("dst"));
        if (n && has_ports(*n)) {
            raw(".");
            number(n->num("dport"));
            ports_printed_ = true;
        }
        raw(": ");
    }
    void ipv4(const Layer& l) {
        if (l.offset >= d_.captured) return;  // not one byte of it: only the truncation marker
        if (!named_) put("IP ");
        named_ = false;
        if (l.has("bad_version")) return put("IP{} ", l.num("bad_version"));
        if (l.has("bad_header_length")) return put("bad-hlen {}", l.num("bad_header_length"));
        if (!l.has("src")) return;
        // The frame on the wire was shorter than the IP length says (not a snapshot cut); an ICMP
        // error's quoted datagram is short by design.
        const bool quoted = previous() && previous()->protocol == "quoted";
        if (const std::size_t wire = d_.wire_length > l.offset ? d_.wire_length - l.offset : 0; !quoted && num(l, "length") > wire)
            put("truncated-ip - {} bytes missing! ", num(l, "length") - wire);
        if (o_.verbose > 0) {
            std::string flags = l.flag("df") ? "DF" : "";
            if (l.flag("mf")) flags += "+";
            put("(tos 0x{:x}, ttl {}, id {}, offset {}, flags [{}], proto {} ({}), length {}", l.num("tos"), l.num("ttl"),
                l.num("id"), l.num("frag_offset"), flags.empty() ? "none" : flags, ip_protocol_name(l.num("protocol")),
                l.num("protocol"), l.num("length"));
            if (l.has("checksum_ok") && !l.flag("checksum_ok"))
                put(", bad cksum {:x} (->{:x})!", num(l, "checksum"), num(l, "checksum_should_be"));
            if (l.has("options")) put(", options ({})", l.text("options"));
            put(")\n    ");
        }
        addresses(l);
        if (l.has("bad_total_length")) put("[bad ip length {}]", l.num("bad_total_length"));
        else if (l.num("frag_offset") > 0) put("ip-proto-{}", l.num("protocol"));
    }
    void ipv6(const Layer& l) {
        if (!l.has("src")) return;  // tcpdump names IPv6 only once its 40-byte header is there
        if (!named_) put("IP6 ");
        named_ = false;
        if (const std::size_t wire = d_.wire_length > l.offset ? d_.wire_length - l.offset : 0;
            !(previous() && previous()->protocol == "quoted") && num(l, "payload_length") != 0 && num(l, "payload_length") + 40 > wire)
            put("truncated-ip6 - {} bytes missing!", num(l, "payload_length") + 40 - wire);
        if (o_.verbose > 0) {
            put("(");
            if (l.num("traffic_class")) put("class 0x{:x}, ", l.num("traffic_class"));
            if (l.num("flow")) put("flowlabel 0x{:05x}, ", l.num("flow"));
            put("hlim {}, next-header {} ({}) payload length: {}) ", l.num("hop_limit"), ip_protocol_name(l.num("next_header")),
                l.num("next_header"), l.num("payload_length"));
        }
        addresses(l);
    }
    // RFC 8200 4.4 and the types tcpdump decodes: 0 (RFC 5095, deprecated), 2 (RFC 6275) and
    // 4 (segment routing, RFC 8754). Printed field by field up to the first one not captured.
    void ipv6_routing(const Layer& l) {
        raw("RT6 ");
        put("(len={}", num(l, "length"));
        const std::uint64_t type = num(l, "type");
        put(", type={}{}", type, type == 0 ? " [Deprecated]" : "");
        put(", segleft={}", num(l, "segments_left"));
        if (type != 0 && type != 2 && type != 4) {
            stop_ = true;
            return put(" (unknown type) (invalid)");
        }
        if (type == 4) {
            put(", last-entry={}", num(l, "last_entry"));
            if (o_.verbose > 0 || num(l, "srh_flags") != 0) put(", flags=0x{:x}", num(l, "srh_flags"));
            put(", tag={:x}", num(l, "tag"));
        } else if (o_.verbose > 0) {
            put(", rsv=0x{:x}", num(l, "reserved"));
        }
        std::string_view addrs = text(l, "addresses");
        for (int n = 0; !addrs.empty(); ++n) {
            auto space = addrs.find(' ');
            put(", [{}]{}", n, addrs.substr(0, space));
            addrs = space == std::string_view::npos ? std::string_view{} : addrs.substr(space + 1);
        }
        flag(l, "addresses_complete");
        put(") ");
    }
    // RFC 8200 4.5; the identification shows at -v.
    void ipv6_fragment(const Layer& l) {
        if (o_.verbose > 0) return put("frag (0x{:08x}:{}|{}) ", num(l, "id"), num(l, "fragment_offset"), num(l, "length"));
        put("frag ({}|{}) ", num(l, "fragment_offset"), num(l, "length"));
    }

    // The IP header nearest before this layer.
    const Layer* innermost_ip() const {
        for (std::size_t k = i_; k-- > 0;)
            if (d_.layers[k].protocol == "ipv4" || d_.layers[k].protocol == "ipv6") return &d_.layers[k];
        return nullptr;
    }

    // Transport headers after IPv6 extension headers print their own ports.
    void own_ports(const Layer& l) {
        if (ports_printed_ || !l.has("sport")) return;
        put("{} > {}: ", l.num("sport"), l.num("dport"));
        ports_printed_ = true;
    }

    // --- transport
    void tcp(const Layer& l) {
        own_ports(l);
        ports_printed_ = false;
        if (l.has("bad_header_length"))
            return put(" tcp {} [bad hdr length {} - too short, < 20]", l.num("segment_length"), l.num("bad_header_length"));
        if (!l.has("flags")) return;
        std::uint64_t payload = l.num("payload_length"), flags = l.num("flags");
        if (o_.quiet) {
            stop_ = true;
            return put("tcp {}", payload);
        }
        raw("Flags [");
        raw(l.text("flags_text"));
        raw("]");
        if (o_.verbose > 0) {
            put(", cksum 0x{:04x}", l.num("checksum"));
            if (l.has("checksum_ok")) {
                if (flag(l, "checksum_ok")) raw(" (correct)");
                else put(" (incorrect -> 0x{:04x})", num(l, "checksum_should_be"));
            }
        }
        bool relative = l.has("relative_seq");
        std::uint64_t seq = relative ? l.num("relative_seq") : l.num("seq");
        std::uint64_t ack = relative ? l.num("relative_ack") : l.num("ack");
        if (payload > 0 || (flags & 0x07)) {
            raw(", seq ");
            number(seq);
            if (payload > 0) {
                raw(":");
                number(static_cast<std::uint32_t>(seq + payload));
            }
        }
        if (flags & 0x10) {
            raw(", ack ");
            number(ack);
        }
        raw(", win ");
        number(l.num("window"));
        if (flags & 0x20) put(", urg {}", l.num("urgent"));
        if (l.has("options")) {
            // Options cut by the capture end the line where they stop, as in tcpdump.
            if (l.flag("options_truncated")) {
                stop_ = true;
                close_marker_ = l.flag("options_closed");  // tcpdump closes a list cut inside an option with ">"
                return put(", options [{}", l.text("options"));
            }
            if (l.flag("options_bad")) {  // tcpdump ends the line at a bad option
                stop_ = true;
                return put(", options [{}{}", l.text("options"), l.flag("options_closed") ? "]" : "");
            }
            put(", options [{}]", l.text("options"));
        }
        raw(", length ");
        number(payload);
        const Layer* n = next();
        if (n && n->protocol == "dns") put(" ");  // DNS over TCP follows without a colon, as tcpdump prints it
    }
    void udp(const Layer& l) {
        own_ports(l);
        ports_printed_ = false;
        if (!l.has("length")) return;
        if (l.flag("bad_length")) return put("truncated-udplength {}", l.num("length"));
        num(l, "checksum");  // tcpdump reads the whole 8-byte header before printing more
        // tcpdump checks UDP over IPv4 at -vv ("[no cksum]" for a zero one), over IPv6 at -v; never
        // in a fragment.
        const Layer* ip = innermost_ip();
        bool fragment = false;
        for (std::size_t k = i_; k-- > 0 && !fragment;) {
            const Layer& e = d_.layers[k];
            if (e.protocol == "ipv6_fragment") fragment = e.flag("more");
            if (e.protocol == "ipv4") fragment = e.flag("mf");
            if (e.protocol == "ipv4" || e.protocol == "ipv6") break;
        }
        if (ip && !fragment && o_.verbose > (ip->protocol == "ipv4" ? 1 : 0)) {
            if (ip->protocol == "ipv4" && num(l, "checksum") == 0) raw("[no cksum] ");
            else if (l.has("checksum_ok") && flag(l, "checksum_ok")) raw("[udp sum ok] ");
            else if (l.has("checksum_ok")) put("[bad udp cksum 0x{:04x} -> 0x{:04x}!] ", num(l, "checksum"), num(l, "checksum_should_be"));
        }
        if (l.has("ip_payload_length")) {
            stop_ = true;
            return put("UDP, bad length {} > {}", num(l, "length") - 8, static_cast<std::uint32_t>(num(l, "ip_payload_length") - 8));
        }
        const Layer* n = next();
        if (o_.quiet || !n) {
            stop_ = true;
            return put("UDP, length {}", l.num("payload_length"));
        }
    }
    void igmp(const Layer& l) {
        if (!l.has("type")) return put("igmp");
        switch (l.num("type")) {
            case 0x11: {
                put("igmp query v{}", l.num("version"));
                if (l.num("version") == 2 && l.num("max_response") != 100) put(" [max resp time {}]", l.num("max_response"));
                if (l.text("group") != "0.0.0.0") put(" [gaddr {}]", l.text("group"));
                break;
            }
            case 0x12: put("igmp v1 report {}", l.text("group")); break;
            case 0x16: put("igmp v2 report {}", l.text("group")); break;
            case 0x17: put("igmp leave {}", l.text("group")); break;
            case 0x22: put("igmp v3 report, {} group record(s)", l.num("records")); break;
            default: put("igmp-{}", l.num("type")); break;
        }
    }
    void vxlan(const Layer& l) {
        if (!l.has("vni")) return put("VXLAN");
        // RFC 7348 5: tcpdump starts the inner frame on a line of its own.
        put("VXLAN, flags [{}] (0x{:02x}), vni {}\n", (l.num("flags") & 0x08) ? "I" : "", l.num("flags"), l.num("vni"));
    }
    void geneve(const Layer& l) {
        if (!l.has("vni")) return put("Geneve");
        std::string flags = std::string(l.flag("oam") ? "O" : "") + (l.flag("critical") ? "C" : "");
        put("Geneve, Flags [{}], vni 0x{:x}", flags.empty() ? "none" : flags, l.num("vni"));
        if (l.num("protocol") != 0x6558) put(", proto {} (0x{:04x})", ethertype_name(l.num("protocol")), l.num("protocol"));
        put(": ");
    }

    // --- applications
    void dns(const Layer& l) {
        if (l.has("too_short")) return put("domain [length {} < 12] (invalid)", num(l, "length"));
        if (!l.has("id")) return;
        put("{}", l.num("id"));
        if (!l.has("flags")) return;
        // RFC 1035 4.1.1 opcodes and RCODEs (RFC 6891 and RFC 7873 for the extended ones), with
        // tcpdump's spelling (two of its names lack the leading space).
        static constexpr std::string_view kOps[] = {"", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
                                                    " op8", " updateA", " updateD", " updateDA", " updateM", " updateMA",
                                                    " zoneInit", " zoneRef"};
        static constexpr std::string_view kRcodes[] = {"", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused",
                                                       " YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone"};
        std::uint64_t flags = l.num("flags"), op = l.num("opcode");
        std::uint64_t rcode = l.has("extended_rcode") ? num(l, "extended_rcode") : l.num("rcode");
        if (op < std::size(kOps)) raw(kOps[op]);
        else put(" op{}", op);
        bool truncated = d_.truncated == "domain";
        if (l.flag("response")) {
            if (rcode < std::size(kRcodes)) raw(kRcodes[rcode]);
            else if (rcode == 15) raw(" NoChange");
            else if (rcode == 16) raw(" BadVers");
            else if (rcode == 23) raw(" BadCookie");
            else if (rcode == 17 || rcode == 21) put("Resp{}", rcode);
            else put(" Resp{}", rcode);
            // AA, RA (its absence), TC, AD.
            put("{}{}{}{}", (flags & 0x0400) ? "*" : "", (flags & 0x0080) ? "" : "-", (flags & 0x0200) ? "|" : "",
                (flags & 0x0020) ? "$" : "");
            // tcpdump prints the counts once the questions have been read past; -vv lists the
            // questions before them and the authority and additional records after the answers.
            if (o_.verbose > 1 && l.has("questions_text")) put(" q:{}", l.text("questions_text"));
            if (l.flag("questions_complete")) put(" {}/{}/{}", l.num("answers"), l.num("authority"), l.num("additional"));
            raw(l.text(o_.verbose > 0 ? "answer_records_verbose" : "answer_records"));
            if (o_.verbose > 1) {
                if (l.num("authority") && l.has("authority_records")) put(" ns:{}", l.text("authority_records_verbose"));
                if (l.num("additional") && l.has("additional_records")) put(" ar:{}", l.text("additional_records_verbose"));
            }
        } else {
            // RD and CD; other bits a query should not carry are shown as they are.
            put("{}{}", (flags & 0x0100) ? "+" : "", (flags & 0x0010) ? "%" : "");
            if (flags & 0x06cf) put(" [b2&3=0x{:x}]", flags);
            // An inverse query (RFC 1035 6.4, obsolete) carries one answer and no question.
            const bool inverse = op == 1;
            if (l.num("questions") != (inverse ? 0u : 1u)) put(" [{}q]", l.num("questions"));
            if (l.num("answers") != (inverse ? 1u : 0u)) put(" [{}a]", l.num("answers"));
            if (l.num("authority")) put(" [{}n]", l.num("authority"));
            if (l.num("additional")) put(" [{}au]", l.num("additional"));
            if (l.has("question_type")) {
                std::uint64_t qt = l.num("question_type");
                std::string_view name = detail::dns_type_name(static_cast<std::uint16_t>(qt));
                if (name.empty()) put(" Type{}", qt);
                else put(" {}", name);
                // mDNS (RFC 6762 5.4): the class's top bit asks for a unicast reply.
                const Layer* u = previous();
                if (u && u->protocol == "udp" && (u->num("sport") == 5353 || u->num("dport") == 5353))
                    raw((l.num("question_class") & 0x8000) ? " (QU)" : " (QM)");
                put("?");
            }
            if (l.has("question_name")) put(" {}", l.text("question_name"));
            if (o_.verbose > 1) {
                if (l.num("authority") && l.has("authority_records")) put(" ns:{}", l.text("authority_records_verbose"));
                if (l.num("additional") && l.has("additional_records")) put(" ar:{}", l.text("additional_records_verbose"));
            }
        }
        if (!truncated) put(" ({})", l.num("length"));
    }
    void bootp(const Layer& l) {
        put("BOOTP/DHCP, ");
        std::uint64_t op = l.num("op");
        put("{}", op == 1 ? "Request" : op == 2 ? "Reply" : "op");
        if (op == 1 && l.has("client_mac")) put(" from {}", l.text("client_mac"));
        if (d_.truncated == "bootp") return;
        put(", length {}", l.num("length"));
        // tcpdump shows the DHCP message type only in its multi-line -v output; sniff puts it on the line with -v.
        static constexpr std::string_view kTypes[] = {"", "Discover", "Offer", "Request", "Decline", "ACK", "NACK", "Release", "Inform"};
        if (o_.verbose > 0 && l.has("message_type")) {
            std::uint64_t t = l.num("message_type");
            put(", DHCP {}", t < std::size(kTypes) && t ? kTypes[t] : "unknown");
        }
    }
    void ntp(const Layer& l) {
        static constexpr std::string_view kModes[] = {"Reserved", "Symmetric Active", "Symmetric Passive", "Client", "Server",
                                                      "Broadcast", "Control Message", "Reserved"};
        if (!l.has("mode")) return put("NTP");
        put("NTPv{}, {}, length {}", l.num("version"), kModes[l.num("mode") & 7], l.num("length"));
        if (o_.verbose > 0 && l.has("stratum")) put(", stratum {}", l.num("stratum"));
    }

    bool ports_printed_ = false;  // the IP layer already printed the transport ports
    bool cooked_vlan_ = false;    // a VLAN tag behind a cooked header named its EtherType
    bool close_marker_ = false;   // the truncation marker is followed by ">" (TCP options)
};

}  // namespace

void append_text(std::string& out, const Decoded& packet, const TextOptions& options) {
    LineBuilder(out, packet, options).run();
}

}  // namespace decode
