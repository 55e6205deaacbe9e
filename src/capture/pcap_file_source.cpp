// Chooses the reader from the first bytes, which sniff peeks and libpcap then reads again, so
// the choice works on pipes. A read error becomes a message with the file offset of the damage.
#include "capture/pcap_file_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/pcap_header.hpp"

namespace capture {

void PcapFileSource::Closer::operator()(pcap_t* p) const { pcap_close(p); }

std::expected<PcapFileSource, std::string> PcapFileSource::open(const std::string& path) {
    PcapFileSource s;
    if (path == "-") {
        s.name_ = "standard input";
        s.reader_ = std::make_unique<ByteReader>(STDIN_FILENO, false);
    } else {
        s.name_ = path;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
        s.reader_ = std::make_unique<ByteReader>(fd, true);
    }
    ByteReader& reader = *s.reader_;
    if (auto first = reader.peek(4); first.size() == 4) {
        auto magic = classify_magic(first.first<4>());
        if (magic == PcapMagic::Micro || magic == PcapMagic::Nano) {
            auto bytes = reader.peek(kPcapFileHeaderBytes);
            if (bytes.size() < kPcapFileHeaderBytes) {
                if (reader.read_errno()) return std::unexpected(fmt::format("{}: error reading dump file: {}", s.name_, std::strerror(reader.read_errno())));
                // libpcap counts what it got after the magic number (sf-pcap.c pcap_check_header).
                return std::unexpected(fmt::format("{}: truncated dump file; tried to read {} file header bytes, only got {}", s.name_,
                                                   kPcapFileHeaderBytes, bytes.size() - 4));
            }
            auto header = parse_pcap_header(bytes.first<kPcapFileHeaderBytes>());
            if (!header) return std::unexpected(fmt::format("{}: {}", s.name_, header.error()));
            if (!libpcap_rewrites_packets(*header)) {
                reader.consume(kPcapFileHeaderBytes);
                s.pcap_.emplace(reader, *header);
                return s;
            }
        } else if (auto ng = PcapngStream::open(reader)) {
            s.pcapng_.emplace(std::move(*ng));
            return s;
        }
    }
    std::string error;
    if (!s.hand_to_libpcap({}, error)) return std::unexpected(fmt::format("{}: {}", s.name_, error));
    return s;
}

bool PcapFileSource::hand_to_libpcap(std::vector<std::uint8_t> prefix, std::string& error) {
    cookie_ = CookieFile::open(*reader_, std::move(prefix));
    if (!cookie_) {
        error = std::strerror(errno);
        return false;
    }
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_fopen_offline(cookie_->file(), err);
    if (!p) {
        std::fclose(cookie_->file());
        cookie_.reset();
        error = err;
        return false;
    }
    handle_.reset(p);
    return true;
}

int PcapFileSource::dlt() const {
    if (pcap_) return pcap_->header().dlt;
    if (pcapng_) return pcapng_->dlt();
    return pcap_datalink(handle_.get());
}

std::uint32_t PcapFileSource::snaplen() const {
    if (pcap_) return pcap_->header().snaplen;
    if (pcapng_) return pcapng_->snaplen();
    return static_cast<std::uint32_t>(pcap_snapshot(handle_.get()));
}

bool PcapFileSource::swapped() const {
    if (pcap_) return pcap_->header().swapped;
    if (pcapng_) return pcapng_->swapped();
    return pcap_is_swapped(handle_.get()) == 1;
}

PcapFileSource::Status PcapFileSource::next(Packet& out) {
    if (pcap_) {
        std::string what;
        switch (pcap_->next(out, what)) {
            case PcapStream::Status::Packet: return Status::Packet;
            case PcapStream::Status::End: return Status::End;
            case PcapStream::Status::Damaged:
                damage_ = fmt::format("{}: {}", name_, what);
                return Status::Damaged;
        }
    }
    if (pcapng_) {
        switch (pcapng_->next(out)) {
            case PcapngStream::Status::Packet: return Status::Packet;
            case PcapngStream::Status::End:
                if (auto shrank = reader_->shrinkage()) {
                    damage_ = fmt::format("{}: damaged record at file offset {}: {}", name_, reader_->offset(), *shrank);
                    return Status::Damaged;
                }
                return Status::End;
            case PcapngStream::Status::HandOver: {
                // libpcap reads the section and interface blocks again, then this block on.
                const std::uint64_t at = reader_->offset();
                std::string error;
                bool ok = hand_to_libpcap(pcapng_->prefix(), error);
                pcapng_.reset();
                if (!ok) {
                    damage_ = fmt::format("{}: damaged record at file offset {}: {}", name_, at, error);
                    return Status::Damaged;
                }
                break;
            }
        }
    }
    return next_from_libpcap(out);
}

PcapFileSource::Status PcapFileSource::next_from_libpcap(Packet& out) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    // Where the record or block starts, for the message if it turns out to be damaged: libpcap's
    // FILE reads from our reader, so this is arithmetic, not a system call.
    const std::uint64_t offset = cookie_->offset();
    int rc = pcap_next_ex(handle_.get(), &hdr, &data);
    if (rc == 1) {
        out.ts_sec = hdr->ts.tv_sec;
        out.ts_usec = static_cast<std::uint32_t>(hdr->ts.tv_usec);
        out.wire_length = hdr->len;
        out.data = {data, hdr->caplen};
        return Status::Packet;
    }
    if (rc == PCAP_ERROR_BREAK) {
        if (auto shrank = reader_->shrinkage()) {
            damage_ = fmt::format("{}: damaged record at file offset {}: {}", name_, reader_->offset(), *shrank);
            return Status::Damaged;
        }
        return Status::End;
    }
    damage_ = fmt::format("{}: damaged record at file offset {}: {}", name_, offset, pcap_geterr(handle_.get()));
    if (auto shrank = reader_->shrinkage()) damage_ += fmt::format(" ({})", *shrank);
    return Status::Damaged;
}

}  // namespace capture
