// AF_PACKET capture: packet(7) socket, TPACKET_V3 receive ring (Documentation/networking/
// packet_mmap.rst), the compiled program attached with SO_ATTACH_FILTER (Documentation/networking/
// filter.rst) so packets it rejects are dropped in the kernel and never cost a copy.
#include "capture/af_packet_source.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstddef>
#include <cstring>

#include "capture/interfaces.hpp"
#include "cbpf_vm/interpret.hpp"

namespace capture {
namespace {

namespace op = cbpf::op;

// cbpf::Insn is laid out as the kernel's struct sock_filter, so a Program is handed over as is.
static_assert(sizeof(cbpf::Insn) == sizeof(sock_filter));
static_assert(offsetof(cbpf::Insn, code) == offsetof(sock_filter, code));
static_assert(offsetof(cbpf::Insn, jt) == offsetof(sock_filter, jt));
static_assert(offsetof(cbpf::Insn, jf) == offsetof(sock_filter, jf));
static_assert(offsetof(cbpf::Insn, k) == offsetof(sock_filter, k));

constexpr std::uint32_t kSllHeaderLen = 16;  // DLT_LINUX_SLL, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
constexpr std::uint32_t kVlanTagLen = 4;
constexpr std::uint32_t kAncillary = static_cast<std::uint32_t>(SKF_AD_OFF);
// PACKET_RESERVE: extra headroom the kernel leaves before each frame's data. Four bytes let a
// VLAN tag the kernel took out of the frame go back in place; a SOCK_DGRAM frame already has 16
// spare bytes before the network header (tpacket_rcv's "netoff"), room for the cooked header.
constexpr unsigned kReserve = kVlanTagLen;
constexpr std::uint32_t kMaxBlock = 1u << 20;

const cbpf::Program kDropAll = {cbpf::stmt(op::RET | op::K, 0)};

std::uint32_t kernel_snaplen(std::uint32_t snaplen, bool cooked) {
    // On a SOCK_DGRAM socket the kernel counts from the network header; the cooked header is
    // rebuilt in front afterwards. 0 would mean "drop", so keep at least one byte.
    if (!cooked) return snaplen;
    return snaplen > kSllHeaderLen ? snaplen - kSllHeaderLen : 1;
}

bool has_ancillary_loads(const cbpf::Program& p) {
    return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& in) {
        return op::cls(in.code) == op::LD && (op::mode(in.code) == op::ABS || op::mode(in.code) == op::IND) &&
               in.k >= 0x80000000u;
    });
}

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

}  // namespace

RingLayout plan_ring(std::uint64_t bytes, std::uint32_t snaplen, bool immediate) {
    const auto page = static_cast<std::uint32_t>(sysconf(_SC_PAGESIZE));
    // The largest frame the kernel writes into a block: its header and sockaddr_ll, headroom,
    // and the packet up to the snap length. 64 KiB bounds what a GSO packet carries; a longer
    // one is cut to fit the block (tpacket_rcv clamps to the block's max_frame_len).
    std::uint64_t frame = TPACKET3_HDRLEN + 2 * TPACKET_ALIGNMENT + kSllHeaderLen + kReserve +
                          std::min<std::uint64_t>(snaplen, 65536);
    std::uint32_t min_block = page;
    while (min_block < frame) min_block <<= 1;
    // Up to 1 MiB blocks (few wake-ups, few poll calls per packet), but at least eight of them
    // when the buffer allows, so the kernel keeps filling while the reader works on one.
    std::uint32_t block = std::max(kMaxBlock, min_block);
    while (block > min_block && std::uint64_t{block} * 8 > bytes) block >>= 1;
    RingLayout r;
    r.block_size = block;
    r.block_count = static_cast<std::uint32_t>(std::max<std::uint64_t>(2, bytes / block));
    r.frame_size = TPACKET_ALIGN(2048);
    // A block goes to the reader when full or when this timer fires with packets in it. 100 ms
    // keeps wake-ups rare under load yet prints a quiet link's packets promptly. Immediate mode
    // uses the smallest value the kernel accepts (1 ms; 0 asks the kernel for its own default,
    // which is 8 ms or more, see prb_calc_retire_blk_tmo).
    r.retire_timeout_ms = immediate ? 1 : 100;
    return r;
}

