// Reading captures through libpcap and branch-directed packet mutation.
#include "packet_corpus.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

#include "cbpf_vm/interpret.hpp"

namespace fs = std::filesystem;

namespace testing_support {

std::string source_root() {
    const char* r = std::getenv("SNIFF_SOURCE_ROOT");
    return r ? r : ".";
}

std::string shared_corpus_dir() {
    // SNIFF_CORPUS=DIR reads another corpus; SNIFF_CORPUS=none (or empty) none at all, as on a
    // clean clone without ../shared (test.sh runs the differential suite that way too).
    const char* override_dir = std::getenv("SNIFF_CORPUS");
    if (override_dir && (std::string_view(override_dir).empty() || std::string_view(override_dir) == "none")) return {};
    fs::path dir = override_dir ? fs::path(override_dir) : fs::path(source_root()) / ".." / "shared" / "corpus" / "tcpdump-tests";
    std::error_code ec;
    return fs::is_directory(dir, ec) ? dir.string() : std::string{};
}

namespace {

void read_capture(const fs::path& path, int dlt, std::vector<StoredPacket>& out) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) return;
    if (pcap_datalink(p) == dlt) {
        pcap_pkthdr* hdr;
        const u_char* data;
        int index = 0;
        while (pcap_next_ex(p, &hdr, &data) == 1) {
            out.push_back({fmt::format("{}#{}", path.filename().string(), index++),
                           std::vector<std::uint8_t>(data, data + hdr->caplen), hdr->len});
        }
    }
    pcap_close(p);
}

void read_dir(const std::string& dir, int dlt, std::vector<StoredPacket>& out) {
    if (dir.empty()) return;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto ext = e.path().extension();
        if (ext == ".pcap" || ext == ".pcapng") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) read_capture(f, dlt, out);
}

}  // namespace

namespace {

std::vector<StoredPacket> read_all(int dlt, bool with_corpus) {
    std::vector<StoredPacket> out;
    read_dir((fs::path(source_root()) / "captures").string(), dlt, out);
    if (with_corpus) read_dir(shared_corpus_dir(), dlt, out);
    return out;
}

// Every k-th packet, so that at most `limit` remain (rewrapped Ethernet captures are large).
std::vector<StoredPacket> sample(std::vector<StoredPacket> in, std::size_t limit) {
    if (in.size() <= limit) return in;
    std::vector<StoredPacket> out;
    std::size_t step = (in.size() + limit - 1) / limit;
    for (std::size_t i = 0; i < in.size(); i += step) out.push_back(std::move(in[i]));
    return out;
}

// A packet rewrapped for another link type: `head` replaces the first `strip` bytes.
StoredPacket rewrap(const StoredPacket& p, std::size_t strip, const std::vector<std::uint8_t>& head, std::string_view how) {
    StoredPacket out{p.origin + " " + std::string(how), head, 0};
    strip = std::min(strip, p.bytes.size());
    out.bytes.insert(out.bytes.end(), p.bytes.begin() + static_cast<std::ptrdiff_t>(strip), p.bytes.end());
    out.wire_length = static_cast<std::uint32_t>(p.wire_length - strip + head.size());
    return out;
}

// Bare 802.11 frames: the radiotap captures without their radiotap header.
std::vector<StoredPacket> bare_80211(bool with_corpus) {
    std::vector<StoredPacket> out;
    for (const auto& p : read_all(127 /*IEEE802_11_RADIO*/, with_corpus)) {
        if (p.bytes.size() < 4) continue;
        std::size_t len = p.bytes[2] | (p.bytes[3] << 8);
        if (len <= p.bytes.size()) out.push_back(rewrap(p, len, {}, "(radiotap stripped)"));
    }
    return out;
}

// Wired LAN frames from Ethernet ones: `mac_head` before the addresses, then LLC (SNAP for
// EtherTypes; an 802.3 frame's LLC as it was).
std::vector<StoredPacket> llc_lan(bool with_corpus, const std::vector<std::uint8_t>& mac_head, std::string_view how) {
    std::vector<StoredPacket> out;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 6000)) {
        if (p.bytes.size() < 14) continue;
        std::vector<std::uint8_t> head = mac_head;
        head.insert(head.end(), p.bytes.begin(), p.bytes.begin() + 12);
        std::uint16_t type = static_cast<std::uint16_t>((p.bytes[12] << 8) | p.bytes[13]);
        if (type > 1500) head.insert(head.end(), {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, p.bytes[12], p.bytes[13]});
        out.push_back(rewrap(p, 14, head, how));
    }
    return out;
}

