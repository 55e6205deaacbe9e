// Reading the small text files the command line names (-F filter expressions, --bpf programs)
// with a size bound, so that a device or a huge file cannot make sniff read without end.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

namespace cli {

// The largest filter or program file sniff reads: far above any real filter (a 100,000-host
// list is about 2 MB), far below what would exhaust memory.
inline constexpr std::size_t kMaxTextFileBytes = 16u << 20;

// The whole file at `path`, which must be a regular file, a pipe (a FIFO, or /dev/stdin when it
// is one) or a character device (/dev/null: empty), of at most `max_bytes` bytes. The error names
// the file and what is wrong with it: cannot be opened (errno's text), is a directory, a block
// device or a socket, is larger than the bound, or a read failed.
std::expected<std::string, std::string> read_text_file(const std::string& path, std::size_t max_bytes = kMaxTextFileBytes);

}  // namespace cli
