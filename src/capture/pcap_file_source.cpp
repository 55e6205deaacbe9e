// libpcap's offline reader; a read error becomes a message with the file offset of the damage.
#include "capture/pcap_file_source.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cstdio>

namespace capture {

void PcapFileSource::Closer::operator()(pcap_t* p) const { pcap_close(p); }

std::expected<PcapFileSource, std::string> PcapFileSource::open(const std::string& path) {
    std::string mapped_error;
    if (auto mapped = MappedPcap::open(path, mapped_error)) {
        PcapFileSource s;
        s.mapped_.emplace(std::move(*mapped));
        s.path_ = path;
        return s;
    }
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) return std::unexpected(fmt::format("{}: {}", path == "-" ? "standard input" : path, err));
    PcapFileSource s;
    s.handle_.reset(p);
    s.path_ = path;
    return s;
}

int PcapFileSource::dlt() const { return mapped_ ? mapped_->dlt() : pcap_datalink(handle_.get()); }

std::uint32_t PcapFileSource::snaplen() const {
    return mapped_ ? mapped_->snaplen() : static_cast<std::uint32_t>(pcap_snapshot(handle_.get()));
}

bool PcapFileSource::swapped() const { return mapped_ ? mapped_->swapped() : pcap_is_swapped(handle_.get()) == 1; }

PcapFileSource::Status PcapFileSource::next(Packet& out) {
    if (mapped_) {
        std::string what;
        switch (mapped_->next(out, what)) {
            case MappedPcap::Status::Packet: return Status::Packet;
            case MappedPcap::Status::End: return Status::End;
            case MappedPcap::Status::Damaged:
                damage_ = fmt::format("{}: {}", path_, what);
                return Status::Damaged;
        }
    }
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    // Where the record starts, for the message if it turns out to be damaged.
    FILE* f = pcap_file(handle_.get());
    long offset = f ? std::ftell(f) : -1;
    int rc = pcap_next_ex(handle_.get(), &hdr, &data);
    if (rc == 1) {
        out.ts_sec = hdr->ts.tv_sec;
        out.ts_usec = static_cast<std::uint32_t>(hdr->ts.tv_usec);
        out.wire_length = hdr->len;
        out.data = {data, hdr->caplen};
        return Status::Packet;
    }
    if (rc == PCAP_ERROR_BREAK) return Status::End;
    std::string where = offset >= 0 ? fmt::format(" at file offset {}", offset) : std::string{};
    damage_ = fmt::format("{}: damaged record{}: {}", path_ == "-" ? "standard input" : path_, where,
                          pcap_geterr(handle_.get()));
    return Status::Damaged;
}

}  // namespace capture
