// libpcap live capture: pcap_create/set_*/activate, pcap_setfilter with sniff's program,
// pcap_setdirection, pcap_stats; packets copied out of libpcap's ring in batches.
#include "capture/pcap_live_source.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "capture/interfaces.hpp"
#include "cbpf_vm/interpret.hpp"

namespace capture {
namespace {

static_assert(sizeof(cbpf::Insn) == sizeof(bpf_insn));

constexpr int kDltLinuxSll = 113;
constexpr int kTimeoutMs = 100;  // libpcap's block retire timeout; see plan_ring() for the choice

bool vlan_ethertype(std::uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100; }

bool uses_ancillary(const cbpf::Program& p) {
    return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& in) {
        return cbpf::op::cls(in.code) == cbpf::op::LD && in.k >= 0x80000000u &&
               (cbpf::op::mode(in.code) == cbpf::op::ABS || cbpf::op::mode(in.code) == cbpf::op::IND);
    });
}

}  // namespace

std::expected<std::unique_ptr<PcapLiveSource>, Error> PcapLiveSource::open(const LiveOptions& options) {
    const std::string& name = options.interface;
    // The same checks, and so the same messages, as the AF_PACKET backend; libpcap's own are terser.
    auto info = find_capture_interface(name);
    if (!info) return std::unexpected(info.error());
    std::uint64_t bytes = std::uint64_t{options.buffer_kib.value_or(kDefaultBufferKib)} * 1024;
    if (auto ok = check_buffer_request(name, bytes); !ok) return std::unexpected(ok.error());

    std::unique_ptr<PcapLiveSource> s(new PcapLiveSource);
    s->options_ = options;
    char err[PCAP_ERRBUF_SIZE] = {};
    s->handle_ = pcap_create(name.c_str(), err);
    if (!s->handle_) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_create failed: {}", name, err)});
    pcap_t* p = s->handle_;
    pcap_set_snaplen(p, static_cast<int>(std::min<std::uint32_t>(options.snaplen, 262144)));
    pcap_set_promisc(p, options.promiscuous && info->index != 0 ? 1 : 0);
    pcap_set_timeout(p, kTimeoutMs);
    pcap_set_buffer_size(p, static_cast<int>(std::min<std::uint64_t>(bytes, 0x7fffffff)));
    pcap_set_immediate_mode(p, options.immediate ? 1 : 0);
    int rc = pcap_activate(p);
    if (rc < 0) {
        std::string detail = pcap_geterr(p);
        switch (rc) {
            case PCAP_ERROR_NO_SUCH_DEVICE:
                return std::unexpected(Error{ErrorKind::NoSuchInterface, fmt::format("{}: no such interface ({})", name, detail)});
            case PCAP_ERROR_PERM_DENIED: return std::unexpected(permission_error(name));
            case PCAP_ERROR_IFACE_NOT_UP:
                return std::unexpected(Error{ErrorKind::InterfaceDown, fmt::format("{}: the interface is down; bring it up first (ip link set {} up)", name, name)});
            default:
                if (detail.find("ring") != std::string::npos || detail.find("buffer") != std::string::npos)
                    return std::unexpected(Error{ErrorKind::BufferRefused,
                                                 fmt::format("{}: libpcap could not set up a {} capture buffer (-B {}): {}", name,
                                                             format_size(bytes), bytes / 1024, detail)});
                return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_activate failed: {} ({})", name, detail, pcap_statustostr(rc))});
        }
    }
    // On "any" libpcap can give Linux cooked v1 or v2; v1 is what the AF_PACKET backend builds,
    // and both backends must hand over the same bytes.
    if (info->index == 0 && pcap_datalink(p) != kDltLinuxSll && pcap_set_datalink(p, kDltLinuxSll) != 0)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_set_datalink(LINUX_SLL) failed: {}", name, pcap_geterr(p))});
    s->dlt_ = pcap_datalink(p);
    pcap_direction_t dir = options.direction == Direction::In ? PCAP_D_IN : options.direction == Direction::Out ? PCAP_D_OUT : PCAP_D_INOUT;
    if (pcap_setdirection(p, dir) != 0)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_setdirection failed: {}", name, pcap_geterr(p))});
    // Nothing is delivered before set_filter(), as with the AF_PACKET backend.
    if (auto ok = s->install({cbpf::stmt(cbpf::op::RET | cbpf::op::K, 0)}); !ok) return std::unexpected(ok.error());
    if (pcap_setnonblock(p, 1, err) != 0)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_setnonblock failed: {}", name, err)});
    s->fd_ = pcap_get_selectable_fd(p);
    if (s->fd_ < 0) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: libpcap gives no descriptor to wait on", name)});
    return s;
}

PcapLiveSource::~PcapLiveSource() { close(); }

void PcapLiveSource::close() {
    if (handle_) pcap_close(handle_);
    handle_ = nullptr;
    fd_ = -1;
    batch_.clear();
    records_.clear();
}

