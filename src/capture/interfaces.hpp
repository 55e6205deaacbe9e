// The interfaces a live capture can use (tcpdump -D), and the errors about them that a user can
// act on: no such interface, no permission, interface down, buffer too large. Both backends use
// these so they fail with the same words.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "capture/source.hpp"

namespace capture {

enum class LinkStatus { Unknown, Connected, Disconnected, NotApplicable };

struct InterfaceInfo {
    std::string name;
    int index = 0;        // 0 for "any"
    unsigned flags = 0;   // IFF_* (as getifaddrs reports them, with IFF_LOWER_UP)
    int arphrd = 0;       // ARPHRD_*: 1 Ethernet, 772 loopback, ...
    LinkStatus link = LinkStatus::Unknown;

    bool up() const;
    bool running() const;
    bool loopback() const;
};

// The pseudo-interface that captures on every interface of the network namespace.
inline constexpr const char* kAnyInterface = "any";

// Every interface of this network namespace that a packet socket can bind to, by index.
std::expected<std::vector<InterfaceInfo>, Error> list_interfaces();

// tcpdump -D's listing: "1.eth0 [Up, Running, Connected]", best candidates first, with the
// "any" pseudo-interface among them.
std::string format_interface_list(const std::vector<InterfaceInfo>& interfaces);

// The interface to capture on, or an error that says what to do: no such interface (listing the
// ones that exist) or interface down. "any" is index 0 and always up.
std::expected<InterfaceInfo, Error> find_capture_interface(const std::string& name);

// Opening a packet socket failed with EPERM/EACCES: name the capability that is missing.
Error permission_error(const std::string& interface);

// A failed system call during set-up: "<interface>: <call> failed: <strerror(err)>".
Error system_error(const std::string& interface, const std::string& call, int err);

// Refuses a buffer larger than half the machine's memory before the kernel is asked: the kernel
// would try to allocate it block by block and could push the machine into the OOM killer.
std::expected<void, Error> check_buffer_request(const std::string& interface, std::uint64_t bytes);

// "8 MiB", "512 KiB", "1536 KiB": sizes in messages.
std::string format_size(std::uint64_t bytes);

}  // namespace capture
