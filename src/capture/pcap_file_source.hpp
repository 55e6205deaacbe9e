// Reads pcap and pcapng files (or stdin, "-"): classic pcap files are mapped and read in place
// (MappedPcap); pcapng, pipes and stdin go through libpcap.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include <optional>

#include "capture/mapped_pcap.hpp"
#include "capture/packet.hpp"

typedef struct pcap pcap_t;

namespace capture {

class PcapFileSource {
public:
    enum class Status { Packet, End, Damaged };

    static std::expected<PcapFileSource, std::string> open(const std::string& path);

    int dlt() const;
    std::uint32_t snaplen() const;
    // Written by a machine of the other byte order (pcap_is_swapped).
    bool swapped() const;
    // Fills `out` (valid until the next call). On Damaged, damage() says what and where.
    Status next(Packet& out);
    const std::string& damage() const { return damage_; }

private:
    struct Closer {
        void operator()(pcap_t* p) const;
    };
    std::optional<MappedPcap> mapped_;
    std::unique_ptr<pcap_t, Closer> handle_;
    std::string path_;
    std::string damage_;
};

}  // namespace capture