// PPPoE session frames (DLT PPP_ETHER) from Ethernet ones: IPv4, IPv6 and a few others.
std::vector<StoredPacket> pppoe_sessions(bool with_corpus) {
    std::vector<StoredPacket> out;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 6000)) {
        if (p.bytes.size() < 14) continue;
        std::uint16_t type = static_cast<std::uint16_t>((p.bytes[12] << 8) | p.bytes[13]);
        std::uint16_t ppp = type == 0x0800 ? 0x0021 : type == 0x86dd ? 0x0057 : type;
        std::vector<std::uint8_t> head = {0x11, 0x00, 0x12, 0x34, 0x00, 0x00, static_cast<std::uint8_t>(ppp >> 8),
                                          static_cast<std::uint8_t>(ppp)};
        out.push_back(rewrap(p, 14, head, "(as PPPoE)"));
    }
    return out;
}

// Link types whose frames are the network layer behind a small header, from Ethernet frames:
// `head_for(EtherType)` is that header (nullopt: skip the frame; an empty header: the bare
// network layer). For the link types that captures/ has no file of (raw IPv4 and IPv6, PPP,
// Cisco HDLC), so that a clean clone without the shared corpus still has packets for them.
std::vector<StoredPacket> behind_header(bool with_corpus, std::string_view how,
                                        const std::function<std::optional<std::vector<std::uint8_t>>(std::uint16_t)>& head_for) {
    std::vector<StoredPacket> out;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 2000)) {
        if (p.bytes.size() < 14) continue;
        const auto head = head_for(static_cast<std::uint16_t>((p.bytes[12] << 8) | p.bytes[13]));
        if (head) out.push_back(rewrap(p, 14, *head, how));
    }
    return out;
}

// OpenBSD pf log records (DLT PFLOG) around the network layers of Ethernet frames: struct
// pfloghdr (if_pflog.h) with fields that vary from packet to packet (interface and ruleset names,
// rule numbers, reasons, actions, directions), padded to 4 bytes. IPv4 is address family 2;
// IPv6 is Linux's 10 (what libpcap's programs test) or OpenBSD's 24; a few other frames get
// family 0. Some headers claim other lengths (the network header moves with them).
std::vector<StoredPacket> pflog_records(bool with_corpus) {
    static constexpr std::array<const char*, 7> ifnames = {"em0", "pflog0", "eth0", "eth0.1", "abcdefghijklmno", "em", "tcp"};
    static constexpr std::array<const char*, 5> rulesets = {"", "anchor", "foo", "abcdefghijklmno", "f"};
    static constexpr std::array<std::uint32_t, 5> rules = {0, 3, 7, 0xffffffffu, 13};
    static constexpr std::array<std::uint8_t, 6> lengths = {61, 61, 61, 64, 62, 45};
    std::vector<StoredPacket> out;
    std::size_t i = 0;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 2000)) {
        if (p.bytes.size() < 14) continue;
        const std::uint16_t type = static_cast<std::uint16_t>((p.bytes[12] << 8) | p.bytes[13]);
        const std::uint8_t af = type == 0x0800 ? 2 : type == 0x86dd ? (i % 3 == 2 ? 24 : 10) : 0;
        const std::uint8_t length = lengths[i % lengths.size()];
        std::vector<std::uint8_t> head((length + 3u) & ~3u, 0);
        head[0] = length, head[1] = af, head[2] = static_cast<std::uint8_t>(i % 12), head[3] = static_cast<std::uint8_t>((i / 2) % 16);
        auto put_name = [&](std::size_t at, const char* name) {
            for (std::size_t k = 0; name[k] && k < 16 && at + k < head.size(); ++k) head[at + k] = static_cast<std::uint8_t>(name[k]);
        };
        auto put_u32 = [&](std::size_t at, std::uint32_t v) {
            for (std::size_t k = 0; k < 4 && at + k < head.size(); ++k) head[at + k] = static_cast<std::uint8_t>(v >> (24 - 8 * k));
        };
        put_name(4, ifnames[i % ifnames.size()]);
        put_name(20, rulesets[(i / 3) % rulesets.size()]);
        put_u32(36, rules[i % rules.size()]);
        put_u32(40, rules[(i / 5) % rules.size()]);
        if (head.size() > 60) head[60] = static_cast<std::uint8_t>(i % 3);  // dir: 0, PF_IN, PF_OUT
        out.push_back(rewrap(p, 14, head, "(as pflog)"));
        ++i;
    }
    return out;
}

