// Radiotap (radiotap.org, "Defined fields"): a little-endian header (version, pad, length,
// presence words), then each present field aligned to its natural size, in bit order. tcpdump
// prints the fields it knows in that order and stops at the first bit whose field it does not
// know ("[bit N]"), since that field's size and so every later field's place is unknown. The
// header's length says where the 802.11 frame starts whatever the fields hold.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

// Channel flags (radiotap "Channel" and "XChannel").
constexpr std::uint32_t kTurbo = 0x10, kCck = 0x20, kOfdm = 0x40, k2Ghz = 0x80, k5Ghz = 0x100, kDynamic = 0x400,
                        kGfsk = 0x800, kHalf = 0x4000, kQuarter = 0x8000, kHt20 = 0x10000, kHt40Up = 0x20000,
                        kHt40Down = 0x40000;
constexpr unsigned kBitXChannel = 18, kBitMcs = 19, kBitNamespace = 29,
                   kBitVendorNamespace = 30, kBitExtension = 31;

// Size and alignment of the fields tcpdump decodes; 0 for the others.
struct FieldShape {
    std::uint8_t size, align;
};
constexpr FieldShape kShapes[] = {
    {8, 8}, {1, 1}, {1, 1}, {4, 2}, {2, 1}, {1, 1}, {1, 1}, {2, 2}, {2, 2}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
    {2, 2}, {0, 0}, {0, 0}, {0, 0}, {8, 4}, {3, 1}, {8, 4}, {12, 2},
};

// HT data rates (IEEE 802.11-2020 19.5, MCS 0–31): one stream's rate at 20 and 40 MHz with the
// long guard interval, times the number of streams; the short guard interval is 10/9 of it.
double ht_rate(unsigned mcs, bool wide, bool short_gi) {
    static constexpr double k20[] = {6.5, 13, 19.5, 26, 39, 52, 58.5, 65};
    static constexpr double k40[] = {13.5, 27, 40.5, 54, 81, 108, 121.5, 135};
    double rate = (wide ? k40 : k20)[mcs % 8] * (mcs / 8 + 1);
    return short_gi ? rate * 10 / 9 : rate;
}

void print_channel(PrintContext& p, std::uint64_t mhz, std::uint64_t flags, std::uint64_t present) {
    p.put("{} MHz", mhz);
    if (present & (1u << kBitMcs)) {
        p.put(" 11n");
    } else {
        if ((flags & (k2Ghz | kGfsk)) == (k2Ghz | kGfsk)) p.put(" FHSS");
        if ((flags & (k5Ghz | kOfdm)) == (k5Ghz | kOfdm))
            p.put((flags & kHalf) ? " 11a/10Mhz" : (flags & kQuarter) ? " 11a/5Mhz" : " 11a");
        if ((flags & (k2Ghz | kOfdm)) == (k2Ghz | kOfdm) || (flags & (k2Ghz | kDynamic)) == (k2Ghz | kDynamic))
            p.put((flags & kHalf) ? " 11g/10Mhz" : (flags & kQuarter) ? " 11g/5Mhz" : " 11g");
        else if ((flags & (k2Ghz | kCck)) == (k2Ghz | kCck))
            p.put(" 11b");
        if (flags & kTurbo) p.put(" Turbo");
    }
    if (flags & kHt20) p.put(" ht/20");
    else if (flags & kHt40Down) p.put(" ht/40-");
    else if (flags & kHt40Up) p.put(" ht/40+");
    p.put(" ");
}

}  // namespace

