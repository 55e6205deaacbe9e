// A seeded generator of pcap-filter(7) expressions, for differential tests that compare sniff's
// programs with libpcap's on random filters (tests/random_filter_test.cpp, and the grammar tests).
#pragma once

#include <random>
#include <string>

namespace testing_support {

// Which link-layer primitives a filter should favour: each family is a group of DLTs whose
// headers accept the same link-level qualifiers (libpcap's gencode.c, gen_linktype and friends).
// Primitives a family cannot carry are still drawn now and then, so refusals get exercised.
enum class LinkFamily {
    Ethernet,  // EN10MB: ether, vlan, mpls, pppoes, LLC keywords
    Cooked,    // LINUX_SLL, LINUX_SLL2: ether proto, inbound/outbound
    RawIp,     // RAW, IPV4, IPV6: the network layer first
    Null,      // NULL, LOOP: a 4-byte address family
    Ppp,       // PPP, C_HDLC, PPP_ETHER: a PPP protocol field
    Wireless,  // IEEE802_11, radiotap, Prism, AVS, PPI: wlan addresses, type/subtype/dir, radio[]
    LlcLan,    // FDDI, IEEE802 (Token Ring): 802.2 LLC behind a MAC header
    Pflog,     // PFLOG: OpenBSD pf's log header (on, rnr, reason, action…) before IPv4/IPv6
    Arcnet,    // ARCNET, ARCNET_LINUX: one-byte addresses ($dd), protocol IDs
    Ss7,       // MTP2, MTP2_WITH_PHDR, ERF: SS7 signal units, no network layer (fisu, sio, opc…)
    Atm,       // SUNATM: LLC frames, or LANE Ethernet after `lane`; vpi, vci, oam…
};

// The family of a DLT number; link types sniff does not group fall back to RawIp.
LinkFamily link_family_for(int dlt);

struct GeneratorOptions {
    // Levels of and/or/not/parentheses above the primitives: 0 draws a single primitive or list.
    int max_depth = 3;
    // Most operands in one and/or chain, and most members in one list (`host A or host B …`).
    // libpcap's optimizer is roughly cubic in list length (issue 11), so keep this small.
    int max_terms = 6;
    LinkFamily family = LinkFamily::Ethernet;
    // Percent of primitives drawn as `protochain` (an unrolled walk in sniff, a loop in libpcap):
    // large programs, so rare by default.
    int protochain_percent = 2;
    // Whether one side of a relation may read several protocols (`ip[0] + tcp[2] > 5`). libpcap
    // 1.10's gen_arth keeps only the left operand's protocol test, so `link[5] - sctp[0] < 9` runs
    // on packets that are not SCTP there, while sniff tests both; off, each side reads one protocol.
    bool mix_protocols_in_arithmetic = true;
};

// One filter expression, drawn from `rng` alone: the same generator state gives the same text.
// Addresses, ports and constants come mostly from small pools that occur in captures/ and the
// tcpdump corpus (10.0.0.x, 192.168.1.x, 2001:db8::x, fe80::x, ports 53/80/443/67/68…), so both
// branches of each test are taken; the rest are random. Most draws are filters libpcap 1.10
// compiles, but some are not (a net with host bits set, a shift by a non-constant, a protocol the
// link type cannot carry): callers count those refusals.
std::string generate_filter(std::mt19937_64& rng, const GeneratorOptions& options = {});

}  // namespace testing_support
