// The classic pcap format in the writer's byte order (magic 0xa1b2c3d4, microseconds), like
// libpcap's pcap_dump, with its DLT -> LINKTYPE mapping for the file header.
#include "capture/pcap_file_sink.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace capture {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

// DLT values that differ from their LINKTYPE numbers on Linux (pcap-linktype(7)).
std::uint32_t linktype_of(int dlt) {
    switch (dlt) {
        case 12: return 101;  // DLT_RAW -> LINKTYPE_RAW
        case 11: return 100;  // DLT_ATM_RFC1483
        case 15: return 102;  // DLT_SLIP_BSDOS
        case 16: return 103;  // DLT_PPP_BSDOS
        case 19: return 106;  // DLT_ATM_CLIP
        default: return static_cast<std::uint32_t>(dlt);
    }
}

template <class T>
void put(std::vector<std::uint8_t>& b, T v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
}

}  // namespace

std::expected<PcapFileSink, std::string> PcapFileSink::open(const std::string& path, int dlt, std::uint32_t snaplen,
                                                            const std::optional<FileIdentity>& input) {
    PcapFileSink s;
    s.path_ = path == "-" ? "standard output" : path;
    if (path == "-") {
        s.fd_ = STDOUT_FILENO;
        struct stat st {};
        if (input && fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && FileIdentity{st.st_dev, st.st_ino} == *input)
            return std::unexpected(std::string("standard output is the capture file being read; refusing to write to it"));
    } else {
        // Opened without O_TRUNC, so the identity is checked on the file actually opened (no name
        // comparison, no window between a stat and the open) before it is emptied.
        s.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (s.fd_ < 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
        s.owns_fd_ = true;
        struct stat st {};
        if (fstat(s.fd_, &st) != 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
        if (input && S_ISREG(st.st_mode) && FileIdentity{st.st_dev, st.st_ino} == *input)
            return std::unexpected(fmt::format("{}: is the capture file being read; refusing to overwrite it", path));
        if (S_ISREG(st.st_mode) && ftruncate(s.fd_, 0) != 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
    }
    s.buffer_.reserve(kBufferBytes + 65536);
    put<std::uint32_t>(s.buffer_, 0xa1b2c3d4);
    put<std::uint16_t>(s.buffer_, 2);
    put<std::uint16_t>(s.buffer_, 4);
    put<std::int32_t>(s.buffer_, 0);   // thiszone
    put<std::uint32_t>(s.buffer_, 0);  // sigfigs
    put<std::uint32_t>(s.buffer_, snaplen);
    put<std::uint32_t>(s.buffer_, linktype_of(dlt));
    return s;
}

PcapFileSink::PcapFileSink(PcapFileSink&& other) noexcept
    : fd_(other.fd_), owns_fd_(other.owns_fd_), path_(std::move(other.path_)), buffer_(std::move(other.buffer_)),
      error_(std::move(other.error_)) {
    other.fd_ = -1;
    other.owns_fd_ = false;
}

PcapFileSink& PcapFileSink::operator=(PcapFileSink&& other) noexcept {
    if (this != &other) {
        (void)close();
        fd_ = other.fd_;
        owns_fd_ = other.owns_fd_;
        path_ = std::move(other.path_);
        buffer_ = std::move(other.buffer_);
        error_ = std::move(other.error_);
        other.fd_ = -1;
        other.owns_fd_ = false;
    }
    return *this;
}

PcapFileSink::~PcapFileSink() { (void)close(); }

void PcapFileSink::write(const Packet& p) {
    put<std::uint32_t>(buffer_, static_cast<std::uint32_t>(p.ts_sec));
    put<std::uint32_t>(buffer_, p.ts_usec);
    put<std::uint32_t>(buffer_, static_cast<std::uint32_t>(p.data.size()));
    put<std::uint32_t>(buffer_, p.wire_length);
    buffer_.insert(buffer_.end(), p.data.begin(), p.data.end());
    if (buffer_.size() >= kBufferBytes) drain();
}

void PcapFileSink::drain() {
    std::size_t done = 0;
    while (done < buffer_.size() && error_.empty()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error_ = fmt::format("{}: write failed: {}", path_, std::strerror(n < 0 ? errno : EIO));
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

std::expected<void, std::string> PcapFileSink::flush() {
    if (fd_ >= 0) drain();
    if (!error_.empty()) return std::unexpected(error_);
    return {};
}

std::expected<void, std::string> PcapFileSink::close() {
    if (fd_ < 0) return error_.empty() ? std::expected<void, std::string>{} : std::unexpected(error_);
    drain();
    if (owns_fd_ && ::close(fd_) != 0 && error_.empty()) error_ = fmt::format("{}: close failed: {}", path_, std::strerror(errno));
    fd_ = -1;
    if (!error_.empty()) return std::unexpected(error_);
    return {};
}

}  // namespace capture
