// Packet layout of one link type as lowering sees it: the protocol tests every primitive builds
// on, with offsets that move when `vlan` has been matched earlier in the expression (libpcap's rule).
#pragma once

#include <sys/socket.h>

#include <bit>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"

namespace sniff {

constexpr std::uint16_t kEtherIp = 0x0800, kEtherIp6 = 0x86dd, kEtherArp = 0x0806, kEtherRarp = 0x8035;
constexpr std::uint8_t kProtoIcmp = 1, kProtoIgmp = 2, kProtoTcp = 6, kProtoIgrp = 9, kProtoUdp = 17, kProtoEsp = 50,
                       kProtoAh = 51, kProtoIcmp6 = 58, kProtoPim = 103, kProtoVrrp = 112, kProtoSctp = 132,
                       kProtoFragment = 44;
// AF_INET6 as BSD, FreeBSD and Darwin number it in NULL and LOOP headers (libpcap's BSD_AFNUM_INET6_*).
constexpr std::uint32_t kBsdAfInet6 = 24, kFreeBsdAfInet6 = 28, kDarwinAfInet6 = 30;

inline std::unexpected<Diagnostic> error(Span span, std::string message, std::string hint = {}) {
    return std::unexpected(Diagnostic{span, std::move(message), std::move(hint)});
}

using ast::Proto;

// Where a header starts: a constant offset, or a prologue variable plus a constant (802.11 and
// the radio headers before it have lengths only the packet gives).
struct Base {
    std::optional<ir::Var> var;
    std::uint32_t k = 0;

    Base plus(std::uint32_t d) const { return {var, k + d}; }
    // The offset itself, as a value.
    ir::Value offset() const { return var ? (k ? ir::arith(ir::ArithOp::Add, *var, ir::constant(k)) : ir::Value{*var}) : ir::constant(k); }
    // `size` bytes at `off` from here.
    ir::Value load(std::uint32_t off, std::uint8_t size) const {
        return var ? ir::load_indexed(*var, k + off, size) : ir::load(k + off, size);
    }
    // `size` bytes at `index + off` from here (the index is computed per packet).
    ir::Value load_at(ir::Value index, std::uint32_t off, std::uint8_t size) const {
        if (var) return ir::load_indexed(ir::arith(ir::ArithOp::Add, std::move(index), *var), k + off, size);
        return ir::load_indexed(std::move(index), k + off, size);
    }
};

// Packet layout of one link type: the protocol tests every primitive builds on.

// Encapsulations met earlier in the expression change where later primitives look, in
// expression order (libpcap's rule): `vlan` moves the EtherType and network layer 4 bytes on,
// `mpls` moves the network layer 4 bytes on (IP is then recognised by its version nibble), and
// `pppoes` turns the rest of the frame into PPP.
class Layout {
public:
    explicit Layout(const LinkType& lt, std::optional<SavefileContext> savefile = std::nullopt)
        : lt_(lt), savefile_(savefile), field_(lt.protocol_field), mac_(lt.mac), nlpid_offset_(lt.nlpid_offset) {
        if (lt.prefix == LinkPrefix::Pflog) {
            // The link header (pflog's) starts the packet; the network header is where the
            // prologue says (kPayloadVar), and no LLC header sits between them.
            protocol_ = Base{}.plus(lt.protocol_offset);
            network_ = llc_ = Base{ir::Var{kPayloadVar}, 0};
            return;
        }
        if (lt.prefix != LinkPrefix::None) link_ = Base{ir::Var{kLinkHeaderVar}, 0};
        // 802.11's payload starts after a header whose length depends on the frame.
        Base payload = lt.wlan() ? Base{ir::Var{kPayloadVar}, 0} : Base{};
        protocol_ = payload.plus(lt.protocol_offset);
        network_ = payload.plus(lt.network_offset);
        // Where 802.2 LLC starts: right after the MAC header, SNAP's EtherType 6 bytes on.
        llc_ = field_ == ProtocolField::Llc ? protocol_.plus(-6u) : network_;
    }

