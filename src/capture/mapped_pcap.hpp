// The fast reader for classic pcap files: the file is mapped into memory and records are read in
// place, with no copy and no library call per packet. pcapng, pipes and stdin go to libpcap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "capture/packet.hpp"

namespace capture {

class MappedPcap {
public:
    enum class Status { Packet, End, Damaged };

    // Empty when `path` is not a mappable classic pcap file (then libpcap reads it); `error` is
    // set only for a pcap file that is broken from its first bytes.
    static std::optional<MappedPcap> open(const std::string& path, std::string& error);

    MappedPcap(MappedPcap&& other) noexcept;
    MappedPcap& operator=(MappedPcap&&) = delete;
    ~MappedPcap();

    int dlt() const { return dlt_; }
    std::uint32_t snaplen() const { return snaplen_; }
    bool swapped() const { return swapped_; }

    // The packet's bytes point into the mapping and stay valid while this object lives.
    // On Damaged, `damage` says what is wrong and at which file offset.
    Status next(Packet& out, std::string& damage);

private:
    MappedPcap() = default;
    std::uint32_t u32(std::size_t at) const;

    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t offset_ = 0;
    bool swapped_ = false;
    bool nanoseconds_ = false;
    int dlt_ = 0;
    std::uint32_t snaplen_ = 0;
};

}  // namespace capture