std::expected<void, Error> PcapLiveSource::install(const cbpf::Program& program) {
    // pcap_setfilter copies the program; on Linux it puts it in the kernel (after its own
    // drop-all and drain) and filters in user space whatever the ring held before.
    bpf_program prog{};
    prog.bf_len = static_cast<u_int>(program.size());
    prog.bf_insns = reinterpret_cast<bpf_insn*>(const_cast<cbpf::Insn*>(program.data()));
    if (pcap_setfilter(handle_, &prog) != 0)
        return std::unexpected(Error{ErrorKind::FilterRefused,
                                     fmt::format("{}: libpcap refused the filter program ({} instructions): {}", options_.interface,
                                                 program.size(), pcap_geterr(handle_))});
    return {};
}

std::expected<void, Error> PcapLiveSource::set_filter(const std::optional<cbpf::Program>& program) {
    if (!handle_) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    // "Accept everything" as a program: libpcap keeps no filter state of its own to clear, and
    // returning the snap length makes the kernel cut packets before copying them.
    cbpf::Program accept_all = {cbpf::stmt(cbpf::op::RET | cbpf::op::K, options_.snaplen)};
    if (auto ok = install(program ? *program : accept_all); !ok) return ok;
    // See AfPacketSource::set_filter: the kernel filtered the untagged frame.
    vlan_recheck_.reset();
    if (program && !uses_ancillary(*program)) vlan_recheck_ = *program;
    auto base = raw_stats();
    if (!base) return std::unexpected(base.error());
    baseline_ = *base;
    filter_set_ = true;
    return {};
}

void PcapLiveSource::on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* bytes) {
    auto* self = reinterpret_cast<PcapLiveSource*>(user);
    std::span<const std::uint8_t> data(bytes, h->caplen);
    if (self->vlan_recheck_) {
        std::size_t at = self->dlt_ == kDltLinuxSll ? 14 : 12;
        if (data.size() >= at + 2 && vlan_ethertype(static_cast<std::uint16_t>(data[at] << 8 | data[at + 1])) &&
            cbpf::run(*self->vlan_recheck_, data, h->len) == 0)
            return;
    }
    Record r;
    r.offset = self->arena_.size();
    r.packet.ts_sec = h->ts.tv_sec;
    r.packet.ts_usec = static_cast<std::uint32_t>(h->ts.tv_usec);
    r.packet.wire_length = h->len;
    r.packet.data = std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(nullptr), h->caplen);
    self->arena_.insert(self->arena_.end(), bytes, bytes + h->caplen);
    self->records_.push_back(r);
}

int PcapLiveSource::dispatch() { return pcap_dispatch(handle_, -1, &PcapLiveSource::on_packet, reinterpret_cast<unsigned char*>(this)); }

std::expected<std::span<const Packet>, Error> PcapLiveSource::next_batch(std::chrono::milliseconds timeout) {
    if (!handle_) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    if (!filter_set_)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: set_filter() must come before the first batch", options_.interface)});
    arena_.clear();
    records_.clear();
    batch_.clear();
    int n = dispatch();
    if (n == 0) {
        pollfd pfd{fd_, POLLIN, 0};
        int ready = poll(&pfd, 1, static_cast<int>(std::min<long long>(timeout.count(), 1 << 30)));
        if (ready < 0 && errno != EINTR) return std::unexpected(system_error(options_.interface, "poll", errno));
        if (ready > 0) n = dispatch();
    }
    if (n < 0) {
        // PCAP_ERROR. libpcap waits through an interface that goes down (it comes back with
        // NETDEV_UP) and fails with "The interface disappeared" when it is removed.
        std::string detail = pcap_geterr(handle_);
        bool gone = detail.find("disappeared") != std::string::npos || detail.find("went down") != std::string::npos;
        if (gone)
            return std::unexpected(Error{ErrorKind::InterfaceGone,
                                         fmt::format("{}: the interface disappeared during the capture ({})", options_.interface, detail)});
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: {}", options_.interface, detail)});
    }
    batch_.reserve(records_.size());
    for (auto& r : records_) {
        r.packet.data = std::span<const std::uint8_t>(arena_.data() + r.offset, r.packet.data.size());
        batch_.push_back(r.packet);
    }
    return std::span<const Packet>(batch_);
}

std::expected<Stats, Error> PcapLiveSource::raw_stats() {
    pcap_stat st{};
    if (pcap_stats(handle_, &st) != 0)
        return std::unexpected(Error{ErrorKind::System, fmt::format("{}: pcap_stats failed: {}", options_.interface, pcap_geterr(handle_))});
    return Stats{st.ps_recv, st.ps_drop};
}

std::expected<Stats, Error> PcapLiveSource::stats() {
    if (!handle_) return std::unexpected(Error{ErrorKind::System, fmt::format("{}: the capture is closed", options_.interface)});
    auto now = raw_stats();
    if (!now) return now;
    // libpcap's counters are 32-bit and wrap; the difference still comes out right below 2^32.
    Stats s;
    s.received = static_cast<std::uint32_t>(now->received - baseline_.received);
    s.dropped = static_cast<std::uint32_t>(now->dropped - baseline_.dropped);
    return s;
}

}  // namespace capture
