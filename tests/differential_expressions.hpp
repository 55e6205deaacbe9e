// The differential suite's filter expressions and link types, defined once: the differential
// test runs them against libpcap, and bench/program_size compares program sizes over them.
#pragma once

#include <pcap/pcap.h>

namespace differential_cases {

// OpenBSD pf log fields (PFLOG only; refused elsewhere, as libpcap refuses them).
inline constexpr const char* kPflog[] = {
    "on em0", "ifname pflog0", "on eth0.1", "on em", "on abcdefghijklmno", "on \\tcp", "rset anchor", "ruleset foo",
    "rset f", "rnr 3", "rulenum 7", "rnr 0xffffffff", "srnr 13", "subrulenum 0", "rnr tcpflags", "reason match",
    "reason fragment", "reason 7", "reason MATCH", "reason synproxy", "reason 300", "action pass", "action block",
    "action nat", "action synproxy-drop", "action DROP", "inbound", "outbound", "on em0 and inbound and action block",
    "not on em and rnr 3 or reason short", "tcp and on eth0 and not action pass", "ip6 and rset anchor or srnr 7",
};

// ARCnet addresses and broadcast (ARCNET, ARCNET_LINUX only). Addresses are `$dd` only: for
// others libpcap 1.10.3 tests another byte (README, "Deliberate differences"; ArcnetAddresses
// compares those with their meaning).
inline constexpr const char* kArcnet[] = {
    "ether host $dd", "ether src $dd", "ether dst $dd", "link host $dd or $dd", "ether src and dst $dd",
    "not ether dst $dd and ip", "broadcast", "ether broadcast", "multicast", "not broadcast and arp",
    "ether proto \\atalk", "atalk or ether proto 0x809b",
};

// The filter subset of the end-to-end slice, with the qualifier carry-over cases.
inline constexpr const char* kExpressions[] = {
    "ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp",
    "host 10.0.0.1", "src host 10.0.0.1", "dst host 192.168.1.1", "host 172.16.5.4",
    "host 2001:db8::1", "src host fe80::1", "dst host ::1", "ip6 host 2001:db8::2",
    "net 10.0.0.0/8", "net 192.168.1.0/24", "dst net 172.16.0.0/12", "src net 10.1.2.0/23",
    "net 2001:db8::/32", "src net 2001:db8:1::/48", "net fe80::/10", "net 10.1", "net 10", "net 0.0.0.0/0",
    "net 10.0.0.0 mask 255.0.0.0", "host 10.0.0", "net ::/0",
    "port 53", "src port 53", "dst port 80", "tcp port 443", "udp port 53", "sctp port 9", "udp src port 68",
    "tcp dst port 22", "port 80 or 443", "port 80 or 443 or 22", "port 010", "port 0x35", "port domain",
    "tcp port http", "udp port ntp", "src or dst port 53", "src and dst port 53",
    "host 10.0.0.1 or 10.0.0.2", "host 10.0.0.1 and not 10.0.0.2", "src host 10.0.0.1 or dst 192.168.1.1",
    "src or dst host 10.0.0.1", "src and dst net 10.0.0.0/8", "ip host 10.0.0.1", "arp host 10.0.0.1",
    "rarp src host 10.0.0.1", "arp dst host 192.168.1.1", "ip6 host ::1", "ip net 192.168.0.0/16",
    "tcp and not port 22", "not ip", "not tcp port 80", "not host 10.0.0.1", "not port 53",
    "(tcp or udp) and host 10.0.0.1", "tcp or udp and host 10.0.0.1", "icmp or arp", "! tcp && udp || icmp",
    "not (port 80 or port 443) and tcp", "ip and not net 10.0.0.0/8", "ip6 and udp", "ip6 and not icmp6",
    "host localhost", "tcp and (port 80 or 443)", "not not arp", "udp and not port 53 and not port 123",
    "port 53 and not src net 10.0.0.0/8", "host 8.8.8.8 or host 2001:db8::1",
    // Lists of both address fields whose members differ in several words (eBPF: either-tuple sets).
    "ip6 host fe80::1 or ip6 host ff02::1 or ip6 host ff02::2 or ip6 host fe80::202:b3ff:fe1e:8329",
    "ether host ff:ff:ff:ff:ff:ff or ether host 01:00:5e:00:00:fb or ether host 33:33:00:00:00:01 or ether host 0:0:0:0:0:0",
    // The mirrored directions, IPv6 hosts with a /128 prefix, and short dotted netmasks (issue 12).
    "dst or src 10.0.0.1", "dst or src host 0xc0a8aad3", "dst or src port 53", "dst and src host 10.0.0.1",
    "udp dst or src port 53", "dst or src net 192.168.0.0/16", "dst and src port 53", "tcp dst or src portrange 20-80",
    "ip dst or src host 192.168.1.1", "dst or src host 2001:db8::1", "dst or src 10.0.0.1 or 10.0.0.2",
    "host ::1/128", "net ::1/128", "src host 2001:db8::1/128", "ip6 dst host fe80::1/128",
    "host 2001:db8::1/128 or 2001:db8::2", "dst or src host ff02::1/128", "not host ::/128",
    "net 192.168.0.0 mask 255.255", "net 10.0.1 mask 255.255.255", "net 192.168 mask 255.255",
    "src net 10.0.0.0 mask 255.255.0", "dst net 192.168.1 mask 255.255.255.0", "net 172.16.0.0 mask 255.240",
    "ip net 10.0 mask 255.255 or arp", "arp net 192.168.1 mask 255.255.255",
};

// Arithmetic, accessors and the other primitives; Ethernet-only ones are listed separately.
inline constexpr const char* kArithmetic[] = {
    // Offsets of 2^31 and more: past every packet, never Linux's special offsets (ancillary
    // fields, SKF_NET_OFF), under `not` too.
    "ether[4294967295:1] = 0", "not ether[0xfffff000] = 1", "ether[0xfffff004] != 99 or udp", "ip[0x80000000] = 1 or tcp",
    "not link[0xffe00000] = 0 and arp", "ether[ether[0] + 0xfffffff0] = 0",
    "tcp[13] & 2 != 0", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "tcp[tcpflags] == tcp-ack", "udp[0:2] > 1000",
    "udp[2:2] = 53", "icmp[icmptype] = icmp-echo", "icmp[0] != 0", "icmp6[0] = 128", "icmp6[icmp6type] = icmp6-echo",
    "ip[6:2] & 0x1fff != 0", "ip[0] & 0xf > 5", "ip[2:2] / 4 > 100", "ip[8] - 1 < 10", "ip[9] % 7 = 3", "ip[1] ^ 0xff >= 200",
    "ip[0] << 2 <= 0x150", "ip[12:4] >> 24 = 10", "ip6[6] = 17", "ip6[40:2] = 53", "arp[6:2] = 1", "rarp[7] = 3",
    "len > 100", "len <= 64", "len - 14 > 5 * 2", "less 100", "greater 200", "-len < -100", "ip[0] * 2 + ip[1] = 0x8a",
    "tcp[12] >> 4 > 5", "udp[len - 100] = 0", "ip[ip[0] & 0xf] > 0", "tcp[tcp[12] >> 4 << 2] = 0x16",
    "ip[8] = 64 or ip[8] = 128", "not ip[8] = 64", "(ip[8] = 64)", "ip[6] & 0x20 = 0x20 and ip[7] = 0",
    "igmp", "pim", "ah", "esp", "vrrp", "igrp", "igmp[0] = 0x11", "ip proto 47", "ip proto \\tcp", "ip6 proto 58",
    "proto 50", "proto \\udp", "ip6 proto \\tcp", "ip multicast", "ip6 multicast", "portrange 1000-2000",
    "tcp portrange 20-80", "udp src portrange 53-53", "src or dst portrange 5000-7000", "portrange 443-80",
    "tcp dst portrange 20-http", "port http", "port ftp or ftp-data", "sctp port domain",
    "portrange domain-http", "udp portrange 50-domain", "portrange 25", "tcp portrange 0x19", "portrange smtp-25",
    "ip[0:0x2] = 0x4500", "ip[2:02] > 100", "udp[0:0x4] > 0",
    // Precedence and associativity: each reads differently under another grouping.
    "ip[0] | ip[1] ^ ip[2] & 0xf = 0x4f", "ip[0] ^ ip[1] | 1 = 0x45", "ip[0] ^ 0x40 & 0x0f = 0x45",
    "ip[0] + ip[1] * 2 = 0x45", "ip[0] - ip[1] - 1 = 0x44", "ip[0] & 0xf0 >> 4 = 0", "ip[0] << 1 + 1 = 0x114",
    "ip[0] / 2 / 2 = 0x11", "ip[0] % 16 * 4 = 20", "ip[0] | 0x0f & 0x30 = 0x45", "- ip[0] + 0x100 = 0xbb",
    "ip[0] >> 4 << 4 = 0x40", "ip[0] & 3 | 4 = 5", "-ip[0] % 7 = 0", "ip[0] * ip[1] % 3 = 0",
    // The examples of pcap-filter(7) that need no name lookups (names replaced by addresses).
    "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src and dst net 10.0.0.0/8",
    "tcp[tcpflags] & (tcp-rst|tcp-ack) == (tcp-rst|tcp-ack)",
    "tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
    "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
    "icmp6[icmp6type] != icmp6-echo and icmp6[icmp6type] != icmp6-echoreply",
    "host 10.0.0.1 and (10.0.0.2 or 192.168.1.1)", "ip host 10.0.0.1 and not 192.168.1.77", "ip and not net 192.168.1.0/24",
    "ip[2:2] > 576", "ip6 protochain 6", "protochain 17", "ip protochain 50", "ip6 protochain 44", "protochain \\udp",
    "ip6 protochain 59", "ip6 protochain 51 and ip6 protochain 6", "not protochain 6", "ip6 protochain 0",
    "geneve", "geneve 5", "geneve and ip", "geneve and tcp port 80", "geneve 0x123456 and udp", "geneve and arp",
    "geneve and ip6 and icmp6", "not geneve", "geneve and host 10.0.0.1", "geneve and ip[9] = 17", "geneve and udp[0:2] > 0",
    "geneve and geneve and ip", "geneve or udp port 53", "ip and geneve and ip", "geneve and mpls", "geneve and mpls 5 and ip",
    "geneve and mpls or less 100", "geneve and pppoes and mpls",
    "inbound", "outbound", "ifindex 3", "not outbound and tcp", "decnet", "lat", "sca", "moprc", "mopdl", "decnet or lat",
    // `length` for `len`, and the old byte primitive (issue 12). libpcap 1.10 compiles `byte N &
    // V` and `byte N | V` without loading the byte: the test compares them with libpcap's
    // `link[N] & V != 0` (libpcap_spelling; README, "Deliberate differences").
    "length >= 100", "length < 64", "length - 14 > 5 * 2", "udp[length - 100] = 0", "greater 60 and length <= 1500",
    "byte 8 = 5", "byte 0 = 0x45", "byte 12 > 0x80", "byte 12 < 0x08", "byte 23 = 6", "byte 0x17 == 17",
    "byte 0 & 0xf0", "byte 0 | 1", "byte 0 | 0", "tcp and byte 13 & 2", "not byte 23 = 6", "byte 9 = 17 or byte 23 = 17",
    "byte 14 & 0x40 or byte 2 < 3", "byte 0 = 256", "byte 010 > 0", "ip and byte 0 & 0xf0", "byte 47 & 0x12",
};

inline constexpr const char* kEthernetOnly[] = {
    // After `pppoes` the frame is PPP: `mpls` is PPP's 0x0281 there, as libpcap has it.
    "pppoes and mpls", "pppoes 5 and mpls 3 and ip", "pppoes and mpls and mpls 2 and ip host 10.0.0.1",
    "vlan and pppoes and mpls", "pppoes and pppoes", "pppoes and mpls or mpls", "pppoes and geneve and mpls",
    // ... and ISO's NLPID is right after PPP's protocol field (found by a user's tour).
    "pppoes and isis", "pppoes and clnp", "pppoes and l1", "pppoes and iso proto 0x81", "pppoes and isis proto 0x12",
    "pppoes and esis or lsp", "geneve and l1", "pppoes and geneve and isis",
    "ether host 0:1:2:3:4:5", "ether src 02:00:00:00:00:01", "ether dst ff:ff:ff:ff:ff:ff", "ether broadcast",
    "ether multicast", "multicast", "broadcast", "ether proto 0x88cc", "ether proto \\ip", "ether[0] & 1 = 1",
    "ether[12:2] = 0x8100", "link[0] = 0xff", "vlan", "vlan 100", "vlan and ip", "vlan 10 and tcp port 80",
    "vlan and vlan and ip6", "vlan 100 or arp", "not vlan", "vlan and ip[9] = 6", "vlan and ether host 0:1:2:3:4:5",
    "ether[0] & 1 = 0 and ip[16] >= 224",
    "mpls", "mpls 100", "mpls and ip", "mpls and ip6", "mpls 16 and ip and tcp port 80", "mpls and mpls and ip",
    "mpls and mpls 5", "vlan and mpls and ip", "not mpls", "mpls and host 10.0.0.1", "pppoed", "pppoes", "pppoes 5",
    "pppoes and ip", "pppoes and tcp port 80", "pppoes 0x1234 and ip6", "pppoes and host 10.0.0.1", "not pppoes",
    // After `pppoes` the frame is PPP: LAN protocols are PPP protocol numbers, link bytes still count.
    "pppoes and stp", "pppoes and iso", "pppoes and ipx", "pppoes and ether[0] = 1", "pppoes and pppoes",
    "llc", "stp", "ipx", "netbeui", "iso", "esis", "es-is", "isis", "is-is", "clnp", "atalk", "aarp", "not llc", "stp or arp",
    "vlan and stp", "ether proto 100", "ether proto 0x42", "ether proto 0xfe", "ether proto 0xe0", "ether proto 0xf0",
    "isis or esis", "not iso and not ip", "ether proto 0x8137", "ether proto 0x600", "ether proto 0xfe and not esis",
    // The MAC spellings of libpcap's scanner: 12 hex digits, six dotted bytes, three dotted words.
    "ether dst abcdef000003", "ether host 0000200E0000", "ether src 020000000001", "ether host 000102030405",
    "ether dst FFFFFFFFFFFF", "ether host aa.bb.cc.dd.ee.ff", "ether host 0.1.2.3.4.5", "ether src 0200.0000.0001",
    "ether src 000102030405 or ff:ff:ff:ff:ff:ff", "ether dst or src 000102030405", "not ether host 0001.0203.0405",
    // Issue 12's second increment. The accessors of the LAN protocols libpcap indexes from the
    // network header, after the keyword's own test.
    "decnet[0xab] == 0xcd", "atalk[4] = 1", "lat[0] = 1", "mopdl[1] = 1", "moprc[1] = 1", "sca[2] = 1",
    "atalk[0:2] != 0", "decnet[2:2] & 0xff00 != 0", "lat[0] = 0 or mopdl[0] != 0", "sca[0:4] > 5", "not atalk[1] = 2",
    "atalk[len - 60] = 0", "atalk[4] + 1 = 2 or ip",
    // Protocol names after `ether proto` / `link proto`, as libpcap's EtherType and SAP tables have them.
    "ether proto \\iso", "ether proto \\atalk", "ether proto \\ipx", "ether proto \\aarp", "ether proto \\netbeui",
    "ether proto \\stp", "ether proto \\decnet", "ether proto \\lat", "ether proto \\mopdl", "ether proto \\moprc",
    "ether proto \\sca", "ether proto \\ip", "ether proto \\ip6", "ether proto \\arp", "ether proto \\rarp",
    "ether proto loopback", "ether proto \\loopback", "link proto \\sca", "link proto \\ipx or arp", "not ether proto \\iso",
    // LLC frame kinds: the control byte after the SAPs.
    "llc i", "llc s", "llc u", "llc rr", "llc rnr", "llc rej", "llc ui", "llc ua", "llc disc", "llc dm", "llc sabme",
    "llc test", "llc xid", "llc frmr", "llc UI", "llc I", "llc i or llc s", "not llc u", "llc xid or stp", "llc test and iso",
    // OSI: `iso proto` (the NLPID), `isis proto` (the PDU type) and the IS-IS PDU keywords.
    "iso proto \\clnp", "iso proto \\esis", "iso proto \\isis", "iso proto 0x81", "iso proto 300", "not iso proto 0x82",
    "isis proto 0x1a or 0x18", "isis proto 0x12", "is-is proto 20 or 21", "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp",
    "l1 and not lsp", "l2 or esis", "not iih",
    // Issue 12's third increment. DECnet addresses in the routing header (short and long, padded
    // or not); negated and parenthesised values after qualifiers; numbers in parentheses.
    "decnet host 50.764", "decnet src 1.1", "decnet dst not 63.1023", "decnet src or dst 10.20", "decnet dst and src 1.1",
    "decnet host 1024", "decnet src 1.1 or 2.2", "decnet host 64.1 or tcp", "not decnet dst 0.0",
    "host not 10.0.0.1", "port !80 and tcp", "host (10.0.0.1 or 10.0.0.2 or 192.168.1.1)", "src host (10.0.0.1 and 10.0.0.2)",
    "ip host (10.0.0.1 or not 192.168.1.1) and port (53 or 80)", "port not (80 or 443)", "udp port (53) or (67)",
    "proto (6 or 17)", "ether proto (0x800)", "src not 10.0.0.1 or 10.0.0.2", "vlan (100) or vlan", "mpls ((3))",
    // After a parenthesised expression a bare value takes the qualifiers from before the '('
    // (libpcap's `paren expr ')'`; found by a user's tour).
    "tcp port 80 or (udp port 53) or 123", "host 10.0.0.1 and (port 80) or 22", "udp port 53 and (tcp or udp) or 80",
    "host 10.0.0.1 and (tcp) or 10.0.0.2", "ip host 10.0.0.1 or (ip6 host ::1) or 10.0.0.2",
    "tcp port 80 or not (udp port 53) or 123", "port 80 or ((host 10.0.0.1)) or 443",
    // Under MPLS, `ether proto` is the IP version on Cisco HDLC as on Ethernet (found by a user's tour).
    "mpls and ether proto 0x800", "mpls and not ether proto 0x800", "mpls and (ether proto 0x86dd or ip)",
    // libpcap's named constants are numbers wherever a number goes (found by a user's tour).
    "port icmp-echo", "host icmp-echo or tcp-syn", "ip proto icmp-echo", "less icmp-echo", "vlan tcp-syn or vlan",
    "byte 0 = tcp-ack", "tcp port (icmp-echo or 80)",
};

// 802.11 and the other LAN headers; elsewhere they are refused (as libpcap refuses them) or mean
// the Ethernet header (`wlan host` is `ether host`).
inline constexpr const char* kWireless[] = {
    "wlan host 0:1:2:3:4:5", "wlan src 02:00:00:00:00:01", "wlan dst ff:ff:ff:ff:ff:ff", "wlan src and dst 0:1:2:3:4:5",
    "wlan ra 0:1:2:3:4:5", "wlan ta 0:1:2:3:4:5", "wlan addr1 ff:ff:ff:ff:ff:ff", "wlan addr2 0:1:2:3:4:5",
    "wlan addr3 0:1:2:3:4:5", "wlan addr4 0:1:2:3:4:5", "type mgt", "type ctl", "type data", "type 12",
    "type mgt subtype beacon", "type data subtype qos-data", "type ctl subtype ack", "subtype probe-req", "subtype ack",
    "subtype qos", "subtype null", "subtype deauth", "type 8 subtype 0x80", "type mgt subtype 0", "dir tods",
    "dir fromds", "dir dstods", "dir nods", "dir 2", "wlan[0] = 0x80", "wlan[1] & 3 = 1", "radio[2:2] > 0",
    "radio[4:4] & 0x20 != 0", "radio[radio[2]] = 0", "link[0] & 0xfc = 0x88", "fddi host 0:1:2:3:4:5", "tr src 0:1:2:3:4:5",
    "not type mgt and ip", "type data and tcp port 80", "subtype beacon or subtype probe-resp",
    "wlan host 0:1:2:3:4:5 and udp", "ether proto 0x809b", "ether proto 0x80f3", "ether proto 6", "vlan 5 and udp",
    "vlan and ip6 and tcp", "type data and not llc", "wlan multicast", "wlan broadcast", "ip and udp[8:2] = 0",
    "tcp[tcpflags] & tcp-syn != 0", "ip6 and icmp6[0] = 135", "ip[0] & 0xf != 5", "arp or rarp", "stp and not type mgt",
    "wlan host 000102030405", "wlan dst FFFFFFFFFFFF", "wlan addr2 0200.0000.0001", "wlan dst or src 0.1.2.3.4.5",
    "byte 0 = 0x80", "byte 1 & 3", "byte 0 > 0x40 and type data",
    // Any protocol name before type, subtype and dir means nothing (libpcap's `pqual p80211`).
    "wlan type mgt", "wlan type data subtype qos-data", "wlan subtype assoc-req", "wlan dir nods", "direction fromds",
    "ether type ctl", "ip subtype beacon", "wlan direction 3 and not type mgt",
};

// SS7 MTP2 (MTP2, MTP2_WITH_PHDR, ERF): signal unit types and routing label fields in every form;
// elsewhere refused, as libpcap refuses them. `!=` is spelled `not FIELD N` for libpcap 1.10
// (libpcap_spelling: it compiles `!=` there as `=`).
inline constexpr const char* kSs7[] = {
    "fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "not msu", "fisu or hfisu", "lssu and not hlssu",
    "sio 3", "sio 0x83", "sio 255", "sio 0", "hsio 3", "sio > 5", "sio >= 131", "sio < 4", "sio <= 3", "sio != 3",
    "sio == 5", "sio = 16", "opc 5", "opc 0", "opc 16383", "opc > 1000", "opc <= 2", "opc != 5", "dpc 255", "dpc 16383",
    "dpc 0x2a", "dpc >= 300", "dpc < 9000", "sls 0", "sls 15", "sls 7", "sls > 3", "sls != 2", "hopc 5", "hdpc 100",
    "hsls 9", "hsio >= 3", "hopc != 7", "sio (3 or 5 or 0x83)", "opc (1 or 2 or 1000)", "dpc (0 or 16383)",
    "sls (1 or 2) and msu", "hsio (3)", "not sio (0 or 3)", "msu and sio 3 and opc > 100 and dpc != 7",
    "lssu or sls 4 or link[2] = 0", "msu and len > 20", "sio 3 and link[4:4] & 0xff != 0", "byte 3 = 3 or hmsu",
};

// SunATM: the ATM keywords and fields, and the LAN protocols before and after `lane` (LLC
// frames, then LANE Ethernet); elsewhere refused, as libpcap refuses them.
inline constexpr const char* kSunAtm[] = {
    "lane", "llc", "oam", "oamf4", "oamf4sc", "oamf4ec", "oamf4sc or metac", "not oamf4ec", "metac", "bcc", "sc", "ilmic", "connectmsg", "metaconnect", "vpi 1", "vpi 0", "vci 5",
    "vci 16", "vpi > 0", "vci >= 5", "vci < 3", "vpi <= 1", "vpi != 1", "vci != 5", "vpi == 0", "vci (1 or 2 or 16)",
    "vpi (0) and vci (3 or 4)", "vpi 256", "vci 70000", "not lane", "lane and ip", "lane and llc", "lane and vlan",
    "lane and vlan 5 and ip", "lane and ether host 0:1:2:3:4:5", "lane and ether broadcast", "lane and ether multicast",
    "lane and ether src 02:00:00:00:00:01", "lane and tcp port 80", "lane and udp and ip6", "lane and stp",
    "lane and iso", "lane and ipx", "lane and atalk", "lane and aarp", "lane and decnet", "lane and ether proto 0x42",
    "lane and llc ui", "lane and mpls and ip", "lane and pppoes and ip", "lane and link[0] = 0", "lane and byte 1 = 2",
    "lane and ip[0] = 0x45", "lane and vpi 1", "lane and connectmsg", "lane and lane and ip", "lane and lane and llc",
    "lane and lane and ether broadcast", "not lane and ip", "lane or ip", "ip and lane and ip", "oam and ip",
    "sc and llc", "ip and vpi 0", "ilmic or metac or bcc", "connectmsg or metaconnect", "llc and not oam",
    "stp and vpi 1", "iso proto 0x81", "l1", "lsp or csnp", "esis", "netbeui", "atalk", "ipx", "clnp",
};

// The link types every expression is compiled and run on.
inline constexpr int kLinkTypes[] = {DLT_EN10MB, DLT_LINUX_SLL, 276 /*LINUX_SLL2*/, DLT_RAW, 228 /*IPV4*/,
                                     229 /*IPV6*/, DLT_NULL, DLT_LOOP, DLT_PPP, DLT_C_HDLC,
                                     51 /*PPP_ETHER*/, DLT_FDDI, DLT_IEEE802, DLT_IEEE802_11,
                                     DLT_IEEE802_11_RADIO, DLT_PRISM_HEADER, 192 /*PPI*/, 117 /*PFLOG*/,
                                     7 /*ARCNET*/, 129 /*ARCNET_LINUX*/, 163 /*IEEE802_11_RADIO_AVS*/, 140 /*MTP2*/,
                                     139 /*MTP2_WITH_PHDR*/, 141 /*MTP3*/, 197 /*ERF*/, 123 /*SUNATM*/};

}  // namespace differential_cases