// ARCnet frames (DLT ARCNET, or ARCNET_LINUX with `linux_offset`) around the network layers of
// Ethernet frames: source and destination bytes (broadcast 0 now and then), 2 bytes of offset on
// Linux, the protocol ID (RFC 1201's, or RFC 1051's older ones for IPv4 and ARP; other EtherTypes
// get IDs libpcap never tests), then RFC 1201's split flag and sequence number.
std::vector<StoredPacket> arcnet_frames(bool with_corpus, bool linux_offset) {
    static constexpr std::array<std::uint8_t, 8> stations = {0x00, 0x1f, 0xd1, 0xdd, 0xbe, 0x50, 0x01, 0xff};
    std::vector<StoredPacket> out;
    std::size_t i = 0;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 2000)) {
        if (p.bytes.size() < 14) continue;
        const std::uint16_t type = static_cast<std::uint16_t>((p.bytes[12] << 8) | p.bytes[13]);
        const bool old_ids = i % 4 == 3;
        std::uint8_t id = static_cast<std::uint8_t>(0xe8 + i % 8);
        if (type == 0x0800) id = old_ids ? 0xf0 : 0xd4;
        if (type == 0x86dd) id = 0xc4;
        if (type == 0x0806) id = old_ids ? 0xf1 : 0xd5;
        if (type == 0x8035) id = 0xd6;
        if (type == 0x809b) id = 0xdd;
        std::vector<std::uint8_t> head = {stations[i % stations.size()], stations[(i / 3) % stations.size()]};
        if (linux_offset) head.insert(head.end(), {0x00, static_cast<std::uint8_t>(i % 5)});
        head.insert(head.end(), {id, 0x00, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)});
        out.push_back(rewrap(p, 14, head, linux_offset ? "(as Linux ARCnet)" : "(as ARCnet)"));
        ++i;
    }
    return out;
}

// A 16-bit value, big-endian.
std::vector<std::uint8_t> be16(std::uint16_t v, std::vector<std::uint8_t> before = {}) {
    before.push_back(static_cast<std::uint8_t>(v >> 8));
    before.push_back(static_cast<std::uint8_t>(v));
    return before;
}

