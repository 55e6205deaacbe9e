// pcap output through libpcap's dumper; stdio errors are surfaced on flush and close.
#include "capture/pcap_file_sink.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace capture {

void PcapFileSink::DeadCloser::operator()(pcap_t* p) const { pcap_close(p); }
void PcapFileSink::DumperCloser::operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }

std::expected<PcapFileSink, std::string> PcapFileSink::open(const std::string& path, int dlt, std::uint32_t snaplen) {
    PcapFileSink s;
    s.path_ = path;
    s.dead_.reset(pcap_open_dead(dlt, static_cast<int>(snaplen)));
    if (!s.dead_) return std::unexpected(fmt::format("{}: cannot set up a pcap writer", path));
    pcap_dumper_t* d = pcap_dump_open(s.dead_.get(), path.c_str());
    if (!d) return std::unexpected(fmt::format("{}: {}", path, pcap_geterr(s.dead_.get())));
    s.dumper_.reset(d);
    return s;
}

void PcapFileSink::write(const Packet& p) {
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<time_t>(p.ts_sec);
    hdr.ts.tv_usec = static_cast<suseconds_t>(p.ts_usec);
    hdr.caplen = static_cast<bpf_u_int32>(p.data.size());
    hdr.len = p.wire_length;
    pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &hdr, p.data.data());
}

std::expected<void, std::string> PcapFileSink::flush() {
    if (pcap_dump_flush(dumper_.get()) != 0 || std::ferror(pcap_dump_file(dumper_.get())))
        return std::unexpected(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    return {};
}

std::expected<void, std::string> PcapFileSink::close() {
    if (!dumper_) return {};
    auto flushed = flush();
    dumper_.reset();
    return flushed;
}

}  // namespace capture