    const LinkType& link() const { return lt_; }
    // Set when compiling for a capture file (CompileOptions::savefile).
    const std::optional<SavefileContext>& savefile() const { return savefile_; }
    // The MAC header primitives see: the link type's, or Ethernet inside Geneve.
    MacHeader mac() const { return mac_; }
    bool wlan() const { return mac_ == MacHeader::Wlan; }
    bool in_geneve() const { return in_geneve_; }
    // After `pppoes`: the rest of the frame is PPP.
    bool in_pppoe() const { return in_pppoe_; }
    // Where ISO's NLPID byte is, from the LLC header (LinkType::nlpid_offset), for the frame as
    // the encapsulations so far left it: PPP after `pppoes` has none before it, Ethernet after
    // `geneve` or `lane` its 3-byte LLC header.
    std::uint8_t nlpid_offset() const { return nlpid_offset_; }
    ProtocolField field() const { return field_; }
    // Assignments the whole filter must start with (Geneve's variables), if any.
    const std::vector<ir::Assign>& setup() const { return setup_; }
    // The link-layer header (what `ether[...]`, `wlan[...]` count from).
    const Base& link_header() const { return link_; }
    const Base& network() const { return network_; }
    // `size` bytes at `off` into the network-layer header.
    ir::Value nl(std::uint32_t off, std::uint8_t size) const { return network_.load(off, size); }
    // `size` bytes `back` bytes before the network-layer header (the MPLS label above it).
    ir::Value nl_before(std::uint32_t back, std::uint8_t size) const { return network_.plus(-back).load(0, size); }
    // `size` bytes at `off` into the 802.2 LLC header.
    ir::Value llc(std::uint32_t off, std::uint8_t size) const { return llc_.load(off, size); }
    unsigned mpls_depth() const { return mpls_depth_; }
    unsigned vlan_depth() const { return vlan_depth_; }
    void skip_vlan_tag() {
        ++vlan_depth_;
        protocol_ = protocol_.plus(4);
        network_ = network_.plus(4);
        llc_ = llc_.plus(4);
    }
    void skip_mpls_label() {
        ++mpls_depth_;
        network_ = network_.plus(4);
    }
    // PPPoE session: a 6-byte PPPoE header, then PPP's 2-byte protocol and its payload.
    void enter_pppoe_session() {
        // What follows is PPP, as libpcap reads it (gen_pppoes switches to DLT_PPP): no MAC
        // addresses, VLAN tags or LLC headers in it.
        in_pppoe_ = true;
        nlpid_offset_ = 0;
        mac_ = MacHeader::None;
        field_ = ProtocolField::PppProtocol;
        link_ = network_.plus(6);  // `ether[…]`, `link[…]` count from the PPP header now
        protocol_ = network_.plus(6);
        network_ = network_.plus(8);
        llc_ = network_;
    }

    // Geneve: the variables the encapsulation sets (kGenevePayload and the rest) now say where
    // the inner frame's link header, protocol field and network header are.
    void enter_geneve() {
        // Before the first Geneve, the variables start out as the outer offsets, so that paths on
        // which no Geneve matched (`geneve or udp`) read the outer headers, and read set slots.
        if (!in_geneve_)
            setup_.insert(setup_.end(), {{kGenevePayload, true, link_.offset()}, {kGeneveProtocol, true, protocol_.offset()},
                                         {kGeneveNetwork, true, network_.offset()}});
        in_geneve_ = true;
        nlpid_offset_ = 3;
        mac_ = MacHeader::Ethernet;
        field_ = ProtocolField::EtherType;
        link_ = Base{ir::Var{kGenevePayload}, 0};
        protocol_ = Base{ir::Var{kGeneveProtocol}, 0};
        network_ = Base{ir::Var{kGeneveNetwork}, 0};
        llc_ = network_;
        mpls_depth_ = 0;
    }
    // The first `vlan` of a live Ethernet capture: the EtherType and network header are where
    // variables say (they start where they are now; the in-band path moves them 4 bytes on).
    void enter_kernel_vlan() {
        ++vlan_depth_;
        setup_.insert(setup_.end(), {{kVlanProtocol, true, protocol_.offset()}, {kVlanNetwork, true, network_.offset()}});
        protocol_ = Base{ir::Var{kVlanProtocol}, 0};
        network_ = Base{ir::Var{kVlanNetwork}, 0};
        llc_ = network_;
    }