// SS7 MTP2 signal units behind `head` (an MTP2 pseudo-header, or the bytes libpcap assumes before
// MTP2 in an ERF record): every unit type (length indicator 0, 1-2, 3-63; Q.703 §2.3.3), on
// normal and high-speed links (a 9-bit indicator in a 16-bit word 2 bytes on, Annex A), with
// SIOs and routing labels (Q.704 §2.2) drawn from a fixed seed, and cut short at every length.
std::vector<StoredPacket> mtp2_units(const std::vector<std::uint8_t>& head, std::string_view how) {
    std::vector<StoredPacket> out;
    std::uint32_t state = 0x5eed;
    auto next = [&] { state = state * 1103515245u + 12345u; return static_cast<std::uint8_t>(state >> 16); };
    constexpr std::array<std::uint8_t, 8> kIndicators = {0, 1, 2, 3, 5, 20, 63, 0xc4};  // 0xc4: spare bits set
    constexpr std::array<std::uint8_t, 6> kSios = {0x00, 0x03, 0x83, 0x05, 0xff, 0x10};
    for (std::size_t i = 0; i < 96; ++i) {
        std::vector<std::uint8_t> unit(2 + 12 + next() % 20);
        for (auto& b : unit) b = next();
        const std::size_t li = 2;  // after MTP2's BSN and FSN bytes
        unit[li] = kIndicators[i % kIndicators.size()];
        unit[li + 1] = kSios[(i / kIndicators.size()) % kSios.size()];
        if (i % 3 == 1) {  // high speed: a 16-bit indicator of 0, 0x80, 0x100… as libpcap loads it
            unit[li + 2] = static_cast<std::uint8_t>(std::array{0x00, 0x01, 0x02, 0x00, 0xff}[i % 5]);
            unit[li + 3] = static_cast<std::uint8_t>(std::array{0x00, 0x80, 0x00, 0x7f, 0x80}[i % 5]);
        }
        std::vector<std::uint8_t> bytes = head;
        bytes.insert(bytes.end(), unit.begin(), unit.end());
        const auto wire = static_cast<std::uint32_t>(bytes.size());
        out.push_back({fmt::format("MTP2 unit {} {}", i, how), bytes, wire});
        if (i % 8 == 0)
            for (std::size_t cut = 1; cut < bytes.size(); cut += 3)
                out.push_back({fmt::format("MTP2 unit {} {}, {} of {} bytes", i, how, cut, wire),
                               std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)), wire});
    }
    return out;
}

// SunATM frames (a 4-byte header: traffic type, VPI, VCI) from Ethernet frames: LLC/SNAP with
// the frame's EtherType (traffic type 2), LANE (type 1: a 2-byte LE header, 0 or the control
// marker 0xff00, then the whole Ethernet frame), 802.2 LLC with other SAPs, and Q.2931 messages on
// the signalling circuits (VPI 0, VCI 5 and 1), on the usual VPI/VCI values and some others.
std::vector<StoredPacket> sunatm_frames(bool with_corpus) {
    std::vector<StoredPacket> out;
    std::uint32_t state = 0xa7a7;
    auto next = [&] { state = state * 1103515245u + 12345u; return static_cast<std::uint8_t>(state >> 16); };
    constexpr std::array<std::uint8_t, 8> kVcis = {0, 1, 2, 3, 4, 5, 16, 42};
    auto header = [&](std::uint8_t type, std::size_t i) {
        const std::uint8_t flags = i % 5 == 0 ? 0x80 : i % 7 == 0 ? 0x40 : 0;  // direction and other bits
        return std::vector<std::uint8_t>{static_cast<std::uint8_t>(flags | type), static_cast<std::uint8_t>(i % 3 == 0 ? 1 : 0), 0,
                                         kVcis[i % kVcis.size()]};
    };
    std::size_t i = 0;
    for (const auto& p : sample(read_all(1 /*EN10MB*/, with_corpus), 600)) {
        if (p.bytes.size() < 14) continue;
        ++i;
        std::vector<std::uint8_t> snap = header(2, i);
        snap.insert(snap.end(), {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, p.bytes[12], p.bytes[13]});
        out.push_back(rewrap(p, 14, snap, "(as SunATM LLC/SNAP)"));
        std::vector<std::uint8_t> lane = header(1, i);
        lane.insert(lane.end(), {static_cast<std::uint8_t>(i % 4 == 0 ? 0xff : 0), 0x00});
        out.push_back(rewrap(p, 0, lane, "(as SunATM LANE)"));
    }
    for (std::size_t j = 0; j < 96; ++j) {
        // 802.2 LLC with the SAPs libpcap knows (STP, ISO, NetBEUI, IPX…), and signalling messages.
        constexpr std::array<std::uint8_t, 6> kSaps = {0x42, 0xfe, 0xf0, 0xe0, 0x06, 0xaa};
        std::vector<std::uint8_t> bytes = header(static_cast<std::uint8_t>(j % 4 == 3 ? 5 : 2), j);
        if (j % 3 == 0) bytes[1] = 0, bytes[3] = j % 2 ? 5 : 1;  // a signalling circuit
        const std::uint8_t sap = kSaps[j % kSaps.size()];
        bytes.insert(bytes.end(), {sap, sap, 0x03});
        for (std::size_t k = 0; k < 40; ++k) bytes.push_back(next());
        bytes[7] = std::array<std::uint8_t, 4>{0x81, 0x82, 0x83, 0x00}[j % 4];                 // an NLPID after ISO's SAPs
        bytes[9] = std::array<std::uint8_t, 7>{0x02, 0x05, 0x07, 0x0f, 0x4d, 0x5a, 0x01}[j % 7];  // a Q.2931 message type
        bytes[11] = static_cast<std::uint8_t>(0x0f + j % 0x18);                                 // an IS-IS PDU type
        const auto wire = static_cast<std::uint32_t>(bytes.size());
        out.push_back({fmt::format("SunATM frame {}", j), bytes, wire});
        if (j % 12 == 0)
            for (std::size_t cut = 1; cut < 16; cut += 2)
                out.push_back({fmt::format("SunATM frame {}, {} of {} bytes", j, cut, wire),
                               std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)), wire});
    }
    return out;
}

}  // namespace

