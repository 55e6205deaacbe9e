// Lowering and cBPF emission: semantic errors with spans, readable golden dumps, and IR-level
// programs checked by running them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <tuple>

#include "cbpf_vm/dump.hpp"
#include "cbpf_vm/interpret.hpp"
#include "cbpf_vm/validate.hpp"
#include "compiler/big_stack.hpp"
#include "compiler/compile.hpp"
#include "compiler/emit_cbpf.hpp"
#include "compiler/link_type.hpp"

namespace {

using namespace sniff;

struct SemanticError {
    const char* text;
    std::size_t column;
    const char* message_part;
};

const SemanticError kSemanticErrors[] = {
    {"net 10.0.0.1/8", 5, "non-network bits set in '10.0.0.1/8'"},
    {"net 10.0.0.0/33", 14, "mask length must be <= 32"},
    {"net 2001:db8::1/32", 5, "non-network bits set"},
    {"net ::/129", 8, "mask length must be <= 128"},
    {"port 70000", 6, "port number 70000 is out of range"},
    {"port 08", 6, "non-octal digit"},
    {"ip port 80", 1, "'ip' cannot qualify 'port'"},
    {"tcp host 10.0.0.1", 1, "'tcp' cannot qualify 'host'"},
    {"ip6 host 10.0.0.1", 1, "'ip6' cannot qualify the IPv4 host"},
    {"ip host ::1", 1, "'ip' cannot qualify the IPv6 host"},
    {"10.0.0.1", 1, "'10.0.0.1' needs a qualifier"},
    {"not 10.0.0.1", 5, "'10.0.0.1' needs a qualifier"},
    {"tcp and 80", 9, "'80' needs a qualifier"},
    {"host 10.0.0.0/8", 15, "a network mask is only allowed with 'net'"},
    {"host 10.300.0.1", 6, "'300' in '10.300.0.1' is not a byte"},
    {"host no-such-host.invalid", 6, "unknown host 'no-such-host.invalid'"},
    {"port no-such-service", 6, "unknown port name 'no-such-service'"},
    {"net no-such-network", 5, "unknown network 'no-such-network'"},
    {"ether", 1, "'ether' needs what follows it"},
    {"net 10.0.0.0 mask 255", 19, "is not a dotted IPv4 netmask"},
    {"net 10.0.0.0 mask 0xff000000", 19, "is not a dotted IPv4 netmask"},
    // A short mask is promoted like a short network (255.255 is 255.255.0.0), then checked.
    {"net 10.0.1 mask 255.255", 5, "non-network bits set in '10.0.1 mask 255.255'"},
    {"net 10.1.0.0 mask 255.0.255", 5, "non-network bits set"},
    {"net 10.0.0.0 mask 255.255.256", 19, "'255.255.256' is not a dotted IPv4 netmask"},
    // An IPv6 host takes a prefix of 128 bits only, as libpcap's gen_mcode6; IPv4 hosts none.
    {"host ::/127", 9, "a network mask is only allowed with 'net', not 'host'"},
    {"host ::1/64", 6, "non-network bits set in '::1/64'"},
    {"host ::1/129", 10, "mask length must be <= 128"},
    {"host 10.0.0.1/32", 15, "a network mask is only allowed with 'net', not 'host'"},
    {"port ::1/128", 10, "a network mask is only allowed with 'net', not 'port'"},
    {"ether host abcdef00000", 12, "'abcdef00000' is not a MAC address"},
    {"ether host abcdef0000033", 12, "'abcdef0000033' is not a MAC address"},
    {"ether host aab.ccdd.eeff", 12, "'aab.ccdd.eeff' is not a MAC address"},
    {"byte 0 = 4294967296", 10, "does not fit in 32 bits"},
    {"byte 4294967296 = 0", 6, "does not fit in 32 bits"},
    {"byte 08 = 0", 6, "non-octal digit"},
    {"hots 10.0.0.1", 1, "'hots' is not a keyword"},
    {"tpc", 1, "'tpc' is not a keyword"},
    {"udp prot 53", 5, "'prot' is not a keyword"},
    {"tcp[tcpflag] & 2 != 0", 5, "unknown name 'tcpflag'"},
    {"ip[0:3] = 1", 6, "data size must be 1, 2 or 4, not 3"},
    {"ip[0] / 0 = 1", 9, "division by zero"},
    {"ip[0] % 0 = 1", 9, "modulus by zero"},
    {"ip[0] << 40 = 1", 10, "shift by 40 bits"},
    {"vlan 5000", 6, "VLAN id 5000 is out of range"},
    {"ip proto 300", 10, "IP protocol 300 is out of range"},
    // Issue 12's second increment: what libpcap refuses among the LAN and OSI forms.
    {"llc foo", 5, "unknown LLC frame kind 'foo'"},
    {"tcp or llc sabm", 12, "unknown LLC frame kind 'sabm'"},
    {"iso proto \\ip", 11, "unknown OSI protocol '\\ip'"},
    {"isis proto 0x12 or \\clnp", 20, "'isis proto' takes a PDU type number, not '\\clnp'"},
    {"iso[0] = 1", 1, "'iso[...]' is not supported: there is no index operation for 'iso'"},
    {"ip or aarp[0] = 1", 7, "no index operation for 'aarp'"},
    {"l1[0:2] = 1", 1, "no index operation for 'l1'"},
    // Issue 12's third increment: what libpcap 1.10 refuses that sniff compiled.
    {"ah[0] == 0", 1, "no index operation for 'ah'"},
    {"tcp or esp[0:2] == 0", 8, "no index operation for 'esp'"},
    {"decnet port 1", 8, "'decnet' cannot qualify 'port'"},
    {"decnet host foo", 13, "DECnet names are not looked up"},
    {"decnet host 0x1.1", 13, "'0x1.1' is not a DECnet address"},
    {"decnet proto 1", 1, "DECnet has no protocol field"},
    // Found by a user's tour: a list of values holds only values; a number after a protocol is no
    // misspelled keyword; after a parenthesised expression, a bare value has the qualifiers from
    // before it (none here).
    {"host 10.0.0.1 and (10.0.0.2 or port 80)", 32, "a parenthesised list of values cannot hold a primitive"},
    {"port 1 and not (2 or tcp)", 22, "a parenthesised list of values cannot hold a primitive"},
    {"ip 2", 4, "expected 'host', 'net', 'port' or a direction after 'ip'"},
    {"tcp 80", 5, "expected 'host', 'net', 'port' or a direction after 'tcp'"},
    {"(tcp port not 443) and 6", 24, "'6' needs a qualifier"},
    {"(host 10.0.0.1) or 10.0.0.2", 20, "'10.0.0.2' needs a qualifier"},
    {"ether src broadcast", 7, "'broadcast' takes no direction"},
    {"broadcast 10.0.0.9", 11, "'broadcast' takes no value"},
    {"ip6 dst multicast", 5, "'multicast' takes no direction"},
    {"stp[0] = 0", 1, "no index operation for 'stp'"},
    {"ether proto \\foo", 13, "unknown ether protocol 'foo'"},
    {"ether proto \\ISO", 13, "unknown ether protocol 'ISO'"},
    {"ether proto \\pup", 13, "unknown ether protocol 'pup'"},
    {"ip proto nosuchproto", 10, "unknown IP protocol 'nosuchproto'"},
    {"ether proto 0x10000", 13, "does not fit in 16 bits"},
    {"tcp broadcast", 1, "'tcp' cannot qualify 'broadcast'"},
    {"ip broadcast", 1, "netmask not known, so 'ip broadcast' not supported"},
    {"arp multicast", 1, "'arp' cannot qualify 'multicast'"},
    {"portrange http", 11, "'http' is not a port range"},
    {"portrange 70000", 11, "port number 70000 is out of range"},
    // A transport qualifier must fit every named end of a range, as libpcap now checks (#1440).
    {"udp portrange 25-smtp", 18, "port 'smtp' is tcp, not udp"},
    {"udp portrange smtp-25", 15, "port 'smtp' is tcp, not udp"},
    {"udp portrange domain-smtp", 22, "port 'smtp' is tcp, not udp"},
    {"udp portrange smtp-smtp", 15, "portrange 'smtp-smtp' is tcp, not udp"},
    {"ip[0:010] = 1", 6, "data size must be 1, 2 or 4, not 010"},
    {"ip[0:0x3] = 1", 6, "data size must be 1, 2 or 4, not 0x3"},
    {"ip[0:0x] = 1", 6, "data size must be 1, 2 or 4, not 0x"},
    {"ip portrange 1-2", 1, "'ip' cannot qualify 'portrange'"},
    {"ether host 1:2:3", 12, "'1:2:3' is not a MAC address"},
    {"ether port 80", 7, "'ether' cannot qualify 'port'"},
    {"vlan and mpls 2000000", 15, "MPLS label 2000000 is out of range"},
    {"mpls and vlan", 10, "no VLAN match after MPLS"},
    {"udp[0] = foo", 10, "unknown name 'foo'"},
    {"type mgt", 1, "'type' is not supported on link type EN10MB"},
    {"wlan ra 1:2:3:4:5:6", 6, "'ra' is not supported on link type EN10MB"},
    {"ip ra 1.2.3.4", 4, "'ra' is not a valid qualifier for addresses other than 802.11 MAC addresses"},
    {"radio[0] = 1", 1, "'radio[...]' is not supported on link type EN10MB"},
    {"tcp and ifname eth0", 9, "'ifname' is only supported on link type PFLOG, not EN10MB"},
    {"geneve 16777216", 8, "Geneve VNI 16777216 is out of range"},
    {"tcp protochain 6", 1, "'tcp' cannot qualify 'protochain'"},
    {"udp port http", 10, "port 'http' is tcp, not udp"},
    {"sctp portrange ftp-data-http", 16, "portrange 'ftp-data-http' is tcp, not sctp"},
    {"wlan", 1, "'wlan' needs what follows it"},
    {"ip6 protochain 300", 16, "IP protocol 300 is out of range"},
    {"protochain nosuchproto", 12, "unknown IP protocol 'nosuchproto'"},
};

struct HintCase {
    const char* text;
    const char* hint;
};

const HintCase kHints[] = {
    {"hots 10.0.0.1", "did you mean 'host'?"},
    {"udp prot 53", "did you mean 'port'?"},
    {"tcp[tcpflag] & 2 != 0", "did you mean 'tcpflags'?"},
    {"icmp[icmptype] = icmp-eco", "did you mean 'icmp-echo'?"},
    {"port 70000", "ports are 0..65535"},
    {"net 10.0.0.1/8", "the network is 10.0.0.0"},
};

TEST(Compile, HintsSuggestTheLikelyFix) {
    for (const auto& c : kHints) {
        auto r = compile(c.text);
        ASSERT_FALSE(r.has_value()) << c.text;
        EXPECT_EQ(r.error().hint, c.hint) << c.text;
    }
}

struct LinkErrorCase {
    int dlt;
    const char* text;
    std::size_t column;
    const char* message_part;
};

// Each text is refused on its link type, at its column, with its message.
template <std::size_t N>
void expect_refused(const LinkErrorCase (&cases)[N]) {
    for (const auto& c : cases) {
        auto r = compile(c.text, {c.dlt, 262144});
        ASSERT_FALSE(r.has_value()) << c.text << " compiled on " << c.dlt;
        EXPECT_EQ(r.error().span.begin + 1, c.column) << c.text << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.text << ": " << r.error().message;
    }
}

// 802.11 and the other LAN link types: what libpcap refuses, with the span and a clearer message.
const LinkErrorCase kLinkErrors[] = {
    {105, "type foo", 6, "unknown 802.11 type name 'foo'"},
    {105, "type 3", 6, "invalid 802.11 type value 0x03"},
    {105, "type data subtype beacon", 19, "unknown 802.11 subtype name 'beacon' for type 'data'"},
    {105, "type ctl subtype 0x0c", 18, "invalid 802.11 subtype value 0x0c"},
    {105, "subtype foo", 9, "unknown 802.11 subtype name 'foo'"},
    {105, "dir sideways", 5, "unknown 802.11 direction 'sideways'"},
    {192, "type mgt", 1, "'type' is not supported on link type PPI"},
    {192, "vlan", 1, "'vlan' is not supported on link type PPI"},
    {10, "vlan 5", 1, "'vlan' is not supported on link type FDDI"},
    {10, "type data", 1, "'type' is not supported on link type FDDI"},
    {51, "ether host 1:2:3:4:5:6", 1, "'ether host' is not supported on link type PPP_ETHER"},
    {113, "wlan addr1 1:2:3:4:5:6", 1, "'wlan host' is not supported on link type LINUX_SLL"},
    {10, "radio[0] = 1", 1, "'radio[...]' is not supported on link type FDDI"},
    // SS7: the MTP keywords need MTP2 (libpcap 1.10 has no MTP3 offsets); MTP2 has no network layer.
    {1, "fisu", 1, "'fisu' is not supported on link type EN10MB"},
    {141, "opc > 5", 1, "'opc' is not supported on link type MTP3"},
    {113, "ip or sio (1 or 2)", 7, "'sio' is not supported on link type LINUX_SLL"},
    {140, "ip", 1, "'ip' is not supported on link type MTP2"},
    {139, "msu and host 10.0.0.1", 9, "'host 10.0.0.1' is not supported on link type MTP2_WITH_PHDR"},
    {140, "tcp[0] = 1", 1, "'tcp' is not supported on link type MTP2"},
    {197, "link[ip[0]] = 1", 6, "'ip' is not supported on link type ERF"},
    {140, "vlan", 1, "'vlan' is not supported on link type MTP2"},
    {140, "ether host 1:2:3:4:5:6", 1, "'ether host' is not supported on link type MTP2"},
    {140, "opc 16384", 5, "opc value 16384 is too big: at most 16383"},
    {140, "dpc (1 or 16384)", 11, "dpc value 16384 is too big: at most 16383"},
    {140, "hsls > 16", 8, "hsls value 16 is too big: at most 15"},
    {140, "sio 256", 5, "sio value 256 is too big: at most 255"},
    // SunATM: the ATM keywords need it; before `lane` there are no MAC addresses or VLANs.
    {1, "lane", 1, "'lane' is not supported on link type EN10MB"},
    {140, "vpi > 3", 1, "'vpi' is not supported on link type MTP2"},
    {105, "ip or vci (1 or 2)", 7, "'vci' is not supported on link type IEEE802_11"},
    {123, "ether host 1:2:3:4:5:6", 1, "'ether host' is not supported on link type SUNATM"},
    {123, "vlan and lane", 1, "'vlan' is not supported on link type SUNATM"},
    {123, "mpls", 1, "'mpls' is not supported on link type SUNATM"},
    {123, "fisu", 1, "'fisu' is not supported on link type SUNATM"},
    // libpcap 1.10 has no `llc` on cooked or PPP captures, with or without a frame kind.
    {113, "llc ui", 1, "'llc' is not supported on link type LINUX_SLL"},
    {9, "ip or llc i", 7, "'llc' is not supported on link type PPP"},
};

// OpenBSD pf logs (PFLOG): the pf keywords on other link types, and the names and numbers
// libpcap 1.10.3 refuses after them (checked one by one with pcap_compile).
const LinkErrorCase kPflogErrors[] = {
    {1, "rnr 3", 1, "'rnr' is only supported on link type PFLOG, not EN10MB"},
    {113, "tcp and action pass", 9, "'action' is only supported on link type PFLOG, not LINUX_SLL"},
    {127, "ruleset foo", 1, "'ruleset' is only supported on link type PFLOG, not IEEE802_11_RADIO"},
    {117, "on tcp", 4, "expected an interface name after 'on', found 'tcp'"},
    {117, "ifname 0", 8, "expected an interface name after 'ifname', found '0'"},
    {117, "on 10.0.0.1", 4, "expected an interface name after 'on'"},
    {117, "on aabbccddeeff", 4, "expected an interface name after 'on'"},
    {117, "on eth-", 4, "expected an interface name after 'on'"},
    {117, "on \\", 4, "expected an interface name after 'on', found '\\'"},
    {117, "on abcdefghijklmnop", 4, "interface names can only be 15 characters"},
    {117, "rset abcdefghijklmnop", 6, "ruleset names can only be 15 characters"},
    {117, "rnr -1", 5, "expected a rule number after 'rnr', found '-1'"},
    {117, "srnr foo", 6, "expected a rule number after 'srnr', found 'foo'"},
    {117, "rnr 4294967296", 5, "does not fit in 32 bits"},
    {117, "reason foo", 8, "unknown pf reason 'foo'"},
    {117, "reason 1e", 8, "unknown pf reason '1e'"},
    {117, "action 3", 8, "unknown pf action '3'"},
    {117, "action match", 8, "unknown pf action 'match'"},
    {117, "ether host 1:2:3:4:5:6", 1, "'ether host' is not supported on link type PFLOG"},
    {117, "vlan", 1, "'vlan' is not supported on link type PFLOG"},
    {117, "llc", 1, "'llc' is not supported on link type PFLOG"},
    {117, "arp", 1, "expression rejects all packets on link type PFLOG"},
};

TEST(Compile, PflogKeywordsAreRefusedWhereLibpcapRefusesThem) {
    expect_refused(kPflogErrors);
}

struct ProgramCase {
    const char* text;
    const char* program;  // -d output
};

// libpcap 1.10.3's programs for pflog fields, as `tcpdump -y PFLOG -d` prints them: sniff's are
// the same, instruction for instruction. Names are compared without their NUL (`on em` matches em0).
const ProgramCase kPflogPrograms[] = {
    {"on em0",
     "(000) ldh      [5]\n"
     "(001) jeq      #0x6d30          jt 2\tjf 5\n"
     "(002) ldb      [4]\n"
     "(003) jeq      #0x65            jt 4\tjf 5\n"
     "(004) ret      #262144\n"
     "(005) ret      #0\n"
    },
    {"ifname abc",
     "(000) ldh      [5]\n"
     "(001) jeq      #0x6263          jt 2\tjf 5\n"
     "(002) ldb      [4]\n"
     "(003) jeq      #0x61            jt 4\tjf 5\n"
     "(004) ret      #262144\n"
     "(005) ret      #0\n"
    },
    {"rset abc",
     "(000) ldh      [21]\n"
     "(001) jeq      #0x6263          jt 2\tjf 5\n"
     "(002) ldb      [20]\n"
     "(003) jeq      #0x61            jt 4\tjf 5\n"
     "(004) ret      #262144\n"
     "(005) ret      #0\n"
    },
    {"rnr 3",
     "(000) ld       [36]\n"
     "(001) jeq      #0x3             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"srnr 0x10",
     "(000) ld       [40]\n"
     "(001) jeq      #0x10            jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"reason bad-offset",
     "(000) ldb      [3]\n"
     "(001) jeq      #0x1             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"reason 7",
     "(000) ldb      [3]\n"
     "(001) jeq      #0x7             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"action block",
     "(000) ldb      [2]\n"
     "(001) jeq      #0x1             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"outbound",
     "(000) ldb      [60]\n"
     "(001) jeq      #0x2             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {"ip6",
     "(000) ldb      [1]\n"
     "(001) jeq      #0xa             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
};

TEST(Compile, PflogFieldsCompileAsLibpcapCompilesThem) {
    for (const auto& c : kPflogPrograms) {
        auto r = compile(c.text, {117, 262144});
        ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().message;
        EXPECT_EQ(cbpf::dump(*r, 1), c.program) << c.text;
    }
    // Spellings libpcap takes too: long names, any case for reasons and actions, a backslash
    // before a keyword used as a name, and its named constants as numbers.
    const std::pair<const char*, const char*> same[] = {
        {"rulenum 3", "rnr 3"}, {"subrulenum 0", "srnr 0"}, {"ruleset abc", "rset abc"}, {"ifname em0", "on em0"},
        {"reason MATCH", "reason 0"}, {"action Drop", "action block"}, {"action accept", "action pass"},
        {"rnr tcpflags", "rnr 13"}, {"reason icmp-echo", "reason 8"},
    };
    for (auto [a, b] : same) {
        auto x = compile(a, {117, 262144}), y = compile(b, {117, 262144});
        ASSERT_TRUE(x.has_value() && y.has_value()) << a << " / " << b;
        EXPECT_EQ(*x, *y) << a << " and " << b;
    }
    auto escaped = compile("on \\tcp", {117, 262144});
    ASSERT_TRUE(escaped.has_value()) << escaped.error().message;
    const std::string text = cbpf::dump(*escaped, 1);
    EXPECT_NE(text.find("#0x6370"), std::string::npos) << "the name is 'tcp': " << text;
    EXPECT_NE(text.find("#0x74 "), std::string::npos) << "the name is 'tcp': " << text;
}

// ARCnet (ARCNET, ARCNET_LINUX): what libpcap refuses there, and ARCnet addresses elsewhere.
const LinkErrorCase kArcnetErrors[] = {
    {1, "ether host $1f", 12, "ARCnet addresses are only supported on link types ARCNET and ARCNET_LINUX, not EN10MB"},
    {7, "host $0a", 6, "ARCnet address '$0a' used in a non-ARCnet expression"},
    {7, "ether src $1f or dst $2", 22, "ARCnet address '$2' used in a non-ARCnet expression"},
    {7, "ether net $1f", 11, "used in a non-ARCnet expression"},
    {129, "ip host $1f", 9, "used in a non-ARCnet expression"},
    {7, "ether ra $1f", 7, "'ra' is not supported on link type ARCNET"},
    {7, "ether host $123", 12, "expected a host address or name after 'host'"},
    {7, "ether $1f", 7, "unexpected '$1f'"},
    {7, "ether host 1:2:3:4:5:6", 1, "'ether host' is not supported on link type ARCNET"},
    {129, "gateway foo", 1, "'gateway' is not supported on link type ARCNET_LINUX"},
    {7, "llc", 1, "'llc' is not supported on link type ARCNET"},
    {7, "vlan", 1, "'vlan' is not supported on link type ARCNET"},
    {7, "ipx", 1, "expression rejects all packets on link type ARCNET"},
    {129, "ether proto 0xd4", 1, "expression rejects all packets on link type ARCNET_LINUX"},
};

TEST(Compile, ArcnetRefusesWhatLibpcapRefuses) {
    expect_refused(kArcnetErrors);
}

struct LinkProgramCase {
    int dlt;
    const char* text;
    const char* program;  // -d output
};

// libpcap 1.10.3's programs on ARCnet, as `tcpdump -y ARCNET -d` prints them: protocol IDs
// (IPv4 and ARP by their RFC 1201 and RFC 1051 IDs), broadcast as destination 0, and an address
// whose digits libpcap and sniff read alike ($dd; README for the others).
const LinkProgramCase kArcnetPrograms[] = {
    {7, "ip",
     "(000) ldb      [2]\n"
     "(001) jeq      #0xd4            jt 3\tjf 2\n"
     "(002) jeq      #0xf0            jt 3\tjf 4\n"
     "(003) ret      #262144\n"
     "(004) ret      #0\n"
    },
    {7, "arp",
     "(000) ldb      [2]\n"
     "(001) jeq      #0xd5            jt 3\tjf 2\n"
     "(002) jeq      #0xf1            jt 3\tjf 4\n"
     "(003) ret      #262144\n"
     "(004) ret      #0\n"
    },
    {7, "ip6",
     "(000) ldb      [2]\n"
     "(001) jeq      #0xc4            jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {7, "broadcast",
     "(000) ldb      [1]\n"
     "(001) jeq      #0x0             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {7, "ether host $dd",
     "(000) ldb      [0]\n"
     "(001) jeq      #0xdd            jt 4\tjf 2\n"
     "(002) ldb      [1]\n"
     "(003) jeq      #0xdd            jt 4\tjf 5\n"
     "(004) ret      #262144\n"
     "(005) ret      #0\n"
    },
    {129, "ip",
     "(000) ldb      [4]\n"
     "(001) jeq      #0xd4            jt 3\tjf 2\n"
     "(002) jeq      #0xf0            jt 3\tjf 4\n"
     "(003) ret      #262144\n"
     "(004) ret      #0\n"
    },
    {129, "arp",
     "(000) ldb      [4]\n"
     "(001) jeq      #0xd5            jt 3\tjf 2\n"
     "(002) jeq      #0xf1            jt 3\tjf 4\n"
     "(003) ret      #262144\n"
     "(004) ret      #0\n"
    },
    {129, "ip6",
     "(000) ldb      [4]\n"
     "(001) jeq      #0xc4            jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {129, "broadcast",
     "(000) ldb      [1]\n"
     "(001) jeq      #0x0             jt 2\tjf 3\n"
     "(002) ret      #262144\n"
     "(003) ret      #0\n"
    },
    {129, "ether host $dd",
     "(000) ldb      [0]\n"
     "(001) jeq      #0xdd            jt 4\tjf 2\n"
     "(002) ldb      [1]\n"
     "(003) jeq      #0xdd            jt 4\tjf 5\n"
     "(004) ret      #262144\n"
     "(005) ret      #0\n"
    },
};

TEST(Compile, ArcnetCompilesAsLibpcapCompiles) {
    for (const auto& c : kArcnetPrograms) {
        auto r = compile(c.text, {c.dlt, 262144});
        ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().message;
        EXPECT_EQ(cbpf::dump(*r, 1), c.program) << c.text << " on " << c.dlt;
    }
    // `$1f` is the byte 0x1f; carried over to a bare address like any host.
    auto a = compile("ether src $1f or $Be", {7, 262144}), b = compile("ether[0] = 0x1f or ether[0] = 0xbe", {7, 262144});
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_EQ(*a, *b);
}

// IEEE802_11_RADIO_AVS (DLT 163) is PRISM_HEADER's AVS case without its magic test: libpcap
// takes the length at [4:4] as it is.
TEST(Compile, AvsHeaderLengthIsTakenWithoutAMagicTest) {
    auto avs = compile("type data", {163, 262144}), prism = compile("type data", {119, 262144});
    ASSERT_TRUE(avs.has_value() && prism.has_value());
    const std::string text = cbpf::dump(*avs, 1);
    EXPECT_NE(text.find("(000) ld       [4]\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("0x80211000"), std::string::npos) << text;
    EXPECT_NE(cbpf::dump(*prism, 1).find("0x80211000"), std::string::npos);
    auto mpls = compile("mpls", {163, 262144});
    ASSERT_FALSE(mpls.has_value());
    EXPECT_EQ(mpls.error().message, "'mpls' is not supported on link type IEEE802_11_RADIO_AVS");
    EXPECT_TRUE(compile("radio[0] = 0x80", {163, 262144}).has_value()) << "the AVS header is radio[]";
}

TEST(Compile, LinkTypeErrorsNameTheSpan) {
    expect_refused(kLinkErrors);
}

// libpcap's SS7 and ATM forms on MTP2 and SunATM (their programs: the differential tests), and the
// syntax errors libpcap's grammar gives for the others.
TEST(Compile, Ss7AndAtmFieldsTakeANumberARelationOrAList) {
    struct Row {
        int dlt;
        const char* text;
        bool compiles;
    };
    const Row rows[] = {
        {140, "fisu", true}, {140, "hmsu", true}, {139, "sio 3", true}, {197, "opc > 5", true}, {140, "dpc >= 5", true},
        {140, "sls = 5", true}, {140, "sls == 5", true}, {140, "hsio <= 5", true}, {140, "hopc < 5", true},
        {140, "hdpc != 5", true}, {140, "sio (1 or 2 or 3)", true}, {140, "sio ( 1 )", true}, {140, "sio (1 || 2)", true},
        {140, "not sio 0x10 and len > 5", true}, {140, "byte 2 = 1 or link[3] = 0", true}, {140, "inbound and msu", true},
        {140, "sio", false}, {140, "sio (1 and 2)", false}, {140, "sio (1 or > 2)", false}, {140, "sio 3 or 4", false},
        {140, "fisu 3", false}, {140, "sio -1", false}, {140, "host sio", false}, {140, "sio ()", false},
        {140, "opc > 5 or 6", false}, {140, "sio (1 or)", false}, {140, "sio ((1))", false}, {140, "sio (not 1)", false},
        {123, "vpi 1", true}, {123, "vci > 5", true}, {123, "vpi != 0", true}, {123, "vci (5 or 16)", true},
        {123, "lane and ether host 1:2:3:4:5:6", true}, {123, "lane and vlan and mpls and ip", true}, {123, "oamf4", true},
        {123, "connectmsg or metaconnect", true}, {123, "vpi 256", true}, {123, "vpi", false}, {123, "oamf4s", false},
        {123, "oamf4e", false}, {123, "host lane", false},
    };
    for (const auto& row : rows) {
        auto r = compile(row.text, {row.dlt, 262144});
        EXPECT_EQ(r.has_value(), row.compiles) << row.text << " on " << row.dlt << (r ? "" : ": " + r.error().message);
    }
}

TEST(Compile, LinkTypesRefuseWhatTheyCannotCarry) {
    auto vlan = compile("vlan", {12, 262144});
    ASSERT_FALSE(vlan.has_value());
    EXPECT_EQ(vlan.error().message, "'vlan' is not supported on link type RAW");
    auto arp = compile("arp", {229, 262144});
    ASSERT_FALSE(arp.has_value());
    EXPECT_EQ(arp.error().message, "expression rejects all packets on link type IPV6");
    EXPECT_TRUE(compile("not ip", {229, 262144}).has_value()) << "matches every IPv6 packet";
}

TEST(Compile, SemanticErrorsNameTheSpan) {
    for (const auto& c : kSemanticErrors) {
        auto r = compile(c.text);
        ASSERT_FALSE(r.has_value()) << c.text << " compiled";
        EXPECT_EQ(r.error().span.begin + 1, c.column) << c.text << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.text << ": " << r.error().message;
    }
}

// Issue 12's spellings compile to exactly the program of the long form they stand for, on link
// types with fixed and per-packet link headers (the byte primitive reads where `link[N]` does).
TEST(Compile, NewSpellingsCompileLikeTheirLongForms) {
    struct Row {
        const char* text;
        const char* long_form;
    };
    const Row rows[] = {
        {"dst or src host 10.0.0.1", "src or dst host 10.0.0.1"},
        {"dst and src port 53", "src and dst port 53"},
        {"tcp dst or src 10.0.0.1 or 10.0.0.2", "tcp src or dst host 10.0.0.1 or tcp src or dst host 10.0.0.2"},
        {"length >= 100", "len >= 100"},
        {"udp[length - 100] = 0", "udp[len - 100] = 0"},
        {"byte 8 = 5", "link[8] = 5"},
        {"byte 8 == 5", "link[8] = 5"},
        {"byte 8 < 5", "link[8] < 5"},
        {"byte 0x8 > 5", "link[8] > 5"},
        {"byte 0 & 0xf0", "link[0] & 0xf0 != 0"},
        {"byte 0 | 1", "link[0] | 1 != 0"},
        {"host ::1/128", "host ::1"},
        {"src host 2001:db8::1/128", "src host 2001:db8::1"},
        {"net 192.168.0.0 mask 255.255", "net 192.168.0.0/16"},
        {"net 10.0.1 mask 255.255.255", "net 10.0.1.0/24"},
        {"net 172.16.0.0 mask 255.240", "net 172.16.0.0/12"},
        {"ether dst abcdef000003", "ether dst ab:cd:ef:00:00:03"},
        {"ether host 0000200E0000", "ether host 00:00:20:0e:00:00"},
        {"ether host aa.bb.cc.dd.ee.ff", "ether host aa:bb:cc:dd:ee:ff"},
        // The second increment: protocol names after `ether proto`, OSI protocols, LLC kinds.
        {"ether proto \\iso", "ether proto 0xfe"},
        {"ether proto \\atalk", "ether proto 0x809b"},
        {"ether proto \\ipx", "ether proto 0xe0"},
        {"link proto \\sca", "ether proto 0x6007"},
        {"ether proto loopback", "ether proto 0x9000"},
        {"ether proto \\netbeui", "ether proto 0xf0"},
        {"iso proto \\clnp", "clnp"},
        {"iso proto \\isis", "isis"},
        {"iso proto 0x82", "esis"},
        {"llc UI", "llc ui"},
        {"llc RnR", "llc rnr"},
    };
    for (int dlt : {1, 113, 127, 192}) {
        for (const auto& row : rows) {
            auto spelled = compile(row.text, {dlt, 262144});
            auto long_form = compile(row.long_form, {dlt, 262144});
            if (!long_form) {  // a MAC address on a link type without one: both refused alike
                ASSERT_FALSE(spelled.has_value()) << row.text << " on " << dlt;
                EXPECT_EQ(spelled.error().message, long_form.error().message) << row.text << " on " << dlt;
                continue;
            }
            ASSERT_TRUE(spelled.has_value()) << row.text << " on " << dlt << ": " << spelled.error().message;
            EXPECT_EQ(*spelled, *long_form) << row.text << " on " << dlt;
        }
    }
}

TEST(Compile, BareValueInheritsTheQualifiersBeforeIt) {
    // `port 80 or 443` means `port 80 or port 443` (libpcap's carry-over).
    auto carried = compile("tcp port 80 or 443");
    auto spelled = compile("tcp port 80 or tcp port 443");
    ASSERT_TRUE(carried && spelled);
    EXPECT_EQ(*carried, *spelled);
    auto through_not = compile("src host 10.0.0.1 and not 10.0.0.2");
    auto through_not_spelled = compile("src host 10.0.0.1 and not src host 10.0.0.2");
    ASSERT_TRUE(through_not && through_not_spelled);
    EXPECT_EQ(*through_not, *through_not_spelled);
}

TEST(Compile, EmptyFilterAcceptsEverything) {
    auto r = compile("  ", {1, 1500});
    ASSERT_TRUE(r.has_value());
    std::vector<std::uint8_t> pkt(3, 0);
    EXPECT_EQ(cbpf::run(*r, pkt, 3), 1500u);
}

// libpcap's scanner takes only space, tab, CR and LF between tokens: a vertical tab or form feed
// is a syntax error there (pcap_compile: "syntax error"). filter_fuzz found sniff accepting them.
TEST(Compile, WhiteSpaceIsLibpcaps) {
    struct Case {
        const char* name;  // the text with its control characters spelled out
        const char* text;
        bool compiles;
    };
    const Case cases[] = {
        {"ip VT or arp", "ip\vor arp", false},
        {"ip FF or arp", "ip\for arp", false},
        {"VT", "\v", false},
        {"FF", "\f", false},
        {"tcp VT", "tcp\v", false},
        {"VT tcp", "\vtcp", false},
        {"port VT 53", "port\v53", false},
        {"TAB tcp CR LF or LF udp", "\ttcp\r\nor\nudp ", true},
        {"SP TAB CR LF", " \t\r\n", true},
    };
    for (const auto& c : cases) {
        auto r = compile(c.text);
        EXPECT_EQ(r.has_value(), c.compiles) << c.name << (r ? "" : ": " + r.error().message);
    }
}

// Texts pcap_compile refuses with a syntax error, which sniff accepted (found by filter_fuzz):
// a protocol directly before a value, and numbers that libpcap's scanner reads as part of a name
// (its names may hold '-', '_' and '.', and it takes the longest token). Controls beside them.
TEST(Compile, RefusesWhatLibpcapsGrammarRefuses) {
    struct Case {
        const char* text;
        bool compiles;
    };
    const Case cases[] = {
        {"ip 10.0.0.1", false},       {"arp 10.0.0.1", false},      {"rarp 00", false},
        {"ether 0:1:2:3:4:5", false}, {"ip6 ::1", false},           {"host 10.0.0.1 and ip 10.0.0.2", false},
        {"1-1=0", false},             {"ip[1-1]=0", false},         {"ip[0]&0xf0-0x40=0", false},
        {"ip[0]=1.5", false},         {"1_1=0", false},
        {"ip host 10.0.0.1", true},   {"ip src 10.0.0.1", true},    {"src 10.0.0.1", true},
        {"ip[0]-1=0", true},          {"ip[1 - 1] = 0", true},      {"len - 14 > 5", true},
        {"tcp[13]&2!=0", true},       {"ip[0]&0xf0=0x40", true},
        // The byte primitive takes numbers only, and one of five operators (libpcap's byteop).
        {"byte 8 != 5", false},       {"byte 8 >= 5", false},       {"byte 8 = 5 + 1", false},
        {"byte 8 = 5 or 6", false},   {"byte ip = 5", false},       {"byte 8=5", true},
        {"byte 8 = 5 and ip", true},  {"dst or src or dst host 10.0.0.1", false},
    };
    for (const auto& c : cases) {
        auto r = compile(c.text);
        EXPECT_EQ(r.has_value(), c.compiles) << c.text << (r ? "" : ": " + r.error().message);
    }
}

TEST(Compile, UnknownLinkTypeIsAnError) {
    auto r = compile("ip", {9999, 262144});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("link type 9999"), std::string::npos);
}

TEST(LinkTypes, FoundByNameOrNumber) {
    EXPECT_EQ(find_link_type("EN10MB")->dlt, 1);
    EXPECT_EQ(find_link_type("en10mb")->dlt, 1);
    EXPECT_EQ(find_link_type("113")->name, "LINUX_SLL");
    EXPECT_EQ(find_link_type("LINUX_SLL2")->dlt, 276);
    EXPECT_EQ(find_link_type("NOPE"), nullptr);
    EXPECT_EQ(find_link_type("12x"), nullptr);
}

// Golden dumps for a few readable filters: the layout a human checks against tcpdump -d.
TEST(Compile, GoldenDumps) {
    auto icmp = compile("icmp");
    ASSERT_TRUE(icmp);
    EXPECT_EQ(cbpf::dump(*icmp, 1),
              "(000) ldh      [12]\n"
              "(001) jeq      #0x800           jt 2\tjf 5\n"
              "(002) ldb      [23]\n"
              "(003) jeq      #0x1             jt 4\tjf 5\n"
              "(004) ret      #262144\n"
              "(005) ret      #0\n");
    auto sll_arp = compile("arp", {113, 65535});
    ASSERT_TRUE(sll_arp);
    EXPECT_EQ(cbpf::dump(*sll_arp, 3), "4\n40 0 0 14\n21 0 1 2054\n6 0 0 65535\n6 0 0 0\n");
    // The IPv4 path's failures go straight to the end: they decide the IPv6 test (libpcap: 17).
    auto src_port = compile("tcp src port 443");
    ASSERT_TRUE(src_port);
    EXPECT_EQ(cbpf::dump(*src_port, 1),
              "(000) ldh      [12]\n"
              "(001) jeq      #0x800           jt 2\tjf 9\n"
              "(002) ldb      [23]\n"
              "(003) jeq      #0x6             jt 4\tjf 15\n"
              "(004) ldh      [20]\n"
              "(005) jset     #0x1fff          jt 15\tjf 6\n"
              "(006) ldxb     4*([14]&0xf)\n"
              "(007) ldh      [x + 14]\n"
              "(008) jeq      #0x1bb           jt 14\tjf 15\n"
              "(009) jeq      #0x86dd          jt 10\tjf 15\n"
              "(010) ldb      [20]\n"
              "(011) jeq      #0x6             jt 12\tjf 15\n"
              "(012) ldh      [54]\n"
              "(013) jeq      #0x1bb           jt 14\tjf 15\n"
              "(014) ret      #262144\n"
              "(015) ret      #0\n");
}

// libpcap's optimizer refuses a filter no packet can pass ("expression rejects all packets");
// so does sniff's, from the control-flow graph, naming the `and` terms that conflict. Before the
// graph, all of these compiled to programs that match nothing, and exited 0.
// After `pppoes` the rest of the frame is PPP, as libpcap reads it: link-layer tests that need
// MAC addresses, VLAN tags or LLC are refused, as libpcap refuses them (they compiled to tests of
// the PPP bytes before; found by a user's tour).
TEST(Compile, LinkLayerTestsAfterPppoesAreRefusedAsOnPpp) {
    const std::pair<const char*, const char*> rows[] = {
        {"pppoes and vlan", "vlan"},
        {"vlan and pppoes and vlan 5", "vlan 5"},
        {"pppoes and llc", "llc"},
        {"pppoes and llc ui", "llc ui"},
        {"pppoes and ether host 1:2:3:4:5:6", "ether host 1:2:3:4:5:6"},
        {"pppoes and broadcast", "broadcast"},
        {"pppoes and multicast", "multicast"},
    };
    for (const auto& [filter, under] : rows) {
        auto r = compile(filter);
        ASSERT_FALSE(r.has_value()) << filter;
        EXPECT_NE(r.error().message.find("after 'pppoes'"), std::string::npos) << filter << ": " << r.error().message;
        const std::string_view text = filter;
        EXPECT_EQ(text.substr(r.error().span.begin, std::string_view(under).size()), std::string_view(under).substr(0, std::string_view(under).size())) << filter;
    }
    for (const char* ok : {"vlan and pppoes", "pppoes and ether[0] = 1", "pppoes and stp", "pppoes and pppoes"})
        EXPECT_TRUE(compile(ok).has_value()) << ok;
}

TEST(Compile, ImpossibleFiltersAreRefusedWithTheTermsThatConflict) {
    struct Row {
        const char* filter;
        const char* span;  // the text under the caret
        const char* hint;  // part of the hint
    };
    const Row rows[] = {
        {"tcp and udp", "tcp and udp", "'tcp' and 'udp'"},
        {"udp and vlan", "udp and vlan", "'udp' and 'vlan'"},
        {"port 80 and vlan", "port 80 and vlan", "'port 80' and 'vlan'"},
        {"udp and mpls", "udp and mpls", "'udp' and 'mpls'"},
        {"(arp or udp port 234) and vlan 12", "(arp or udp port 234) and vlan 12", "'(arp or udp port 234)' and 'vlan 12'"},
        {"ip and tcp and udp and port 80", "tcp and udp", "'tcp' and 'udp'"},
        {"port 80 and host 10.0.0.1 and vlan", "host 10.0.0.1 and vlan", "'host 10.0.0.1' and 'vlan'"},
        {"(tcp and port 80) and udp", "tcp and port 80) and udp", "'tcp' and 'udp'"},
        {"ip[0] = 1 and ip[0] = 2", "ip[0] = 1 and ip[0] = 2", "'ip[0] = 1' and 'ip[0] = 2'"},
        {"tcp or udp and icmp", "tcp or udp and icmp", "'tcp or udp' and 'icmp'"},  // ((tcp or udp) and icmp)
        {"not ip and icmp", "not ip and icmp", "'not ip' and 'icmp'"},
    };
    for (const auto& row : rows) {
        auto r = compile(row.filter);
        ASSERT_FALSE(r.has_value()) << row.filter;
        EXPECT_EQ(r.error().message, "expression rejects all packets") << row.filter;
        const std::string_view text = row.filter;
        EXPECT_EQ(text.substr(r.error().span.begin, r.error().span.end - r.error().span.begin), row.span) << row.filter;
        EXPECT_NE(r.error().hint.find(row.hint), std::string::npos) << row.filter << ": " << r.error().hint;
        // -O compiles them, as libpcap -O does (a program that matches nothing).
        EXPECT_TRUE(compile(row.filter, {.optimize = false}).has_value()) << row.filter;
    }
    // libpcap's optimizer does not know a value's range, so it compiles these to programs that
    // match nothing; so does sniff (refusing them would refuse what libpcap accepts).
    // libpcap's optimizer only sees `jeq` against `jeq` on the same value, so ranges and bits do not
    // make it refuse either (found by a user's tour: these were refused, and scripts got exit 1).
    for (const char* never : {"byte 0 = 256", "ip[0] > 255", "ip[0] & 0 != 0", "ip and ip[0] & 0xf0 = 0x41",
                              "len > 100 and len < 50", "greater 100 and less 50", "ip[0] > 10 and ip[0] < 5",
                              "src portrange 1-10 and src portrange 20-30", "tcp src port 80 and tcp src portrange 90-100",
                              "ip src net 10.0.0.0/8 and ip src 11.0.0.1", "llc and ip", "stp and ip", "llc u and llc i",
                              "mpls and llc"}) {
        auto r = compile(never);
        ASSERT_TRUE(r.has_value()) << never << ": " << r.error().message;
        for (const auto& in : *r)
            if (in.code == (cbpf::op::RET | cbpf::op::K)) EXPECT_EQ(in.k, 0u) << never;
    }
    // Possible ones stay possible, whatever they look like.
    for (const char* ok : {"tcp or udp", "vlan and udp", "udp and not vlan", "ip and not tcp and not udp", "port 80 and not port 80 or tcp"})
        EXPECT_TRUE(compile(ok).has_value()) << ok;
}

// ---- IR -> cBPF, checked by running the programs ----

std::uint32_t run_ir(const ir::Pred& pred, const std::vector<std::uint8_t>& pkt) {
    auto prog = emit_cbpf({pred, 7});
    EXPECT_TRUE(prog.has_value());
    EXPECT_TRUE(cbpf::validate(*prog).has_value()) << cbpf::dump(*prog, 1);
    return cbpf::run(*prog, pkt, static_cast<std::uint32_t>(pkt.size()));
}

TEST(EmitCbpf, PredicatesShortCircuitLeftToRight) {
    const std::vector<std::uint8_t> pkt = {0x12, 0x34, 0x56, 0x78};
    auto byte_is = [](std::uint32_t at, std::uint32_t v) { return ir::eq(ir::load(at, 1), v); };
    struct Row { ir::Pred pred; std::uint32_t expected; };
    const Row rows[] = {
        {byte_is(0, 0x12), 7},
        {byte_is(0, 0x13), 0},
        {ir::negate(byte_is(0, 0x13)), 7},
        {ir::all({byte_is(0, 0x12), byte_is(1, 0x34)}), 7},
        {ir::all({byte_is(0, 0x12), byte_is(1, 0x35)}), 0},
        {ir::any({byte_is(0, 0x99), byte_is(3, 0x78)}), 7},
        // A load past the captured bytes rejects even under a negation...
        {ir::negate(byte_is(10, 0)), 0},
        // ...but not when an earlier test decides first.
        {ir::any({byte_is(0, 0x12), byte_is(10, 0)}), 7},
        {ir::cmp(ir::CmpOp::Gt, ir::load(0, 2), ir::constant(0x1233)), 7},
        {ir::cmp(ir::CmpOp::Ge, ir::load(0, 2), ir::constant(0x1235)), 0},
        {ir::cmp(ir::CmpOp::AnySet, ir::load(3, 1), ir::constant(0x80)), 0},
        {ir::eq(ir::arith(ir::ArithOp::And, ir::load(0, 4), ir::constant(0xff00ff00)), 0x12005600), 7},
        // A non-constant right-hand side goes through scratch memory and X.
        {ir::cmp(ir::CmpOp::Eq, ir::arith(ir::ArithOp::Add, ir::load(0, 1), ir::load(1, 1)), ir::constant(0x46)), 7},
        {ir::cmp(ir::CmpOp::Gt, ir::load(1, 1), ir::load(0, 1)), 7},
        {ir::eq(ir::WireLength{}, 4), 7},
        {ir::eq(ir::load_indexed(ir::IpHeaderLength{3}, 0, 1), 0x00), 0},  // 4*(0x78&0xf)=32: past the end
        {ir::eq(ir::load_indexed(ir::constant(2), 1, 1), 0x78), 7},
        {true, 7},
        {false, 0},
    };
    for (std::size_t i = 0; i < std::size(rows); ++i) EXPECT_EQ(run_ir(rows[i].pred, pkt), rows[i].expected) << "row " << i;
}

TEST(EmitCbpf, FarConditionalJumpsGoThroughTrampolines) {
    // 300 alternatives: the first tests must jump over all the others to accept.
    std::vector<ir::Pred> terms;
    for (std::uint32_t i = 0; i < 300; ++i) terms.push_back(ir::eq(ir::load(0, 2), i * 7));
    auto prog = emit_cbpf({ir::any(std::move(terms)), 1});
    ASSERT_TRUE(prog.has_value()) << prog.error().message;
    ASSERT_TRUE(cbpf::validate(*prog).has_value()) << cbpf::describe(cbpf::validate(*prog).error());
    // Far branches to the `ret` land on copies of it placed within reach (pads shared by every
    // branch before them), not on one `ja` each.
    const auto rets = std::count_if(prog->begin(), prog->end(), [](const cbpf::Insn& in) { return in.code == (cbpf::op::RET | cbpf::op::K); });
    EXPECT_GT(rets, 2);
    EXPECT_LT(prog->size(), 300u + 300u / 100u + 4u);
    for (std::uint32_t v = 0; v < 2200; ++v) {
        std::vector<std::uint8_t> pkt = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        EXPECT_EQ(cbpf::run(*prog, pkt, 2), (v % 7 == 0 && v / 7 < 300) ? 1u : 0u) << v;
    }
}

// The kernel's 4096-instruction limit belongs to the kernel: a program for a file may be longer,
// and runs as it should (live capture checks the limit where it attaches the program).
TEST(Compile, ProgramsOverTheKernelLimitCompileForFiles) {
    // Word tests at offsets that change from term to term: nothing to share, no set to make.
    auto word = [](int i) { return static_cast<std::uint32_t>(i) * 2654435761u; };
    std::string text = "ether[0:4] = 0";
    for (int i = 1; i < 2500; ++i) text += fmt::format(" or ether[{}:4] = {}", i % 31, word(i));
    auto r = compile(text);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_GT(r->size(), cbpf::kMaxInsns);
    EXPECT_TRUE(cbpf::validate(*r, {.kernel_length_limit = false}));
    EXPECT_EQ(cbpf::validate(*r).error().rule, "too-long");
    auto plain = compile(text, {.optimize = false});
    ASSERT_TRUE(plain.has_value());
    // The same verdict as the unoptimized program on random 34-byte frames, half of them with
    // some term's word planted at its offset.
    std::mt19937 rng(7);
    std::size_t matched = 0;
    for (int n = 0; n < 3000; ++n) {
        std::vector<std::uint8_t> pkt(34);
        for (auto& b : pkt) b = static_cast<std::uint8_t>(rng());
        if (n % 2) {
            const int i = 1 + static_cast<int>(rng() % 2499);
            for (int b = 0; b < 4; ++b) pkt[i % 31 + b] = static_cast<std::uint8_t>(word(i) >> (24 - 8 * b));
        }
        const std::uint32_t want = cbpf::run(*plain, pkt, 34);
        EXPECT_EQ(cbpf::run(*r, pkt, 34), want) << n;
        matched += want != 0;
    }
    EXPECT_GT(matched, 100u);
    EXPECT_LT(matched, 2900u);
}

std::string repeated(const std::string& piece, std::size_t n) {
    std::string out;
    out.reserve(piece.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += piece;
    return out;
}

struct DeepFilter {
    const char* shape;
    std::string text;
    const char* same_as;  // compiles to this filter's program; nullptr: to some program
};

// Deep and long filters compile (on their own big stack) instead of overflowing it: 100,000
// levels of parentheses, `not`, `!`, unary minus and arithmetic groups; 20,000-term lists and
// alternating nests (the 100,000-term ones take seconds: compile_scale figures in the README).
// Before, about 4,000 parentheses, 10,000 `!` or 8,750 list terms ended in SIGSEGV.
TEST(Compile, DeepAndLongFiltersCompile) {
    constexpr std::size_t n = 100000, list = 20000;
    std::string hosts = "host 10.0.0.0";
    for (std::size_t i = 1; i < list; ++i) hosts += fmt::format(" or host 10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
    const DeepFilter rows[] = {
        {"parentheses", repeated("(", n) + "tcp" + repeated(")", n), "tcp"},
        {"'!'", repeated("! ", n) + "tcp", "tcp"},
        {"'not'", repeated("not ", n + 1) + "tcp", "not tcp"},
        {"arithmetic groups", "ip[0] = " + repeated("(", n) + "0x45" + repeated(")", n), "ip[0] = 0x45"},
        {"unary minus", "ip[0] = " + repeated("- ", n) + "0x45", "ip[0] = 0x45"},
        // `and` and `or` bind alike, left to right: ((tcp or udp) and ((tcp or udp) and … tcp)).
        {"alternating and/or", repeated("(tcp or udp and ", list) + "tcp" + repeated(")", list), nullptr},
        {"host list", hosts, nullptr},
        {"port list", "port 1" + [] { std::string t; for (int i = 2; i <= 20000; ++i) t += fmt::format(" or {}", i % 65536); return t; }(), nullptr},
    };
    for (const auto& row : rows) {
        auto r = compile(row.text);
        ASSERT_TRUE(r.has_value()) << row.shape << ": " << r.error().message;
        if (row.same_as) {
            EXPECT_EQ(*r, *compile(row.same_as)) << row.shape;
        }
    }
}

// Past the stack's room, a clear error at the place where nesting gets too deep, never a crash:
// a million parentheses on the 1 GiB stack, and a thousand on a thread with 256 KiB.
TEST(Compile, TooDeepFiltersAreAnErrorWithAPosition) {
    std::string million = repeated("(", 1000000) + "tcp" + repeated(")", 1000000);
    auto r = compile(million);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos) << r.error().message;
    EXPECT_GT(r.error().span.begin, 100000u);
    EXPECT_LT(r.error().span.begin, 1000000u);
    std::string rendered = render(r.error(), million);
    EXPECT_LT(rendered.size(), 400u) << "a window around the caret, not the whole filter";

    std::string thousand = repeated("(", 1000) + "tcp" + repeated(")", 1000);
    std::optional<std::expected<cbpf::Program, Diagnostic>> small;
    ASSERT_TRUE(sniff::run_with_stack(256 * 1024, [&] { small = compile(thousand); }));
    ASSERT_FALSE(small->has_value());
    EXPECT_NE(small->error().message.find("nested too deeply"), std::string::npos);
}

}  // namespace

namespace {

bool reads_kernel_vlan_fields(const cbpf::Program& p) {
    return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& in) { return in.k == 0xfffff030u || in.k == 0xfffff02cu; });
}

// Live on Ethernet, the first `vlan` also looks at the kernel's VLAN fields (the live test
// checks what that captures); elsewhere, and for filters without `vlan`, programs are unchanged.
TEST(Compile, LiveVlanUsesTheKernelsVlanFieldsOnlyWhereItMust) {
    const sniff::CompileOptions live{.dlt = 1, .kernel_vlan = true}, file{.dlt = 1};
    for (const char* expr : {"vlan", "vlan 5 and ip", "not vlan", "tcp or vlan 7"}) {
        auto l = compile(expr, live), f = compile(expr, file);
        ASSERT_TRUE(l && f) << expr;
        EXPECT_TRUE(reads_kernel_vlan_fields(*l)) << expr;
        EXPECT_FALSE(reads_kernel_vlan_fields(*f)) << expr;
    }
    for (const char* expr : {"ip", "tcp port 80", "mpls and ip"}) {
        auto l = compile(expr, live), f = compile(expr, file);
        ASSERT_TRUE(l && f) << expr;
        EXPECT_EQ(*l, *f) << expr;
    }
    auto sll = compile("ip", {.dlt = 113, .kernel_vlan = true});
    ASSERT_TRUE(sll);
    EXPECT_FALSE(reads_kernel_vlan_fields(*sll));
}

}  // namespace