    // SunATM `lane`: the frame is LANE (ATM Forum LANE 1.0): a 2-byte LE header at 4, then
    // Ethernet. Offsets are reset each time, as libpcap sets them; the ATM header's fields are
    // then read from the Ethernet header on (libpcap reads them relative to the link header).
    void enter_lane() {
        ++lanes_;
        nlpid_offset_ = 3;
        mac_ = MacHeader::Ethernet;
        field_ = ProtocolField::EtherType;
        link_ = Base{std::nullopt, 6};
        protocol_ = Base{std::nullopt, 18};
        network_ = Base{std::nullopt, 20};
        llc_ = network_;
    }
    unsigned lanes() const { return lanes_; }
    // After one `lane` (not inside Geneve): not an LE control frame, whose LE header is 0xff00.
    ir::Pred lane_guard() const {
        if (in_geneve_ || lanes_ != 1) return true;
        return ir::negate(ir::eq(ir::load(4, 2), 0xff00));
    }

    // MAC addresses are there only when the Geneve payload is an Ethernet frame (libpcap's test:
    // the network header does not start where the payload does). After one `lane`, not in an LE
    // control frame (LE header 0xff00); libpcap 1.10 drops that test after a second `lane`.
    ir::Pred mac_guard() const {
        if (!in_geneve_) return lane_guard();
        return ir::negate(ir::cmp(ir::CmpOp::Eq, ir::var(kGenevePayload), ir::var(kGeneveNetwork)));
    }

    // 802.11 frames carry LLC only in data frames: "type data" (FC type bits 0x0c == 0x08);
    // SunATM frames before `lane` when their traffic type (low nibble of byte 0) is 2, LLC.
    // True on other link types.
    ir::Pred data_frame() const {
        if (lt_.sunatm && lanes_ == 0) return ir::eq(ir::arith(ir::ArithOp::And, ir::load(0, 1), ir::constant(0x0f)), 2);
        if (!wlan()) return true;
        ir::Value fc = link_.load(0, 1);
        return ir::all({ir::negate(ir::cmp(ir::CmpOp::AnySet, fc, ir::constant(0x04))),
                        ir::cmp(ir::CmpOp::AnySet, fc, ir::constant(0x08))});
    }

    // The protocol field itself, for the LLC SAPs some link types put there (libpcap's gen_linktype).
    ir::Value protocol_field() const { return protocol_.load(0, 2); }