std::vector<StoredPacket> packets_for_link_type(int dlt, bool with_corpus) {
    std::vector<StoredPacket> out = read_all(dlt, with_corpus);
    // Link types with few or no captures around get packets rewrapped from others.
    auto add = [&](std::vector<StoredPacket> more) { out.insert(out.end(), more.begin(), more.end()); };
    switch (dlt) {
        case 105:  // IEEE802_11
            add(bare_80211(with_corpus));
            break;
        case 119:  // PRISM_HEADER: 144 bytes; or an AVS header (magic 0x8021100x, length at [4:4])
            for (const auto& p : bare_80211(with_corpus)) {
                std::vector<std::uint8_t> prism(144, 0);
                prism[0] = 0x44;
                out.push_back(rewrap(p, 0, prism, "(Prism)"));
                std::vector<std::uint8_t> avs(64, 0);
                avs[0] = 0x80, avs[1] = 0x21, avs[2] = 0x10, avs[3] = 0x01, avs[7] = 64;
                out.push_back(rewrap(p, 0, avs, "(AVS)"));
            }
            break;
        case 163:  // IEEE802_11_RADIO_AVS: the length at [4:4] is taken as it is, magic or not
            for (const auto& p : bare_80211(with_corpus)) {
                std::vector<std::uint8_t> avs(64, 0);
                avs[0] = 0x80, avs[1] = 0x21, avs[2] = 0x10, avs[3] = 0x01, avs[7] = 64;
                out.push_back(rewrap(p, 0, avs, "(AVS)"));
                avs.resize(72, 0x5a);
                avs[0] = 0, avs[1] = 0, avs[2] = 0, avs[3] = 0x44, avs[7] = 72;
                out.push_back(rewrap(p, 0, avs, "(AVS, 72 bytes, no magic)"));
            }
            break;
        case 192:  // PPI: version, flags, length (LE), DLT (LE); 105 is 802.11
            for (const auto& p : bare_80211(with_corpus)) {
                out.push_back(rewrap(p, 0, {0, 0, 8, 0, 105, 0, 0, 0}, "(PPI)"));
                out.push_back(rewrap(p, 0, {0, 0, 12, 0, 105, 0, 0, 0, 1, 2, 3, 4}, "(PPI, 12-byte header)"));
            }
            for (const auto& p : sample(read_all(1, with_corpus), 500)) out.push_back(rewrap(p, 0, {0, 0, 8, 0, 1, 0, 0, 0}, "(PPI, Ethernet inside)"));
            break;
        case 10:  // FDDI: frame control byte first
            add(llc_lan(with_corpus, {0x50}, "(as FDDI)"));
            break;
        case 6:  // IEEE802 (Token Ring): access control and frame control bytes first
            add(llc_lan(with_corpus, {0x10, 0x40}, "(as Token Ring)"));
            break;
        case 51:  // PPP_ETHER
            add(pppoe_sessions(with_corpus));
            break;
        case 117:  // PFLOG
            add(pflog_records(with_corpus));
            break;
        case 7:  // ARCNET
        case 129:  // ARCNET_LINUX (the corpus has two captures of these)
            add(arcnet_frames(with_corpus, dlt == 129));
            break;
        case 140:  // MTP2
            add(mtp2_units({}, "(MTP2)"));
            break;
        case 139:  // MTP2_WITH_PHDR: a 4-byte pseudo-header (sent flag, annex A flag, link number)
            add(mtp2_units({0, 1, 0, 7}, "(MTP2 with pseudo-header)"));
            break;
        case 197:  // ERF: libpcap 1.10 looks for MTP2 22 bytes in, whatever the record
            add(mtp2_units(std::vector<std::uint8_t>(22, 0x11), "(ERF)"));
            break;
        case 123:  // SUNATM
            add(sunatm_frames(with_corpus));
            break;
        case 141:  // MTP3: a routing label's SIO and label, and no offsets in libpcap
            for (const auto& p : mtp2_units({}, "(MTP3)"))
                if (p.bytes.size() > 3) out.push_back(rewrap(p, 3, {}, ""));
            break;
        default: break;
    }
    // Few or no captures of their own (none in captures/): the network layers of Ethernet frames.
    constexpr std::size_t kEnough = 16;
    if (out.size() >= kEnough) return out;
    using Head = std::optional<std::vector<std::uint8_t>>;
    switch (dlt) {
        case 228:  // IPV4
            add(behind_header(with_corpus, "(as raw IPv4)", [](std::uint16_t t) { return t == 0x0800 ? Head{std::vector<std::uint8_t>{}} : std::nullopt; }));
            break;
        case 229:  // IPV6
            add(behind_header(with_corpus, "(as raw IPv6)", [](std::uint16_t t) { return t == 0x86dd ? Head{std::vector<std::uint8_t>{}} : std::nullopt; }));
            break;
        case 9:  // PPP: address 0xff, control 0x03, then the PPP protocol (RFC 1662)
            add(behind_header(with_corpus, "(as PPP)", [](std::uint16_t t) {
                return t == 0x0800 ? Head{be16(0x0021, {0xff, 0x03})} : t == 0x86dd ? Head{be16(0x0057, {0xff, 0x03})} : std::nullopt;
            }));
            break;
        case 104:  // C_HDLC: address 0x0f (unicast), control 0, then the EtherType
            add(behind_header(with_corpus, "(as Cisco HDLC)", [](std::uint16_t t) { return Head{be16(t, {0x0f, 0x00})}; }));
            break;
        default: break;
    }
    return out;
}

