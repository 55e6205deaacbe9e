// The --backend pcap live source: the same capture through libpcap (pcap_create/pcap_activate),
// with sniff's compiled program installed by pcap_setfilter. A reference for the AF_PACKET
// backend (both must deliver the same packets) and a fallback where that one cannot run.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <vector>

#include "capture/source.hpp"

typedef struct pcap pcap_t;
struct pcap_pkthdr;

namespace capture {

class PcapLiveSource final : public Source {
public:
    static std::expected<std::unique_ptr<PcapLiveSource>, Error> open(const LiveOptions& options);
    ~PcapLiveSource() override;
    PcapLiveSource(const PcapLiveSource&) = delete;
    PcapLiveSource& operator=(const PcapLiveSource&) = delete;

    int dlt() const override { return dlt_; }
    std::uint32_t snaplen() const override { return options_.snaplen; }
    std::expected<void, Error> set_filter(const std::optional<cbpf::Program>& program) override;
    std::expected<std::span<const Packet>, Error> next_batch(std::chrono::milliseconds timeout) override;
    std::expected<Stats, Error> stats() override;
    void close() override;

private:
    PcapLiveSource() = default;
    std::expected<void, Error> install(const cbpf::Program& program);
    std::expected<Stats, Error> raw_stats();
    int dispatch();
    static void on_packet(unsigned char* self, const ::pcap_pkthdr* h, const unsigned char* bytes);

    struct Record {
        std::size_t offset;
        Packet packet;  // data filled in once the arena stops growing
    };

    LiveOptions options_;
    pcap_t* handle_ = nullptr;
    int fd_ = -1;
    int dlt_ = 1;
    std::optional<cbpf::Program> vlan_recheck_;
    std::vector<std::uint8_t> arena_;  // libpcap's buffers are only valid in the callback: copy
    std::vector<Record> records_;
    std::vector<Packet> batch_;
    Stats baseline_;
    bool filter_set_ = false;
};

}  // namespace capture
