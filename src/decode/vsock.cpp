// Linux vsock monitor frames (LINKTYPE_VSOCK, the af_vsockmon_hdr of <uapi/linux/vsockmon.h>):
// little-endian source and destination CID and port, the monitored operation, the transport and
// its header's length; for the virtio transport its virtio_vsock_hdr (virtio specification
// 5.10.6) follows, then the payload.
#include <fmt/format.h>

#include "decode/protocols.hpp"

namespace decode::detail {
namespace {

constexpr std::size_t kHeader = 32, kVirtioHeader = 44;
constexpr std::uint16_t kVirtio = 2;

std::string transport_name(std::uint64_t t) {
    switch (t) {
        case 0: return "UNKNOWN"; case 1: return "NO_INFO"; case 2: return "VIRTIO";
        default: return fmt::format("Invalid transport ({})", t);
    }
}

std::string operation_name(std::uint64_t op) {
    switch (op) {
        case 0: return "UNKNOWN"; case 1: return "CONNECT"; case 2: return "DISCONNECT"; case 3: return "CONTROL";
        case 4: return "PAYLOAD";
        default: return fmt::format(" invalid op ({})", op);
    }
}

std::string virtio_operation_name(std::uint64_t op) {
    static constexpr std::string_view kNames[] = {"INVALID", "REQUEST", "RESPONSE", "RST", "SHUTDOWN", "RW", "CREDIT UPDATE",
                                                  "CREDIT REQUEST"};
    return op < std::size(kNames) ? std::string(kNames[op]) : fmt::format("Invalid op ({})", op);
}

}  // namespace

void dissect_vsock(Context& c) {
    const ByteReader& r = c.r;
    Layer& l = c.add("vsock", 0);
    l.set("length", c.out.wire_length);
    if (!r.has(0, kHeader)) return c.truncated("vsock");
    const std::uint16_t transport = r.u16le(26);
    l.set("src_cid", std::uint64_t{r.u32le(0)} | std::uint64_t{r.u32le(4)} << 32)
        .set("dst_cid", std::uint64_t{r.u32le(8)} | std::uint64_t{r.u32le(12)} << 32)
        .set("src_port", r.u32le(16)).set("dst_port", r.u32le(20)).set("op", r.u16le(24)).set("transport", transport)
        .set("transport_header_length", r.u16le(28));
    std::size_t payload = kHeader;
    if (transport == kVirtio && r.has(kHeader, kVirtioHeader)) {
        const std::size_t v = kHeader;
        l.set("virtio_length", r.u32le(v + 24)).set("virtio_type", r.u16le(v + 28)).set("virtio_op", r.u16le(v + 30))
            .set("virtio_flags", r.u32le(v + 32)).set("virtio_buf_alloc", r.u32le(v + 36)).set("virtio_fwd_cnt", r.u32le(v + 40));
        payload += kVirtioHeader;
    }
    c.out.link_length = payload;
    l.set("payload", hex_field(r, payload, r.available(payload, r.size())));
}

void print_vsock(PrintContext& p, const Layer& l) {
    if (!l.has("transport")) return;
    p.raw(transport_name(p.num(l, "transport")));
    if (p.verbose()) {
        if (l.has("virtio_type")) {
            const std::uint64_t type = p.num(l, "virtio_type");
            p.put(" (len {}, type {}, op {}, flags {:x}, buf_alloc {}, fwd_cnt {})", p.num(l, "virtio_length"),
                  type == 1 ? std::string("STREAM") : fmt::format("Invalid type ({})", type),
                  virtio_operation_name(p.num(l, "virtio_op")), p.num(l, "virtio_flags"), p.num(l, "virtio_buf_alloc"),
                  p.num(l, "virtio_fwd_cnt"));
        }
        p.put("\n\t");
    } else {
        p.put(" ");
    }
    p.put("{}.{} > {}.{} {}, length {}", p.num(l, "src_cid"), p.num(l, "src_port"), p.num(l, "dst_cid"), p.num(l, "dst_port"),
          operation_name(p.num(l, "op")), p.num(l, "length"));
    // -vv dumps the data of a virtio PAYLOAD operation.
    if (p.verbose() > 1 && l.has("virtio_type") && p.num(l, "op") == 4) print_hex_field(p, l, "payload", false);
}

}  // namespace decode::detail