std::optional<cbpf::Program> adapt_to_cooked_socket(const cbpf::Program& program) {
    // An index register is only safe to keep if every value it can hold is a length (ldxb
    // 4*([k]&0xf), an IPv4 header length): then [x + k] moves with k. Anything else may be an
    // absolute offset computed from the link layer.
    bool x_is_length = std::all_of(program.begin(), program.end(), [](const cbpf::Insn& in) {
        if (op::cls(in.code) == op::LDX) return op::mode(in.code) == op::MSH;
        if (op::cls(in.code) == op::MISC) return op::misc_op(in.code) != op::TAX;
        return true;
    });
    // Ancillary loads give the whole field whatever the load size; a word load says so.
    auto ancillary = [](std::uint32_t field) { return cbpf::stmt(op::LD | op::W | op::ABS, kAncillary + field); };
    cbpf::Program out = program;
    for (auto& in : out) {
        const auto cls = op::cls(in.code), mode = op::mode(in.code), size = op::size(in.code);
        if (cls == op::LD && mode == op::ABS) {
            if (in.k >= 0x80000000u) continue;  // already an ancillary/SKF_NET_OFF load
            if (in.k >= kSllHeaderLen) {
                in.k -= kSllHeaderLen;
                continue;
            }
            // The cooked header (pkttype, hatype, halen, address, protocol) is not in the socket's
            // data; three of its fields exist as ancillary loads (filter.rst, "SKF_AD_*").
            if (size == op::H && in.k == 0) in = ancillary(SKF_AD_PKTTYPE);
            else if (size == op::B && in.k == 1) in = ancillary(SKF_AD_PKTTYPE);  // values 0..7
            else if (size == op::B && in.k == 0) in = cbpf::stmt(op::LD | op::IMM, 0);   // high byte is 0
            else if (size == op::H && in.k == 2) in = ancillary(SKF_AD_HATYPE);
            else if (size == op::H && in.k == 14) in = ancillary(SKF_AD_PROTOCOL);
            else return std::nullopt;
        } else if (cls == op::LD && mode == op::IND) {
            if (!x_is_length || in.k < kSllHeaderLen) return std::nullopt;
            in.k -= kSllHeaderLen;
        } else if (cls == op::LDX && mode == op::MSH) {
            if (in.k < kSllHeaderLen) return std::nullopt;
            in.k -= kSllHeaderLen;
        } else if ((cls == op::LD || cls == op::LDX) && mode == op::LEN) {
            return std::nullopt;  // skb->len lacks the 16 header bytes; cannot add them in place
        } else if (cls == op::RET && op::ret_src(in.code) == op::K && in.k != 0) {
            in.k = kernel_snaplen(in.k, true);
        }
    }
    return out;
}

cbpf::Program direction_prefix(Direction direction, const std::vector<int>& loopback_indexes) {
    // Rules (tcpdump's, as libpcap applies them in user space):
    //  - -Q in drops packets the host sends (pkttype PACKET_OUTGOING), -Q out drops the others;
    //  - a packet sent on a loopback interface comes back in as received, so its outgoing copy
    //    is dropped to show it once.
    // SKF_AD_PKTTYPE works for sent packets too: dev_queue_xmit_nit() marks its copy
    // PACKET_OUTGOING before the packet socket's filter runs.
    const bool drop_out = direction == Direction::In;
    const bool drop_in = direction == Direction::Out;
    const bool check_lo = !drop_out && !loopback_indexes.empty();
    if (!drop_out && !drop_in && !check_lo) return {};
    // Layout: [0] ld pkttype  [1] jeq OUTGOING  [2..] loopback checks  [D] ret #0  [D+1] ld #0
    const std::size_t lo_len = check_lo ? 1 + loopback_indexes.size() : 0;
    const std::size_t drop = 2 + lo_len, accept = drop + 1;
    auto off = [](std::size_t from, std::size_t to) { return static_cast<std::uint8_t>(to - from - 1); };
    cbpf::Program p;
    p.push_back(cbpf::stmt(op::LD | op::W | op::ABS, kAncillary + SKF_AD_PKTTYPE));
    std::size_t outgoing_to = drop_out ? drop : (check_lo ? 2 : accept);
    std::size_t incoming_to = drop_in ? drop : accept;
    p.push_back(cbpf::jump(op::JMP | op::JEQ | op::K, PACKET_OUTGOING, off(1, outgoing_to), off(1, incoming_to)));
    if (check_lo) {
        p.push_back(cbpf::stmt(op::LD | op::W | op::ABS, kAncillary + SKF_AD_IFINDEX));
        for (std::size_t i = 0; i < loopback_indexes.size(); ++i) {
            std::size_t pc = p.size();
            bool last = i + 1 == loopback_indexes.size();
            p.push_back(cbpf::jump(op::JMP | op::JEQ | op::K, static_cast<std::uint32_t>(loopback_indexes[i]),
                                   off(pc, drop), off(pc, last ? accept : pc + 1)));
        }
    }
    p.push_back(cbpf::stmt(op::RET | op::K, 0));
    // The user's program may assume A starts at 0, as the kernel and libpcap start it.
    p.push_back(cbpf::stmt(op::LD | op::IMM, 0));
    return p;
}

