// tcpdump's line format, layer by layer. The wording follows what tcpdump 4.99 prints (checked
// against it in tests/decode_test.cpp); where sniff differs on purpose the comment says so.
#include "decode/text.hpp"

#include "decode/registry.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

namespace decode {
namespace {

std::string_view ethertype_name(std::uint64_t t) {
    switch (t) {
        case 0x0800: return "IPv4"; case 0x86dd: return "IPv6"; case 0x0806: return "ARP"; case 0x8035: return "Reverse ARP";
        case 0x8100: return "802.1Q"; case 0x88a8: return "802.1Q-QinQ"; case 0x9100: return "802.1Q-9100";
        case 0x8847: return "MPLS unicast"; case 0x8848: return "MPLS multicast"; case 0x8863: return "PPPoE D";
        case 0x8864: return "PPPoE S"; case 0x88cc: return "LLDP"; case 0x888e: return "EAPOL"; case 0x6558: return "TEB";
        default: return "Unknown";
    }
}

std::string_view ip_protocol_name(std::uint64_t p) {
    switch (p) {
        case 1: return "ICMP"; case 2: return "IGMP"; case 4: return "IPIP"; case 6: return "TCP"; case 17: return "UDP";
        case 41: return "IPv6"; case 47: return "GRE"; case 50: return "ESP"; case 51: return "AH"; case 58: return "ICMPv6";
        case 132: return "SCTP"; case 0: return "Options"; case 43: return "Routing"; case 44: return "Fragment";
        case 59: return "NoNext"; case 60: return "DSTOPT";
        case 46: return "RSVP"; case 88: return "EIGRP"; case 89: return "OSPF"; case 103: return "PIM"; case 112: return "VRRP";
        default: return "unknown";
    }
}

std::string_view dns_type_name(std::uint64_t t) {
    switch (t) {
        case 1: return "A"; case 2: return "NS"; case 5: return "CNAME"; case 6: return "SOA"; case 12: return "PTR";
        case 15: return "MX"; case 16: return "TXT"; case 28: return "AAAA"; case 33: return "SRV"; case 35: return "NAPTR";
        case 41: return "OPT"; case 43: return "DS"; case 48: return "DNSKEY"; case 64: return "SVCB"; case 65: return "HTTPS";
        case 252: return "AXFR"; case 255: return "ANY"; case 257: return "CAA";
        default: return {};
    }
}

bool has_ports(const Layer& l) {
    return (l.protocol == "tcp" || l.protocol == "udp" || l.protocol == "sctp") && l.has("sport");
}

class LineBuilder : public detail::PrintContext {
public:
    using PrintContext::PrintContext;

