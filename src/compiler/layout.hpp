// Packet layout of one link type as lowering sees it: the protocol tests every primitive builds
// on, with offsets that move when `vlan` has been matched earlier in the expression (libpcap's rule).
#pragma once

#include <sys/socket.h>

#include <bit>
#include <cstdint>
#include <expected>
#include <string>

#include "compiler/ast.hpp"
#include "compiler/ir.hpp"
#include "compiler/link_type.hpp"

namespace sniff {

constexpr std::uint16_t kEtherIp = 0x0800, kEtherIp6 = 0x86dd, kEtherArp = 0x0806, kEtherRarp = 0x8035;
constexpr std::uint8_t kProtoIcmp = 1, kProtoIgmp = 2, kProtoTcp = 6, kProtoIgrp = 9, kProtoUdp = 17, kProtoEsp = 50,
                       kProtoAh = 51, kProtoIcmp6 = 58, kProtoPim = 103, kProtoVrrp = 112, kProtoSctp = 132,
                       kProtoFragment = 44;

inline std::unexpected<Diagnostic> error(Span span, std::string message, std::string hint = {}) {
    return std::unexpected(Diagnostic{span, std::move(message), std::move(hint)});
}

using ast::Proto;

// Packet layout of one link type: the protocol tests every primitive builds on.

class Layout {
public:
    explicit Layout(const LinkType& lt) : lt_(lt) {}

    const LinkType& link() const { return lt_; }
    std::uint32_t nl(std::uint32_t off) const { return lt_.network_offset + shift_ + off; }
    // A matched 802.1Q tag moves everything after it by four bytes.
    void skip_vlan_tag() { shift_ += 4; }

    // "The frame carries network protocol `type`" (an EtherType), however this link type says it;
    // false where the link type cannot carry it (ARP on raw IP), as libpcap has it.
    ir::Pred ethertype(std::uint16_t type) const {
        switch (lt_.protocol_field) {
            case ProtocolField::EtherType: return ir::eq(ir::load(lt_.protocol_offset + shift_, 2), type);
            case ProtocolField::PppProtocol:
                if (type == kEtherIp) return ir::eq(ir::load(lt_.protocol_offset, 2), 0x0021);
                if (type == kEtherIp6) return ir::eq(ir::load(lt_.protocol_offset, 2), 0x0057);
                // EtherTypes without a PPP number are compared as they are (libpcap does the same).
                return ir::eq(ir::load(lt_.protocol_offset, 2), type);
            case ProtocolField::IpVersion:
                if (type != kEtherIp && type != kEtherIp6) return false;
                return ir::eq(ir::arith(ir::ArithOp::And, ir::load(0, 1), ir::constant(0xf0)), type == kEtherIp ? 0x40 : 0x60);
            case ProtocolField::Ipv4Only: return type == kEtherIp;
            case ProtocolField::Ipv6Only: return type == kEtherIp6;
            case ProtocolField::AfHostOrder:
            case ProtocolField::AfNetworkOrder: {
                // libpcap compares with this host's AF_INET/AF_INET6 (2 and, on Linux, 10).
                bool swap = lt_.protocol_field == ProtocolField::AfHostOrder && std::endian::native == std::endian::little;
                auto family = [&](std::uint32_t af) {
                    return ir::eq(ir::load(0, 4), swap ? __builtin_bswap32(af) : af);
                };
                if (type == kEtherIp) return family(AF_INET);
                if (type == kEtherIp6) return family(AF_INET6);
                return false;
            }
        }
        return false;
    }
    ir::Pred ip() const { return ethertype(kEtherIp); }
    ir::Pred ip6() const { return ethertype(kEtherIp6); }

    ir::Pred ip_proto(std::uint8_t p) const { return ir::all({ip(), ir::eq(ir::load(nl(9), 1), p)}); }
    // libpcap also accepts the protocol behind one IPv6 fragment header.
    ir::Pred ip6_proto(std::uint8_t p) const {
        return ir::all({ip6(), ir::any({ir::eq(ir::load(nl(6), 1), p),
                                        ir::all({ir::eq(ir::load(nl(6), 1), kProtoFragment),
                                                 ir::eq(ir::load(nl(40), 1), p)})})});
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
            case Proto::Ether: break;
        }
        return false;
    }

    // IPv4 and not a fragment after the first (where transport headers are).
    ir::Pred ipv4_first_fragment() const {
        return ir::negate(ir::cmp(ir::CmpOp::AnySet, ir::load(nl(6), 2), ir::constant(0x1fff)));
    }
    ir::Value ipv4_header_length() const { return ir::IpHeaderLength{nl(0)}; }

private:
    const LinkType& lt_;
    std::uint32_t shift_ = 0;
};


}  // namespace sniff
