// Bounded reads of -F and --bpf files: regular files, pipes and character devices, at most a few megabytes.
#include "cli/text_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cli {
namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

}  // namespace

std::expected<std::string, std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK so that opening a FIFO with no writer does not hang before the type is known.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return std::unexpected(fmt::format("{}: {}", path, std::strerror(e)));
    }
    // A character device is read too, as tcpdump reads it: /dev/null is an empty filter (and
    // /dev/zero meets the size bound).
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        ::close(fd);
        return std::unexpected(fmt::format("{}: is {}; give a regular file or a pipe", path, kind_of(st.st_mode)));
    }
    if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        ::close(fd);
        return std::unexpected(fmt::format("{}: {} bytes is larger than the {} bytes sniff reads", path, st.st_size, max_bytes));
    }
    // Reads block from here on: a pipe's writer may be slower than us. A named pipe is opened
    // again, blocking, which waits for its writer (without one, the first read would be an
    // empty filter that matches everything), as tcpdump -F does.
    if (S_ISFIFO(st.st_mode)) {
        ::close(fd);
        do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
    } else {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return std::unexpected(fmt::format("{}: read failed: {}", path, std::strerror(e)));
        }
        if (n == 0) break;
        if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
            ::close(fd);
            return std::unexpected(fmt::format("{}: more than the {} bytes sniff reads", path, max_bytes));
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

}  // namespace cli