    // "The frame carries network protocol `type`" (an EtherType), however this link type says it;
    // false where the link type cannot carry it (ARP on raw IP), as libpcap has it.
    ir::Pred ethertype(std::uint16_t type) const {
        if (mpls_depth_ > 0) {
            // Under MPLS: the previous label is the bottom of the stack and the IP version matches.
            if (type != kEtherIp && type != kEtherIp6) return false;
            return ir::all({ir::cmp(ir::CmpOp::AnySet, nl_before(2, 1), ir::constant(1)),
                            ir::eq(ir::arith(ir::ArithOp::And, nl(0, 1), ir::constant(0xf0)),
                                   type == kEtherIp ? 0x40 : 0x60)});
        }
        switch (field_) {
            case ProtocolField::EtherType: return ir::all({lane_guard(), ir::eq(protocol_.load(0, 2), type)});
            case ProtocolField::Llc: return ir::all({data_frame(), ir::eq(protocol_.load(0, 2), type)});
            case ProtocolField::PppProtocol:
            {
                // PPP's own numbers for protocols that have one (RFC 1661's registry, as libpcap maps
                // them); other EtherTypes are compared as they are, as libpcap does.
                // The three LLC SAPs with PPP numbers too: ISO (0xfe), spanning tree (0x42) and IPX (0xe0).
                static constexpr std::pair<std::uint16_t, std::uint16_t> ppp_numbers[] = {
                    {kEtherIp, 0x0021}, {kEtherIp6, 0x0057}, {0x6003, 0x0027}, {0x809b, 0x0029}, {0x0600, 0x0025},
                    {0x00fe, 0x0023}, {0x0042, 0x0031}, {0x00e0, 0x002b}};
                std::uint16_t number = type;
                for (auto [ether, ppp] : ppp_numbers)
                    if (ether == type) number = ppp;
                return ir::eq(protocol_.load(0, 2), number);
            }
            case ProtocolField::IpVersion:
                if (type != kEtherIp && type != kEtherIp6) return false;
                return ir::eq(ir::arith(ir::ArithOp::And, ir::load(0, 1), ir::constant(0xf0)), type == kEtherIp ? 0x40 : 0x60);
            case ProtocolField::PflogAf:
                // libpcap compares with this host's AF_INET6 (Linux's 10), even for a capture
                // file written on OpenBSD (24): that is what its programs do.
                if (type == kEtherIp) return ir::eq(protocol_.load(0, 1), AF_INET);
                if (type == kEtherIp6) return ir::eq(protocol_.load(0, 1), AF_INET6);
                return false;
            case ProtocolField::ArcnetType: {
                // ARCnet protocol IDs for the EtherTypes libpcap's gen_linktype maps (RFC 1201;
                // IPv4 and ARP also by RFC 1051's older IDs); nothing else travels on ARCnet.
                const ir::Value id = protocol_.load(0, 1);
                switch (type) {
                    case kEtherIp6: return ir::eq(id, 0xc4);
                    case kEtherIp: return ir::any({ir::eq(id, 0xd4), ir::eq(id, 0xf0)});
                    case kEtherArp: return ir::any({ir::eq(id, 0xd5), ir::eq(id, 0xf1)});
                    case kEtherRarp: return ir::eq(id, 0xd6);
                    case 0x809b: return ir::eq(id, 0xdd);  // AppleTalk
                    default: return false;
                }
            }
            case ProtocolField::None: return false;  // refused before lowering (lower_no_network.cpp)
            case ProtocolField::Ipv4Only: return type == kEtherIp;
            case ProtocolField::Ipv6Only: return type == kEtherIp6;
            case ProtocolField::AfHostOrder:
            case ProtocolField::AfNetworkOrder: {
                // The family is in network order on LOOP; on NULL in the byte order of the
                // machine that captured: this one live, the file's writer for a savefile.
                bool big_endian = field_ == ProtocolField::AfNetworkOrder ||
                                  (std::endian::native == std::endian::big) != (savefile_ && savefile_->swapped);
                auto family = [&](std::uint32_t af) {
                    return ir::eq(ir::load(0, 4), big_endian ? af : __builtin_bswap32(af));
                };
                if (type == kEtherIp) return family(AF_INET);
                if (type != kEtherIp6) return false;
                // AF_INET6 differs between systems; a file may come from any of them, so libpcap
                // tests the BSDs' 24, 28 and 30 there, and this host's value (Linux's 10) live.
                if (!savefile_) return family(AF_INET6);
                return ir::any({family(kBsdAfInet6), family(kFreeBsdAfInet6), family(kDarwinAfInet6)});
            }
        }
        return false;
    }
    // Ethernet's type/length field: above 1500 an EtherType, else an 802.3 length with 802.2 LLC
    // at the network offset.
    // After `lane`, not in an LE control frame first, except for `llc` (`le_guard` false), as
    // libpcap tests them.
    ir::Pred is_802_3(bool le_guard = true) const {
        ir::Pred length = ir::negate(ir::cmp(ir::CmpOp::Gt, protocol_.load(0, 2), ir::constant(1500)));
        if (!le_guard) return length;
        return ir::all({lane_guard(), std::move(length)});
    }
    ir::Pred ip() const { return ethertype(kEtherIp); }
    ir::Pred ip6() const { return ethertype(kEtherIp6); }

