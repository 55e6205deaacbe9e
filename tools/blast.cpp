// blast: sends Ethernet/IPv4/UDP frames out of one interface as fast as it can for a bounded
// time, for bench/live_bench.sh. Only ever run it on a veth inside a throw-away namespace.
//
//   blast IFACE SECONDS [FRAME_BYTES]
//
// Frames alternate between UDP destination ports 9 and 53 so a filter such as 'udp port 53'
// keeps half of them. Prints "sent N frames in S s" on stdout.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::vector<std::uint8_t> frame(std::size_t size, std::uint16_t dport, std::uint16_t sport) {
    size = std::max<std::size_t>(size, 60);
    std::vector<std::uint8_t> f(size, 0);
    const std::uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
    std::memcpy(f.data(), dst, 6);
    std::memcpy(f.data() + 6, src, 6);
    f[12] = 0x08;  // IPv4
    std::uint8_t* ip = f.data() + 14;
    std::size_t ip_len = size - 14;
    ip[0] = 0x45;
    ip[2] = static_cast<std::uint8_t>(ip_len >> 8);
    ip[3] = static_cast<std::uint8_t>(ip_len);
    ip[8] = 64;
    ip[9] = 17;  // UDP
    const std::uint8_t saddr[4] = {10, 9, 0, 1}, daddr[4] = {10, 9, 0, 2};
    std::memcpy(ip + 12, saddr, 4);
    std::memcpy(ip + 16, daddr, 4);
    std::uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = static_cast<std::uint8_t>(~sum >> 8);
    ip[11] = static_cast<std::uint8_t>(~sum);
    std::uint8_t* udp = ip + 20;
    std::size_t udp_len = ip_len - 20;
    udp[0] = static_cast<std::uint8_t>(sport >> 8);
    udp[1] = static_cast<std::uint8_t>(sport);
    udp[2] = static_cast<std::uint8_t>(dport >> 8);
    udp[3] = static_cast<std::uint8_t>(dport);
    udp[4] = static_cast<std::uint8_t>(udp_len >> 8);
    udp[5] = static_cast<std::uint8_t>(udp_len);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: blast IFACE SECONDS [FRAME_BYTES]\n");
        return 2;
    }
    const char* ifname = argv[1];
    double seconds = std::atof(argv[2]);
    std::size_t size = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 64;
    if (seconds <= 0 || seconds > 60) {
        std::fprintf(stderr, "blast: SECONDS must be in (0, 60]\n");
        return 2;
    }
    unsigned index = if_nametoindex(ifname);
    if (index == 0) {
        std::fprintf(stderr, "blast: %s: %s\n", ifname, std::strerror(errno));
        return 1;
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: never receives
    if (fd < 0) {
        std::fprintf(stderr, "blast: socket(AF_PACKET): %s\n", std::strerror(errno));
        return 1;
    }
    // Straight to the driver: the qdisc would only add a lock and a queue to measure.
    int one = 1;
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(index);
    to.sll_halen = 6;

    constexpr std::size_t kBatch = 64;
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::size_t i = 0; i < kBatch; ++i) frames.push_back(frame(size, i % 2 ? 53 : 9, static_cast<std::uint16_t>(10000 + i)));
    std::vector<iovec> iov(kBatch);
    std::vector<mmsghdr> msgs(kBatch);
    for (std::size_t i = 0; i < kBatch; ++i) {
        iov[i] = {frames[i].data(), frames[i].size()};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    auto start = std::chrono::steady_clock::now();
    auto end = start + std::chrono::duration<double>(seconds);
    std::uint64_t sent = 0, refused = 0;
    while (std::chrono::steady_clock::now() < end) {
        int n = sendmmsg(fd, msgs.data(), kBatch, 0);
        if (n < 0) {
            if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
                std::fprintf(stderr, "blast: sendmmsg: %s\n", std::strerror(errno));
                return 1;
            }
            ++refused;
            continue;
        }
        sent += static_cast<std::uint64_t>(n);
    }
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("sent %llu frames in %.2f s (%.0f frames/s, %llu refused batches)\n", static_cast<unsigned long long>(sent), took,
                static_cast<double>(sent) / took, static_cast<unsigned long long>(refused));
    close(fd);
    return 0;
}