void dissect_radiotap(Context& c) {
    const ByteReader& r = c.r;
    Layer& l = c.add("radiotap", 0);
    if (!r.has(0, 8)) return c.truncated("802.11_radio");
    const std::size_t length = r.u16le(2);
    l.set("version", r.u8(0)).set("length", length);
    if (length < 8 || !r.has(0, length)) return c.truncated("802.11_radio");
    // The presence words: the first, and one more for each extension bit.
    std::size_t at = 4;
    std::vector<std::uint32_t> words;
    while (true) {
        if (at + 4 > length) return c.truncated("802.11_radio");
        words.push_back(r.u32le(at));
        at += 4;
        if (!(words.back() & (1u << kBitExtension))) break;
    }
    l.set("present", words[0]);
    std::uint8_t flags = 0;
    bool done = false;
    unsigned base = 0;  // bit number of the word's bit 0 within the radiotap namespace
    for (std::size_t w = 0; w < words.size() && !done; ++w, base += 32) {
        const std::uint32_t present = words[w];
        for (unsigned b = 0; b < 32 && !done; ++b) {
            if (!(present & (1u << b))) continue;
            if (b == kBitExtension) continue;
            if (b == kBitNamespace || b == kBitVendorNamespace) {
                done = true;  // tcpdump prints no field past a namespace switch
                break;
            }
            const unsigned bit = base + b;
            if (bit >= std::size(kShapes) || kShapes[bit].size == 0) {
                l.set("unknown_bit", bit);
                done = true;
                break;
            }
            const FieldShape s = kShapes[bit];
            at = (at + s.align - 1) / s.align * s.align;
            if (at + s.size > length) {
                l.set_flag("fields_cut", true);  // tcpdump marks it, then prints the frame anyway
                done = true;
                break;
            }
            switch (bit) {
                case 0: l.set("tsft", std::uint64_t{r.u32le(at)} | (std::uint64_t{r.u32le(at + 4)} << 32)); break;
                case 1: flags = r.u8(at); l.set("flags", flags); break;
                case 2: l.set("rate", r.u8(at)); break;
                case 3: l.set("channel_mhz", r.u16le(at)).set("channel_flags", r.u16le(at + 2)); break;
                case 4: l.set("fhss_hop_set", r.u8(at)).set("fhss_hop_pattern", r.u8(at + 1)); break;
                case 5: l.set_signed("dbm_signal", static_cast<std::int8_t>(r.u8(at))); break;
                case 6: l.set_signed("dbm_noise", static_cast<std::int8_t>(r.u8(at))); break;
                case 7: l.set("lock_quality", r.u16le(at)); break;
                case 8: l.set("tx_attenuation", r.u16le(at)); break;
                case 9: l.set("db_tx_attenuation", r.u16le(at)); break;
                case 10: l.set_signed("dbm_tx_power", static_cast<std::int8_t>(r.u8(at))); break;
                case 11: l.set("antenna", r.u8(at)); break;
                case 12: l.set("db_signal", r.u8(at)); break;
                case 13: l.set("db_noise", r.u8(at)); break;
                case 14: l.set("rx_flags", r.u16le(at)); break;
                case 18:
                    l.set("xchannel_flags", r.u32le(at)).set("xchannel_mhz", r.u16le(at + 4)).set("xchannel_number", r.u8(at + 6))
                        .set("xchannel_max_power", r.u8(at + 7));
                    break;
                case 19: l.set("mcs_known", r.u8(at)).set("mcs_flags", r.u8(at + 1)).set("mcs_index", r.u8(at + 2)); break;
                case 20: l.set("ampdu_reference", r.u32le(at)).set("ampdu_flags", r.u16le(at + 4)); break;
                case 21: {
                    // VHT: known, flags, bandwidth, four users' MCS/NSS, coding, group, partial AID
                    l.set("vht_known", r.u16le(at)).set("vht_flags", r.u8(at + 2)).set("vht_bandwidth", r.u8(at + 3))
                        .set("vht_mcs_nss", r.u32(at + 4)).set("vht_coding", r.u8(at + 8));
                    break;
                }
            }
            at += s.size;
        }
    }
    c.out.link_length = length;
    // Flags (radiotap "Flags"): 0x10 the frame ends with its FCS, 0x20 the 802.11 header is padded
    // to a multiple of 4 bytes.
    dissect_ieee80211(c, length, (flags & 0x10) != 0, (flags & 0x20) != 0);
}