std::vector<StoredPacket> mutate_towards(const std::vector<StoredPacket>& seeds,
                                         const std::vector<cbpf::Program>& programs, std::size_t max_seeds, int path_rounds) {
    using namespace cbpf::op;
    // (indexed?, offset, size, value): what the programs compare.
    std::set<std::tuple<bool, std::uint32_t, unsigned, std::uint32_t>> targets;
    for (const auto& prog : programs) {
        for (std::size_t i = 0; i + 1 < prog.size(); ++i) {
            const auto& ld = prog[i];
            const auto& j = prog[i + 1];
            bool is_load = cls(ld.code) == LD && (mode(ld.code) == ABS || mode(ld.code) == IND);
            bool is_cmp = cls(j.code) == JMP && src(j.code) == K && alu_op(j.code) != JA;
            // Also `ld; and #m; jeq #v`.
            if (is_load && !is_cmp && i + 2 < prog.size() && prog[i + 1].code == (ALU | AND | K)) {
                const auto& j2 = prog[i + 2];
                if (cls(j2.code) == JMP && src(j2.code) == K && alu_op(j2.code) != JA) {
                    unsigned width = size(ld.code) == W ? 4 : size(ld.code) == H ? 2 : 1;
                    targets.insert({mode(ld.code) == IND, ld.k, width, j2.k});
                }
                continue;
            }
            if (!is_load || !is_cmp) continue;
            unsigned width = size(ld.code) == W ? 4 : size(ld.code) == H ? 2 : 1;
            targets.insert({mode(ld.code) == IND, ld.k, width, j.k});
        }
    }
    std::vector<StoredPacket> out;
    std::size_t step = std::max<std::size_t>(1, seeds.size() / std::max<std::size_t>(1, max_seeds));
    for (std::size_t s = 0; s < seeds.size(); s += step) {
        const auto& seed = seeds[s];
        for (const auto& [indexed, offset, width, value] : targets) {
            std::uint64_t at = offset;
            if (indexed) {
                // The programs index from an IPv4 header length (ldxb 4*([nl]&0xf)); try the two
                // network offsets this project's link types use.
                std::uint32_t nl = offset >= 20 && seed.bytes.size() > 20 && (seed.bytes[20] >> 4) == 4 ? 20
                                   : offset >= 16 && seed.bytes.size() > 16 && (seed.bytes[16] >> 4) == 4 ? 16 : 14;
                if (seed.bytes.size() <= nl) continue;
                at += (seed.bytes[nl] & 0xfu) * 4u;
            }
            if (at + width > seed.bytes.size()) continue;
            StoredPacket p = seed;
            p.origin += fmt::format("+set[{}{}:{}]={:#x}", indexed ? "x+" : "", offset, width, value);
            for (unsigned b = 0; b < width; ++b) p.bytes[at + b] = static_cast<std::uint8_t>(value >> (8 * (width - 1 - b)));
            out.push_back(std::move(p));
        }
    }
    // Then follow each program's own path: wherever a comparison read packet bytes (at whatever
    // offset X gave it), write the compared value there, and from those packets once more, so
    // that branches behind variable-length headers (802.11, radiotap) are reached too.
    std::vector<StoredPacket> frontier;
    for (std::size_t s = 0; s < seeds.size(); s += step) frontier.push_back(seeds[s]);
    for (int round = 0; round < path_rounds; ++round) {
        std::vector<StoredPacket> next;
        for (const auto& seed : frontier) {
            std::set<std::tuple<std::uint64_t, unsigned, std::uint32_t>> writes;
            for (const auto& prog : programs) {
                cbpf::Trace t = cbpf::run_traced(prog, seed.bytes, seed.wire_length);
                std::optional<std::pair<std::uint64_t, unsigned>> last_load;
                for (const auto& st : t.steps) {
                    if (st.load_offset && !st.out_of_bounds) last_load = std::pair{*st.load_offset, st.load_width};
                    if (!st.compared_with || !last_load) continue;
                    writes.insert({last_load->first, last_load->second, *st.compared_with});
                    writes.insert({last_load->first, last_load->second, *st.compared_with + 1});
                }
            }
            for (const auto& [at, width, value] : writes) {
                if (at + width > seed.bytes.size()) continue;
                StoredPacket p = seed;
                p.origin += fmt::format("+path[{}:{}]={:#x}", at, width, value);
                for (unsigned b = 0; b < width; ++b) p.bytes[at + b] = static_cast<std::uint8_t>(value >> (8 * (width - 1 - b)));
                next.push_back(std::move(p));
            }
        }
        // Keep the next round about as large as this one.
        std::size_t keep_step = std::max<std::size_t>(1, next.size() / std::max<std::size_t>(1, max_seeds));
        frontier.clear();
        for (std::size_t i = 0; i < next.size(); ++i) {
            if (i % keep_step == 0) frontier.push_back(next[i]);
            out.push_back(std::move(next[i]));
        }
    }
    return out;
}