    void run() {
        const auto& ls = d_.layers;
        for (i_ = 0; i_ < ls.size() && !stop_; ++i_) {
            const std::size_t start = out_.size();
            all_or_nothing_ = false;
            try {
                layer(ls[i_]);
            } catch (const detail::MissingField&) {
                // The printer needed a field the packet did not hold: end the line as tcpdump
                // does when a GET_ macro fails, with the marker of the protocol being printed.
                if (all_or_nothing_) out_.resize(start);
                while (!out_.empty() && out_.back() == ' ' && !out_.ends_with(": ")) out_.pop_back();
                std::string_view name = d_.truncated.empty() ? ls[i_].protocol : d_.truncated;
                fmt::format_to(std::back_inserter(out_), " [|{}]", name);
                return;
            }
        }
        if (!d_.truncated.empty()) {
            // A header that yielded nothing right after "src > dst: " takes one space, as tcpdump prints it.
            bool bare = !ls.empty() && ls.back().fields.empty() && out_.ends_with(": ");
            fmt::format_to(std::back_inserter(out_), "{}[|{}]", bare ? "" : " ", d_.truncated);
        }
        while (!out_.empty() && out_.back() == ' ') out_.pop_back();
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
        if (p == "radiotap") return radiotap(l);
        if (p == "802.11") return ieee80211(l);
        if (p == "arp" || p == "rarp") return arp(l);
        if (p == "ipv4") return ipv4(l);
        if (p == "ipv6") return ipv6(l);
        if (p == "ipv6_hbh") return put("HBH ");
        if (p == "ipv6_dstopt") return put("DSTOPT ");
        if (p == "ipv6_mobility") return put("MOBILITY ");
        if (p == "ipv6_routing") return ipv6_routing(l);
        if (p == "ipv6_fragment") return ipv6_fragment(l);
        if (p == "ipv6_none") return put("no next header");
        if (p == "ip_unknown") return put(" ip-proto-{} {}", l.num("protocol"), l.num("length"));
        if (p == "tcp") return tcp(l);
        if (p == "udp") return udp(l);
        if (p == "sctp") return sctp(l);
        if (p == "icmp") return icmp(l);
        if (p == "icmp6") return icmp6(l);
        if (p == "igmp") return igmp(l);
        if (p == "gre") return gre(l);
        if (p == "vxlan") return vxlan(l);
        if (p == "geneve") return geneve(l);
        if (p == "dns") return dns(l);
        if (p == "bootp") return bootp(l);
        if (p == "http" && !l.has("first_line") && d_.truncated == "http") return put(": HTTP");
        if (p == "ntp") return ntp(l);
        if (p == "http") return l.has("first_line") ? put(": HTTP: {}", l.text("first_line")) : put(": HTTP");
        if (p == "ssh") return l.has("first_line") ? put(": SSH: {}", l.text("first_line")) : void();
        if (p == "llc") return put("LLC, dsap 0x{:02x}, ssap 0x{:02x}, length {}", l.num("dsap"), l.num("ssap"), l.num("length"));
        if (p == "stp") return stp(l);
        if (p == "ppp") return put("PPP, proto 0x{:04x}", l.num("protocol"));
        if (p == "unknown") {
            if (!previous() || (previous()->protocol != "ethernet" && previous()->protocol != "sll" && previous()->protocol != "sll2"))
                put("ethertype Unknown (0x{:04x}), length {}", l.num("ethertype"), l.num("length"));
            return;
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
    void radiotap(const Layer& l) {
        if (l.has("rate_kbps")) {
            std::uint64_t r = l.num("rate_kbps");
            put("{}.{} Mb/s ", r / 1000, (r % 1000) / 100);
        }
        if (l.has("mhz")) {
            std::uint64_t f = l.num("channel_flags");
            // Channel flags (radiotap "Channel"): CCK 0x20, OFDM 0x40, 2 GHz 0x80, 5 GHz 0x100.
            std::string_view band = (f & 0x100) ? " 11a" : (f & 0x80) && (f & 0x40) ? " 11g" : (f & 0x80) && (f & 0x20) ? " 11b" : "";
            put("{} MHz{} ", l.num("mhz"), band);
        }
        if (l.has("signal_dbm")) put("{}dBm signal ", l.signed_num("signal_dbm"));
        if (l.has("noise_dbm")) put("{}dBm noise ", l.signed_num("noise_dbm"));
    }
    void ieee80211(const Layer& l) {
        std::uint64_t type = l.num("type"), sub = l.num("subtype");
        if (type == 0) {
            static constexpr std::string_view kManagement[] = {"Assoc Request", "Assoc Response", "ReAssoc Request",
                "ReAssoc Response", "Probe Request", "Probe Response", "", "", "Beacon", "ATIM", "Disassociation",
                "Authentication", "DeAuthentication", "Action"};
            std::string_view name = sub < std::size(kManagement) ? kManagement[sub] : "";
            if (name.empty()) put("Management subtype {} ", sub);
            else put("{} ", name);
            return;
        }
        if (type == 1) return put("Control subtype {} ", sub);
        if (o_.link_header) {
            if (l.has("bssid")) put("BSSID:{} ", l.text("bssid"));
            if (l.has("sa")) put("SA:{} ", l.text("sa"));
            if (l.has("da")) put("DA:{} ", l.text("da"));
        }
        if (!next()) put("Data subtype {} ", sub);
    }
    void stp(const Layer& l) {
        std::uint64_t t = l.num("bpdu_type");
        put("STP 802.1{}, {}", l.num("protocol_version") >= 2 ? "w" : "d", t == 0 ? "Config" : t == 0x80 ? "Topology Change" : t == 2 ? "Rapid STP" : "Unknown");
        if (!l.has("bridge_id")) return put(", length {}", l.num("length"));
        std::uint64_t f = l.num("flags");
        std::string flags = std::string((f & 1) ? "Topology change" : "") + ((f & 0x80) ? ((f & 1) ? ", " : "") + std::string("Topology change ACK") : "");
        put(", Flags [{}], bridge-id {}.{:04x}, length {}", flags.empty() ? "none" : flags, l.text("bridge_id"), l.num("port_id"),
            l.num("length"));
    }
    void arp(const Layer& l) {
        if (!l.has("sender_ip") && !d_.truncated.empty()) return;  // tcpdump needs the whole body first
        if (!named_) put("ARP, ");
        if (!l.has("opcode")) return;
        std::uint64_t op = l.num("opcode");
        if (!l.has("sender_ip")) return put("opcode {}, length {}", op, l.num("length"));
        switch (op) {
            case 1: put("Request who-has {} tell {}", l.text("target_ip"), l.text("sender_ip")); break;
            case 2: put("Reply {} is-at {}", l.text("sender_ip"), l.text("sender_mac")); break;
            case 3: put("Reverse Request who-is {} tell {}", l.text("target_mac"), l.text("sender_mac")); break;
            case 4: put("Reverse Reply {} at {}", l.text("target_mac"), l.text("target_ip")); break;
            default: put("opcode {}", op); break;
        }
        put(", length {}", l.num("length"));
    }

    // --- network
    // "src.sport > dst.dport: " when the transport header follows directly, else "src > dst: ".
    void addresses(const Layer& l) {
        const Layer* n = next();
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
        if (o_.verbose > 0) {
            std::string flags = l.flag("df") ? "DF" : "";
            if (l.flag("mf")) flags += "+";
            put("(tos 0x{:x}, ttl {}, id {}, offset {}, flags [{}], proto {} ({}), length {}", l.num("tos"), l.num("ttl"),
                l.num("id"), l.num("frag_offset"), flags.empty() ? "none" : flags, ip_protocol_name(l.num("protocol")),
                l.num("protocol"), l.num("length"));
            if (l.has("checksum_ok") && !l.flag("checksum_ok")) put(", bad cksum {:x}!", l.num("checksum"));
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
        if (!l.has("src")) return;
        if (o_.verbose > 0) {
            put("(");
            if (l.num("traffic_class")) put("class 0x{:x}, ", l.num("traffic_class"));
            if (l.num("flow")) put("flowlabel 0x{:05x}, ", l.num("flow"));
            put("hlim {}, next-header {} ({}) payload length: {}) ", l.num("hop_limit"), ip_protocol_name(l.num("next_header")),
                l.num("next_header"), l.num("payload_length"));
        }
        addresses(l);
    }
    void ipv6_routing(const Layer& l) {
        put("RT6 (len={}, type={}{}, segleft={}", l.num("length"), l.num("type"), l.num("type") == 0 ? " [Deprecated]" : "",
            l.num("segments_left"));
        std::string_view addrs = l.text("addresses");
        for (int n = 0; !addrs.empty(); ++n) {
            auto space = addrs.find(' ');
            put(", [{}]{}", n, addrs.substr(0, space));
            addrs = space == std::string_view::npos ? std::string_view{} : addrs.substr(space + 1);
        }
        put(") ");
    }
    void ipv6_fragment(const Layer& l) { put("frag ({}|{}) ", l.num("fragment_offset"), l.num("length")); }

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
            if (l.has("checksum_ok")) raw(l.flag("checksum_ok") ? " (correct)" : " (incorrect)");
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
                return put(", options [{},", l.text("options"));
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
        // tcpdump checks a UDP checksum over IPv4 only from -vv on (over IPv6 it is mandatory: -v).
        const Layer* ip = previous();
        if (o_.verbose > (ip && ip->protocol == "ipv4" ? 1 : 0) && l.has("checksum_ok"))
        {
            if (l.flag("checksum_ok")) raw("[udp sum ok] ");
            else put("[bad udp cksum 0x{:04x}!] ", l.num("checksum"));
        }
        const Layer* n = next();
        if (o_.quiet || !n) {
            stop_ = true;
            return put("UDP, length {}", l.num("payload_length"));
        }
    }
    void sctp(const Layer& l) {
        own_ports(l);
        ports_printed_ = false;
        if (l.has("chunks")) put("sctp ({}) {}", l.num("chunk_count"), l.text("chunks"));
    }
    void icmp(const Layer& l) {
        put("ICMP ");
        if (!l.has("type")) return;
        std::uint64_t type = l.num("type"), code = l.num("code");
        std::string_view qdst = l.text("quoted_dst");
        switch (type) {
            case 0: case 8:
                if (!l.has("id") && d_.truncated == "icmp") {  // tcpdump prints nothing of a cut echo
                    out_.resize(out_.size() - 5);
                    return;
                }
                if (l.has("id")) put("echo {}, id {}, seq {}", type ? "request" : "reply", l.num("id"), l.num("seq"));
                else put("echo {}", type ? "request" : "reply");
                break;
            case 3:
                switch (code) {
                    case 0: put("net {} unreachable", qdst); break;
                    case 1: put("host {} unreachable", qdst); break;
                    case 2: put("{} protocol {} unreachable", qdst, l.num("quoted_protocol")); break;
                    case 3: put("{} {} port {} unreachable", qdst, l.num("quoted_protocol") == 6 ? "tcp" : "udp", l.num("quoted_dport")); break;
                    case 4: put("{} unreachable - need to frag (mtu {})", qdst, l.num("mtu")); break;
                    case 13: put("host {} unreachable - admin prohibited filter", qdst); break;
                    default: put("{} unreachable - code {}", qdst, code); break;
                }
                break;
            case 4: put("source quench"); break;
            case 5: put("redirect {} to host {}", qdst, l.text("gateway")); break;
            case 9: put("router advertisement"); break;
            case 10: put("router solicitation"); break;
            case 11: raw(code == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded"); break;
            case 12: put("parameter problem - octet {}", l.num("pointer")); break;
            case 13: case 14: put("time stamp {} id {} seq {}", type == 13 ? "query" : "reply", l.num("id"), l.num("seq")); break;
            case 17: case 18: put("address mask {}", type == 17 ? "request" : "reply"); break;
            default: put("type-#{}", type); break;
        }
        put(", length {}", l.num("length"));
    }
    void icmp6(const Layer& l) {
        put("ICMP6, ");
        if (!l.has("type")) return;
        std::uint64_t type = l.num("type"), code = l.num("code");
        switch (type) {
            case 1: {
                static constexpr std::string_view kCodes[] = {"unreachable route", "unreachable prohibited", "beyond scope",
                                                              "unreachable address", "unreachable port"};
                put("destination unreachable, {}", code < std::size(kCodes) ? kCodes[code] : "unknown code");
                if (l.has("quoted_dst")) {
                    if (code == 4) put(", {} {} port {}", l.text("quoted_dst"), l.num("quoted_protocol") == 6 ? "tcp" : "udp", l.num("quoted_dport"));
                    else put(" {}", l.text("quoted_dst"));
                }
                break;
            }
            case 2: put("packet too big, mtu {}", l.num("mtu")); break;
            case 3: raw(code == 0 ? "time exceeded in-transit" : "time exceeded reassembly"); break;
            case 4: put("parameter problem, pointer {}", l.num("pointer")); break;
            case 128: case 129:
                put("echo {}", type == 128 ? "request" : "reply");
                if (l.has("id")) put(", id {}, seq {}", l.num("id"), l.num("seq"));
                break;
            case 130: put("multicast listener query"); break;
            case 131: put("multicast listener report, {}", l.text("group")); break;
            case 132: put("multicast listener done, {}", l.text("group")); break;
            case 133: put("router solicitation"); break;
            case 134: put("router advertisement"); break;
            case 135: put("neighbor solicitation, who has {}", l.text("target")); break;
            case 136: put("neighbor advertisement, tgt is {}", l.text("target")); break;
            case 137: put("redirect, {}", l.text("target")); break;
            case 143: put("multicast listener report v2, {} group record(s)", l.num("records")); break;
            default: put("type {}", type); break;
        }
        put(", length {}", l.num("length"));
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
    void gre(const Layer& l) {
        put("GREv{}", l.num("version"));
        if (!l.has("protocol")) return;
        if (l.has("key")) put(", key=0x{:x}", l.num("key"));
        if (l.has("sequence")) put(", seq {}", l.num("sequence"));
        std::uint64_t proto = l.num("protocol");
        if (proto != 0x0800 && proto != 0x86dd && proto != 0x6558 && proto != 0x8847)
            put(", proto {} (0x{:04x})", ethertype_name(proto), proto);
        put(", length {}: ", l.num("length"));
    }
    void vxlan(const Layer& l) {
        if (!l.has("vni")) return put("VXLAN");
        // tcpdump starts the inner frame on a new line; sniff keeps one line per packet.
        put("VXLAN, flags [{}] (0x{:02x}), vni {}: ", (l.num("flags") & 0x08) ? "I" : "", l.num("flags"), l.num("vni"));
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
        if (!l.has("id")) return;
        put("{}", l.num("id"));
        if (!l.has("flags")) return;
        static constexpr std::string_view kOps[] = {"", " inv_q", " stat", " op3", " notify", " update"};
        static constexpr std::string_view kRcodes[] = {"", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused",
                                                       " YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone"};
        std::uint64_t flags = l.num("flags"), op = l.num("opcode"), rcode = l.num("rcode");
        put("{}", op < std::size(kOps) ? kOps[op] : " op");
        bool truncated = d_.truncated == "domain";
        if (l.flag("response")) {
            put("{}{}{}{}", rcode < std::size(kRcodes) ? kRcodes[rcode] : " Resp", (flags & 0x0400) ? "*" : "",
                (flags & 0x0080) ? "" : "-", (flags & 0x0200) ? "|" : "");
            // tcpdump prints the counts once the questions have been read past.
            if (l.flag("questions_complete")) put(" {}/{}/{}", l.num("answers"), l.num("authority"), l.num("additional"));
            if (l.has("answer_records") && !l.text("answer_records").empty()) put(" {}", l.text("answer_records"));
        } else {
            put("{}{}", (flags & 0x0100) ? "+" : "", (flags & 0x0200) ? "|" : "");
            if (l.num("questions") != 1) put(" [{}q]", l.num("questions"));
            if (l.num("answers")) put(" [{}a]", l.num("answers"));
            if (l.num("authority")) put(" [{}n]", l.num("authority"));
            if (l.num("additional")) put(" [{}au]", l.num("additional"));
            if (l.has("question_type")) {
                std::uint64_t qt = l.num("question_type");
                std::string_view name = dns_type_name(qt);
                if (name.empty()) put(" Type{}", qt);
                else put(" {}", name);
                // mDNS (RFC 6762 5.4): the class's top bit asks for a unicast reply.
                const Layer* u = previous();
                if (u && u->protocol == "udp" && (u->num("sport") == 5353 || u->num("dport") == 5353))
                    raw((l.num("question_class") & 0x8000) ? " (QU)" : " (QM)");
                put("?");
            }
            if (l.has("question_name")) put(" {}", l.text("question_name"));
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

    bool named_ = false;          // the link header just named the payload, so it drops its "IP "
    bool ports_printed_ = false;  // the IP layer already printed the transport ports
    bool cooked_vlan_ = false;    // a VLAN tag behind a cooked header named its EtherType
};

}  // namespace

void append_text(std::string& out, const Decoded& packet, const TextOptions& options) {
    LineBuilder(out, packet, options).run();
}

}  // namespace decode