std::expected<std::unique_ptr<AfPacketSource>, Error> AfPacketSource::open(const LiveOptions& options) {
    const std::string& name = options.interface;
    auto info = find_capture_interface(name);
    if (!info) return std::unexpected(info.error());
    std::uint64_t bytes = std::uint64_t{options.buffer_kib.value_or(kDefaultBufferKib)} * 1024;
    if (auto ok = check_buffer_request(name, bytes); !ok) return std::unexpected(ok.error());

    std::unique_ptr<AfPacketSource> s(new AfPacketSource);
    s->options_ = options;
    s->ifindex_ = info->index;
    // Ethernet and loopback devices give frames with a 14-byte Ethernet header (DLT_EN10MB). For
    // "any" the devices differ, and other device types have headers of their own, so the socket
    // is SOCK_DGRAM (no link header) and sniff builds the cooked header libpcap uses instead.
    // Devices without a link header (tun, WireGuard: ARPHRD_NONE; ARPHRD_RAWIP) give the IP
    // packet itself (DLT_RAW), as libpcap reads them.
    s->raw_ip_ = info->index != 0 && (info->arphrd == ARPHRD_NONE || info->arphrd == ARPHRD_RAWIP);
    s->cooked_ = info->index == 0 || (info->arphrd != ARPHRD_ETHER && info->arphrd != ARPHRD_LOOPBACK && !s->raw_ip_);
    if (info->index == 0 || info->loopback()) {
        auto all = list_interfaces();
        if (!all) return std::unexpected(all.error());
        for (const auto& i : *all)
            if (i.loopback() && (info->index == 0 || i.index == info->index)) s->loopback_indexes_.push_back(i.index);
    }

    // Protocol 0: the socket receives nothing until bind() names a protocol (packet(7)), so no
    // packet can arrive before the drop-all program below is in place.
    s->fd_ = socket(AF_PACKET, (s->cooked_ ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, 0);
    if (s->fd_ < 0) {
        if (errno == EPERM || errno == EACCES) return std::unexpected(permission_error(name));
        return std::unexpected(system_error(name, "socket(AF_PACKET)", errno));
    }
    if (auto ok = s->attach(&kDropAll); !ok) return std::unexpected(ok.error());

    int version = TPACKET_V3;
    if (setsockopt(s->fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0)
        return std::unexpected(system_error(name, "setsockopt(PACKET_VERSION, TPACKET_V3)", errno));
    unsigned reserve = kReserve;
    if (setsockopt(s->fd_, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof reserve) != 0)
        return std::unexpected(system_error(name, "setsockopt(PACKET_RESERVE)", errno));

    s->ring_ = plan_ring(bytes, options.snaplen, options.immediate);
    const RingLayout& r = s->ring_;
    tpacket_req3 req{};
    req.tp_block_size = r.block_size;
    req.tp_block_nr = r.block_count;
    req.tp_frame_size = r.frame_size;
    req.tp_frame_nr = (r.block_size / r.frame_size) * r.block_count;
    req.tp_retire_blk_tov = r.retire_timeout_ms;
    auto refused = [&](const char* what, int err) {
        return Error{ErrorKind::BufferRefused,
                     fmt::format("{}: the kernel refused a {} capture ring ({} blocks of {}, asked with -B {}): {} failed: {}{}",
                                 name, format_size(r.bytes()), r.block_count, format_size(r.block_size), bytes / 1024, what,
                                 std::strerror(err), err == ENOMEM ? "; try a smaller -B" : "")};
    };
    if (setsockopt(s->fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0)
        return std::unexpected(refused("setsockopt(PACKET_RX_RING)", errno));
    void* map = mmap(nullptr, r.bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, s->fd_, 0);
    if (map == MAP_FAILED) return std::unexpected(refused("mmap", errno));
    s->map_ = static_cast<std::uint8_t*>(map);

    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = info->index;
    if (bind(s->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == ENETDOWN)
            return std::unexpected(Error{ErrorKind::InterfaceDown, fmt::format("{}: the interface is down; bring it up first (ip link set {} up)", name, name)});
        if (errno == ENODEV) return std::unexpected(Error{ErrorKind::NoSuchInterface, fmt::format("{}: the interface disappeared", name)});
        return std::unexpected(system_error(name, "bind", errno));
    }
    // The membership belongs to the socket: the kernel drops it (and the promiscuity count it
    // holds) when the socket closes, even if sniff is killed (packet(7), PACKET_ADD_MEMBERSHIP).
    // "any" has no device to make promiscuous; tcpdump does the same.
    if (options.promiscuous && info->index != 0) {
        packet_mreq mreq{};
        mreq.mr_ifindex = info->index;
        mreq.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(s->fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
            return std::unexpected(system_error(name, "setsockopt(PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC)", errno));
    }
    // Linux 4.20+: sent packets are not even cloned for this socket. Older kernels say
    // ENOPROTOOPT and the direction program below drops them instead.
    if (options.direction == Direction::In) {
        int one = 1;
        if (setsockopt(s->fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 && errno != ENOPROTOOPT)
            return std::unexpected(system_error(name, "setsockopt(PACKET_IGNORE_OUTGOING)", errno));
    }
    return s;
}

AfPacketSource::~AfPacketSource() { close(); }

void AfPacketSource::close() {
    if (map_) munmap(map_, ring_.bytes());
    map_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    held_block_.reset();
    batch_.clear();
    spill_.clear();
}

std::expected<void, Error> AfPacketSource::attach(const cbpf::Program* program) {
    const std::string& name = options_.interface;
    if (!program) {
        // No filter: every packet. ENOENT only says none was attached. The value is ignored, but
        // sk_setsockopt() refuses an option shorter than an int.
        int unused = 0;
        if (setsockopt(fd_, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0 && errno != ENOENT)
            return std::unexpected(system_error(name, "setsockopt(SO_DETACH_FILTER)", errno));
        return {};
    }
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(program->size());
    fprog.filter = reinterpret_cast<sock_filter*>(const_cast<cbpf::Insn*>(program->data()));
    if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0) return {};
    int err = errno;
    std::string why = err == ENOMEM ? " (the program is charged to net.core.optmem_max; raise that sysctl)" : "";
    return std::unexpected(Error{ErrorKind::FilterRefused,
                                 fmt::format("{}: the kernel refused the filter program ({} instructions): {}{}", name,
                                             program->size(), std::strerror(err), why)});
}

std::expected<void, Error> AfPacketSource::restart_filtering() {
    if (fd_ < 0) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    // Drop-all first, then drain, then the real program: whatever was let in before (nothing on
    // the first call, since the socket opened with drop-all; the previous program's packets on a
    // later one) is discarded, and the counters restart, so every packet delivered from here
    // on passed this program and the statistics count only those.
    if (auto ok = attach(&kDropAll); !ok) return ok;
    release_held_block();
    discard_ready_blocks();
    std::uint8_t scratch[64];
    while (recv(fd_, scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
    }
    tpacket_stats_v3 discarded{};
    socklen_t len = sizeof discarded;
    getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &discarded, &len);
    totals_ = {};
    user_filter_.reset();
    vlan_recheck_.reset();
    return {};
}

std::expected<void, Error> AfPacketSource::set_ebpf_filter(int program_fd, const cbpf::Program& same_filter) {
    if (fd_ >= 0 && cooked_)
        return std::unexpected(Error{ErrorKind::FilterRefused,
                                     fmt::format("{}: an eBPF filter needs an Ethernet or raw-IP interface: on a cooked socket the kernel gives "
                                                 "the filter packets without their link-layer header", options_.interface)});
    if (auto ok = restart_filtering(); !ok) return ok;
    // As set_filter(): tagged frames are judged again by the same filter, in the VM.
    if (!has_ancillary_loads(same_filter)) vlan_recheck_ = same_filter;
    if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_BPF, &program_fd, sizeof program_fd) != 0) {
        const int err = errno;
        // A socket's filter is charged, at its size after the verifier's rewrites, against the
        // socket's option memory (sk_filter_charge, net/core/filter.c).
        std::string why;
        if (err == ENOMEM) {
            std::string limit = "?";
            if (std::FILE* f = std::fopen("/proc/sys/net/core/optmem_max", "r")) {
                char buf[32] = {};
                if (std::fgets(buf, sizeof buf, f)) limit = std::string(buf, std::strcspn(buf, "\n"));
                std::fclose(f);
            }
            why = fmt::format(" (a socket filter is charged to net.core.optmem_max, {} bytes here, at its size once the verifier "
                              "has expanded it; raise that sysctl)", limit);
        }
        return std::unexpected(Error{ErrorKind::FilterRefused, fmt::format("{}: the kernel refused to attach the eBPF filter "
                                                                           "(setsockopt SO_ATTACH_BPF): {}{}", options_.interface,
                                                                           std::strerror(err), why)});
    }
    filter_set_ = true;
    return {};
}

std::expected<void, Error> AfPacketSource::set_filter(const std::optional<cbpf::Program>& program) {
    if (auto ok = restart_filtering(); !ok) return ok;

    std::optional<cbpf::Program> kernel_part;
    if (program) {
        if (!cooked_) {
            // Longer than the kernel takes: the kernel passes everything (but -Q) and the VM
            // decides here, as libpcap does when the kernel refuses a filter.
            if (program->size() <= cbpf::kMaxInsns) kernel_part = *program;
            else user_filter_ = *program;
        } else if (auto adapted = adapt_to_cooked_socket(*program)) {
            kernel_part = std::move(*adapted);
        } else if (has_ancillary_loads(*program)) {
            return std::unexpected(Error{ErrorKind::FilterRefused,
                                         fmt::format("{}: the program reads the cooked header in a way a SOCK_DGRAM socket cannot, "
                                                     "and uses Linux ancillary loads, so it cannot run in user space either",
                                                     options_.interface)});
        } else {
            user_filter_ = *program;  // the kernel passes everything (but -Q); the VM decides here
        }
        // Linux takes the outer VLAN tag out of a received frame before any filter sees it
        // (skb_vlan_untag in __netif_receive_skb_core) and sniff puts it back, so the kernel
        // judged a different frame from the one delivered. Tagged frames are judged again.
        if (!user_filter_ && !has_ancillary_loads(*program)) vlan_recheck_ = *program;
    }
    cbpf::Program full = direction_prefix(options_.direction, loopback_indexes_);
    if (!full.empty() || kernel_part) {
        if (kernel_part) full.insert(full.end(), kernel_part->begin(), kernel_part->end());
        else full.push_back(cbpf::stmt(op::RET | op::K, kernel_snaplen(options_.snaplen, cooked_)));
        if (full.size() > cbpf::kMaxInsns) {  // no room for the direction check: keep it in user space only
            if (kernel_part) full = *kernel_part;
            else full.clear();
        }
    }
    if (auto ok = attach(full.empty() ? nullptr : &full); !ok) return ok;
    filter_set_ = true;
    return {};
}

bool AfPacketSource::block_ready(std::uint32_t index) const {
    auto* bd = reinterpret_cast<tpacket_block_desc*>(map_ + std::size_t{index} * ring_.block_size);
    // Acquire: the packets the kernel wrote before setting the status are visible after it.
    return __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER;
}

void AfPacketSource::release_held_block() {
    if (!held_block_) return;
    auto* bd = reinterpret_cast<tpacket_block_desc*>(map_ + std::size_t{*held_block_} * ring_.block_size);
    // Release: the reader is done with the block before the kernel may write it again.
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    held_block_.reset();
    batch_.clear();
    spill_.clear();
}

void AfPacketSource::discard_ready_blocks() {
    while (block_ready(next_block_)) {
        held_block_ = next_block_;
        next_block_ = (next_block_ + 1) % ring_.block_count;
        release_held_block();
    }
}

std::expected<std::span<const Packet>, Error> AfPacketSource::next_batch(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    if (!filter_set_)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: set_filter() must come before the first batch", options_.interface)});
    release_held_block();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (!block_ready(next_block_)) {
            // The kernel fills blocks in ring order and the reader follows it; should they ever
            // disagree, continue with the oldest block handed over (lowest sequence number).
            std::optional<std::uint32_t> oldest;
            std::uint64_t oldest_seq = 0;
            for (std::uint32_t i = 0; i < ring_.block_count; ++i) {
                if (!block_ready(i)) continue;
                auto* bd = reinterpret_cast<tpacket_block_desc*>(map_ + std::size_t{i} * ring_.block_size);
                if (!oldest || bd->hdr.bh1.seq_num < oldest_seq) oldest = i, oldest_seq = bd->hdr.bh1.seq_num;
            }
            if (oldest) next_block_ = *oldest;
        }
        if (block_ready(next_block_)) {
            std::uint32_t index = next_block_;
            next_block_ = (next_block_ + 1) % ring_.block_count;
            held_block_ = index;
            parse_block(index);
            if (batch_.empty()) {  // every packet in it was for the other direction
                release_held_block();
                continue;
            }
            return std::span<const Packet>(batch_);
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::span<const Packet>{};
        pollfd pfd{fd_, POLLIN | POLLERR, 0};
        int n = poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
        if (n < 0) {
            if (errno == EINTR) return std::span<const Packet>{};  // a signal: let the caller look at its flag
            return std::unexpected(system_error(options_.interface, "poll", errno));
        }
        if (n == 0) return std::span<const Packet>{};
        if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
            // Reading SO_ERROR also clears it, so poll stops reporting it.
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == ENETDOWN) {
                // The kernel unhooks the socket when its interface goes down and hooks it again
                // when it comes back up (packet_notifier: NETDEV_DOWN, NETDEV_UP), so a capture
                // waits through a down interface, as tcpdump does; only a removed one ends it.
                if (if_nametoindex(options_.interface.c_str()) != static_cast<unsigned>(ifindex_))
                    return std::unexpected(Error{ErrorKind::InterfaceGone,
                                                 fmt::format("{}: the interface disappeared during the capture", options_.interface)});
            } else if (err != 0) {
                return std::unexpected(system_error(options_.interface, "poll", err));
            }
        }
    }
}

void AfPacketSource::parse_block(std::uint32_t index) {
    auto* base = map_ + std::size_t{index} * ring_.block_size;
    auto* bd = reinterpret_cast<tpacket_block_desc*>(base);
    batch_.clear();
    spill_.clear();
    std::uint32_t count = bd->hdr.bh1.num_pkts;
    std::size_t offset = bd->hdr.bh1.offset_to_first_pkt;
    batch_.reserve(count);
    for (std::uint32_t i = 0; i < count && offset < ring_.block_size; ++i) {
        auto* frame = base + offset;
        Packet p;
        if (rebuild_and_keep(frame, p)) batch_.push_back(p);
        auto next = reinterpret_cast<tpacket3_hdr*>(frame)->tp_next_offset;
        if (next == 0) break;
        offset += next;
    }
}

// One frame of the ring to a Packet as libpcap would deliver it, or false when it is for the
// other direction or fails a filter that runs here.
bool AfPacketSource::rebuild_and_keep(std::uint8_t* frame, Packet& out) {
    auto* h = reinterpret_cast<tpacket3_hdr*>(frame);
    auto* sll = reinterpret_cast<sockaddr_ll*>(frame + TPACKET_ALIGN(sizeof(tpacket3_hdr)));
    const bool outgoing = sll->sll_pkttype == PACKET_OUTGOING;
    // Same rules as direction_prefix(); repeated here for kernels without the ancillary loads
    // and for programs too long to take the prefix.
    if (outgoing && (options_.direction == Direction::In ||
                     std::find(loopback_indexes_.begin(), loopback_indexes_.end(), sll->sll_ifindex) != loopback_indexes_.end()))
        return false;
    if (!outgoing && options_.direction == Direction::Out) return false;

    std::uint8_t* data = frame + h->tp_mac;
    std::uint32_t caplen = h->tp_snaplen, wire = h->tp_len;
    const bool vlan = (h->tp_status & TP_STATUS_VLAN_VALID) && !raw_ip_;  // no header to put a tag in
    const std::uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
    const std::uint16_t tci = static_cast<std::uint16_t>(h->hv1.tp_vlan_tci);
    const std::uint32_t grow = (cooked_ ? kSllHeaderLen : 0) + (vlan ? kVlanTagLen : 0);
    if (grow > 0) {
        std::uint8_t* room_start = reinterpret_cast<std::uint8_t*>(sll) + sizeof(sockaddr_ll);
        if (data - room_start < static_cast<std::ptrdiff_t>(grow)) {
            // Not expected (PACKET_RESERVE provides the room), but never write over the header.
            auto& copy = spill_.emplace_back(grow + caplen);
            std::memcpy(copy.data() + grow, data, caplen);
            data = copy.data() + grow;
        }
        if (cooked_) {
            // DLT_LINUX_SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol;
            // all big-endian. The kernel's PACKET_* numbers are the header's packet types.
            std::uint8_t* sh = data - grow;
            put16(sh, sll->sll_pkttype);
            put16(sh + 2, sll->sll_hatype);
            put16(sh + 4, sll->sll_halen);
            std::memset(sh + 6, 0, 8);
            std::memcpy(sh + 6, sll->sll_addr, std::min<std::size_t>(sll->sll_halen, 8));
            if (vlan) {  // the tag goes back between the header and the payload, as on the wire
                put16(sh + 14, tpid);
                put16(sh + 16, tci);
                std::memcpy(sh + 18, &sll->sll_protocol, 2);
            } else {
                std::memcpy(sh + 14, &sll->sll_protocol, 2);
            }
        } else {
            // The tag goes back after the two MAC addresses.
            std::uint32_t macs = std::min<std::uint32_t>(caplen, 12);
            std::memmove(data - kVlanTagLen, data, macs);
            if (caplen >= 12) {
                put16(data - kVlanTagLen + 12, tpid);
                put16(data - kVlanTagLen + 14, tci);
            }
        }
        data -= grow;
        caplen += grow;
        wire += grow;
    }
    caplen = std::min(caplen, options_.snaplen);
    const cbpf::Program* judge = user_filter_ ? &*user_filter_ : (vlan && vlan_recheck_ ? &*vlan_recheck_ : nullptr);
    if (judge) {
        std::uint32_t keep = cbpf::run(*judge, std::span<const std::uint8_t>(data, caplen), wire);
        if (keep == 0) return false;
        caplen = std::min(caplen, keep);
    }
    out.ts_sec = h->tp_sec;
    out.ts_usec = h->tp_nsec / 1000;
    out.wire_length = wire;
    out.data = std::span<const std::uint8_t>(data, caplen);
    return true;
}

std::expected<Stats, Error> AfPacketSource::stats() {
    if (fd_ < 0) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    // Each read returns the counts since the previous read and zeroes them (packet_getsockopt),
    // so sniff keeps the running sum. tp_packets already includes tp_drops.
    tpacket_stats_v3 st{};
    socklen_t len = sizeof st;
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0)
        return std::unexpected(system_error(options_.interface, "getsockopt(PACKET_STATISTICS)", errno));
    totals_.received += st.tp_packets;
    totals_.dropped += st.tp_drops;
    return totals_;
}

}  // namespace capture
