// Writes packets to a pcap file (or stdout, "-") that tcpdump and wireshark read.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "capture/packet.hpp"

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace capture {

class PcapFileSink {
public:
    static std::expected<PcapFileSink, std::string> open(const std::string& path, int dlt, std::uint32_t snaplen);

    // Errors (a full disk) are reported by flush() and close().
    void write(const Packet& p);
    std::expected<void, std::string> flush();
    std::expected<void, std::string> close();

private:
    struct DeadCloser {
        void operator()(pcap_t* p) const;
    };
    struct DumperCloser {
        void operator()(pcap_dumper_t* d) const;
    };
    std::unique_ptr<pcap_t, DeadCloser> dead_;
    std::unique_ptr<pcap_dumper_t, DumperCloser> dumper_;
    std::string path_;
};

}  // namespace capture