void print_radiotap(PrintContext& p, const Layer& l) {
    if (!l.has("present")) return;
    const std::uint64_t present = p.num(l, "present");
    if (l.has("tsft")) p.put("{}us tsft ", p.num(l, "tsft"));
    if (l.has("flags")) {
        const std::uint64_t f = p.num(l, "flags");
        if (f & 0x01) p.put("cfp ");
        if (f & 0x02) p.put("short preamble ");
        if (f & 0x04) p.put("wep ");
        if (f & 0x08) p.put("fragmented ");
        if (f & 0x40) p.put("bad-fcs ");
    }
    if (l.has("rate")) {
        const std::uint64_t rate = p.num(l, "rate");
        if (rate >= 0x80 && rate <= 0x8f) p.put("MCS {} ", rate & 0x7f);
        else p.put("{:.1f} Mb/s ", rate * 0.5);
    }
    if (l.has("channel_mhz") && !(present & (1u << kBitXChannel)))
        print_channel(p, p.num(l, "channel_mhz"), p.num(l, "channel_flags"), present);
    if (l.has("fhss_hop_set")) p.put("fhset {} fhpat {} ", p.num(l, "fhss_hop_set"), p.num(l, "fhss_hop_pattern"));
    if (l.has("dbm_signal")) p.put("{}dBm signal ", l.signed_num("dbm_signal"));
    if (l.has("dbm_noise")) p.put("{}dBm noise ", l.signed_num("dbm_noise"));
    if (l.has("lock_quality")) p.put("{} sq ", p.num(l, "lock_quality"));
    if (l.has("tx_attenuation")) p.put("{} tx power ", -static_cast<int>(p.num(l, "tx_attenuation")));
    if (l.has("db_tx_attenuation")) p.put("{}dB tx attenuation ", -static_cast<int>(p.num(l, "db_tx_attenuation")));
    if (l.has("dbm_tx_power")) p.put("{}dBm tx power ", l.signed_num("dbm_tx_power"));
    if (l.has("antenna")) p.put("antenna {} ", p.num(l, "antenna"));
    if (l.has("db_signal")) p.put("{}dB signal ", p.num(l, "db_signal"));
    if (l.has("db_noise")) p.put("{}dB noise ", p.num(l, "db_noise"));
    if (l.has("xchannel_mhz")) print_channel(p, p.num(l, "xchannel_mhz"), p.num(l, "xchannel_flags"), present);
    if (l.has("mcs_known")) {
        // MCS (radiotap): known bits 0x01 bandwidth, 0x02 index, 0x04 guard interval, 0x08 format,
        // 0x10 FEC, 0x20 STBC; the flags hold each.
        const std::uint64_t known = p.num(l, "mcs_known"), f = p.num(l, "mcs_flags"), mcs = p.num(l, "mcs_index");
        if (known & 0x02) {
            const unsigned bw = f & 0x03;
            if ((known & 0x01) && (known & 0x04) && mcs < 32)
                p.put("{:.1f} Mb/s MCS {} ", ht_rate(static_cast<unsigned>(mcs), bw == 1, f & 0x04), mcs);
            else
                p.put("MCS {} ", mcs);
        }
        if (known & 0x01) {
            static constexpr const char* kWidths[] = {"20 MHz ", "40 MHz ", "20 MHz (L) ", "20 MHz (U) "};
            p.put(kWidths[f & 0x03]);
        }
        if (known & 0x04) p.put((f & 0x04) ? "short GI " : "long GI ");
        if (known & 0x08) p.put((f & 0x08) ? "greenfield " : "mixed ");
        if (known & 0x10) p.put((f & 0x10) ? "LDPC FEC " : "BCC FEC ");
        if (known & 0x20) p.put("RX-STBC{} ", (f >> 5) & 0x03);
    }
    if (l.has("unknown_bit")) p.put("[bit {}] ", p.num(l, "unknown_bit"));
    if (l.has("fields_cut")) p.put(" [|802.11_radio]");
}

}  // namespace decode::detail
