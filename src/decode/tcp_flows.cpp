// Relative TCP sequence numbers. tcpdump's rule, as its output shows it: on the first packet of
// a connection with ACK set (or a SYN-ACK restarting it) the sender's base is its sequence
// number and the receiver's is the acknowledgement minus one; that packet prints absolute
// numbers, later ones print seq minus the sender's base and ack minus the receiver's base.
#include "decode/tcp_flows.hpp"

namespace decode {

TcpFlows::Relative TcpFlows::track(std::string_view src, std::uint16_t sport, std::string_view dst,
                                   std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, bool syn) {
    // One entry per connection whichever way the packet goes: order the endpoints.
    bool src_low = src < dst || (src == dst && sport <= dport);
    std::string_view lo = src_low ? src : dst, hi = src_low ? dst : src;
    std::uint16_t lo_port = src_low ? sport : dport, hi_port = src_low ? dport : sport;
    key_.clear();
    key_.append(lo).append(hi);
    key_.push_back(static_cast<char>(lo_port >> 8));
    key_.push_back(static_cast<char>(lo_port));
    key_.push_back(static_cast<char>(hi_port >> 8));
    key_.push_back(static_cast<char>(hi_port));

    auto it = flows_.find(key_);
    if (it == flows_.end() || syn) {
        Bases b;
        (src_low ? b.low_side : b.high_side) = seq;
        (src_low ? b.high_side : b.low_side) = ack - 1;
        flows_.insert_or_assign(key_, b);
        return {seq, ack, false};
    }
    const Bases& b = it->second;
    std::uint32_t own = src_low ? b.low_side : b.high_side;
    std::uint32_t peer = src_low ? b.high_side : b.low_side;
    return {seq - own, ack - peer, true};
}

}  // namespace decode