    ir::Pred ip_proto(std::uint8_t p) const { return ir::all({ip(), ir::eq(nl(9, 1), p)}); }
    // libpcap also accepts the protocol behind one IPv6 fragment header.
    ir::Pred ip6_proto(std::uint8_t p) const {
        return ir::all({ip6(), ir::any({ir::eq(nl(6, 1), p),
                                        ir::all({ir::eq(nl(6, 1), kProtoFragment), ir::eq(nl(40, 1), p)})})});
    }

    ir::Pred proto_abbrev(Proto p) const {
        switch (p) {
            case Proto::Ip: return ip();
            case Proto::Ip6: return ip6();
            case Proto::Arp: return ethertype(kEtherArp);
            case Proto::Rarp: return ethertype(kEtherRarp);
            case Proto::Tcp: return ir::any({ip_proto(kProtoTcp), ip6_proto(kProtoTcp)});
            case Proto::Udp: return ir::any({ip_proto(kProtoUdp), ip6_proto(kProtoUdp)});
            case Proto::Sctp: return ir::any({ip_proto(kProtoSctp), ip6_proto(kProtoSctp)});
            case Proto::Icmp: return ip_proto(kProtoIcmp);
            case Proto::Icmp6: return ip6_proto(kProtoIcmp6);
            case Proto::Igmp: return ip_proto(kProtoIgmp);
            case Proto::Igrp: return ip_proto(kProtoIgrp);
            case Proto::Vrrp: return ip_proto(kProtoVrrp);
            case Proto::Carp: return ip_proto(kProtoVrrp);  // CARP shares VRRP's protocol number
            case Proto::Pim: return ir::any({ip_proto(kProtoPim), ip6_proto(kProtoPim)});
            case Proto::Ah: return ir::any({ip_proto(kProtoAh), ip6_proto(kProtoAh)});
            case Proto::Esp: return ir::any({ip_proto(kProtoEsp), ip6_proto(kProtoEsp)});
            case Proto::Ether:
            case Proto::Iso:   // LAN protocols: lowered from Keyword (lower_llc.cpp), never as an abbreviation
            case Proto::Isis:
            case Proto::Decnet: break;
        }
        return false;
    }

    // IPv4 and not a fragment after the first (where transport headers are).
    ir::Pred ipv4_first_fragment() const {
        return ir::negate(ir::cmp(ir::CmpOp::AnySet, nl(6, 2), ir::constant(0x1fff)));
    }
    // 4 * IHL plus, on 802.11, where the network header starts: add the network header's constant
    // offset to reach an IPv4 packet's transport header.
    ir::Value transport_index() const {
        if (!network_.var) return ir::IpHeaderLength{network_.k};
        ir::Value ihl = ir::arith(ir::ArithOp::Lsh, ir::arith(ir::ArithOp::And, nl(0, 1), ir::constant(0x0f)), ir::constant(2));
        return ir::arith(ir::ArithOp::Add, std::move(ihl), *network_.var);
    }
    // `size` bytes at `off` into an IPv4 packet's transport header.
    ir::Value transport(std::uint32_t off, std::uint8_t size) const {
        return ir::load_indexed(transport_index(), network_.k + off, size);
    }
    // `size` bytes at `index + off` into it, the index computed per packet.
    ir::Value transport_at(ir::Value index, std::uint32_t off, std::uint8_t size) const {
        return ir::load_indexed(ir::arith(ir::ArithOp::Add, transport_index(), std::move(index)), network_.k + off, size);
    }

private:
    const LinkType& lt_;
    std::optional<SavefileContext> savefile_;
    ProtocolField field_;
    MacHeader mac_;
    Base link_, protocol_, network_, llc_;
    unsigned mpls_depth_ = 0, vlan_depth_ = 0;
    bool in_geneve_ = false;
    bool in_pppoe_ = false;
    std::uint8_t nlpid_offset_ = 0;
    unsigned lanes_ = 0;  // SunATM: how many `lane`s came before
    std::vector<ir::Assign> setup_;
};


}  // namespace sniff