std::size_t libpcap_loop_steps(const cbpf::Program& prog, const StoredPacket& p) {
    using namespace cbpf::op;
    std::uint32_t a = 0, x = 0;
    std::array<std::uint32_t, cbpf::kMemWords> mem{};
    std::map<std::size_t, std::size_t> visits;  // backward-jump target -> times jumped to
    auto load = [&](std::uint64_t at, std::uint16_t width, std::uint32_t& out) {
        const unsigned n = width == W ? 4 : width == H ? 2 : 1;
        if (at + n > p.bytes.size()) return false;
        out = 0;
        for (unsigned i = 0; i < n; ++i) out = (out << 8) | p.bytes[at + i];
        return true;
    };
    auto most = [&] {
        std::size_t m = 0;
        for (const auto& [target, count] : visits) m = std::max(m, count);
        return m;
    };
    // libpcap's loops end (a load fails) within the packet's length in steps; the bound only
    // guards against a program that would not.
    for (std::size_t pc = 0, executed = 0; pc < prog.size() && executed < 100'000'000; ++pc, ++executed) {
        const cbpf::Insn& in = prog[pc];
        switch (cls(in.code)) {
            case LD:
                switch (mode(in.code)) {
                    case IMM: a = in.k; break;
                    case ABS: if (!load(in.k, size(in.code), a)) return most(); break;
                    case IND: if (!load(std::uint64_t{x} + in.k, size(in.code), a)) return most(); break;
                    case MEM: a = mem[in.k % cbpf::kMemWords]; break;
                    case LEN: a = p.wire_length; break;
                    default: return most();
                }
                break;
            case LDX:
                switch (mode(in.code)) {
                    case IMM: x = in.k; break;
                    case MEM: x = mem[in.k % cbpf::kMemWords]; break;
                    case LEN: x = p.wire_length; break;
                    case MSH: {
                        std::uint32_t b = 0;
                        if (!load(in.k, B, b)) return most();
                        x = (b & 0xf) << 2;
                        break;
                    }
                    default: return most();
                }
                break;
            case ST: mem[in.k % cbpf::kMemWords] = a; break;
            case STX: mem[in.k % cbpf::kMemWords] = x; break;
            case ALU: {
                const std::uint32_t v = src(in.code) == X ? x : in.k;
                switch (alu_op(in.code)) {
                    case ADD: a += v; break;
                    case SUB: a -= v; break;
                    case MUL: a *= v; break;
                    case DIV: if (v == 0) return most(); a /= v; break;
                    case MOD: if (v == 0) return most(); a %= v; break;
                    case OR: a |= v; break;
                    case AND: a &= v; break;
                    case XOR: a ^= v; break;
                    case LSH: a = v < 32 ? a << v : 0; break;
                    case RSH: a = v < 32 ? a >> v : 0; break;
                    case NEG: a = 0u - a; break;
                    default: return most();
                }
                break;
            }
            case JMP: {
                if (alu_op(in.code) == JA) {
                    const std::int64_t offset = static_cast<std::int32_t>(in.k);
                    if (offset < 0) ++visits[static_cast<std::size_t>(static_cast<std::int64_t>(pc) + 1 + offset)];
                    pc = static_cast<std::size_t>(static_cast<std::int64_t>(pc) + offset);
                    break;
                }
                const std::uint32_t v = src(in.code) == X ? x : in.k;
                bool taken = alu_op(in.code) == JEQ ? a == v : alu_op(in.code) == JGT ? a > v : alu_op(in.code) == JGE ? a >= v : (a & v) != 0;
                pc += taken ? in.jt : in.jf;
                break;
            }
            case RET: return most();
            case MISC:
                if (misc_op(in.code) == TAX) x = a; else a = x;
                break;
        }
    }
    return most();
}

}  // namespace testing_support
