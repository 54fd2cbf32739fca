#include "capture/tcp_segment.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>

namespace termprobe {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint8_t kProtocolTcp = 6;

std::uint16_t be16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

std::uint32_t be32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint32_t>(bytes[at]) << 24 | static_cast<std::uint32_t>(bytes[at + 1]) << 16 |
         static_cast<std::uint32_t>(bytes[at + 2]) << 8 | bytes[at + 3];
}

std::string address_text(int family, const std::uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, text, sizeof(text));
  return text;
}

// The EtherType-like value that says what the link layer carries, and
// where the IP header starts; nullopt when the frame is too short.
struct NetworkStart {
  std::uint16_t ether_type = 0;
  std::size_t offset = 0;
};

std::optional<NetworkStart> network_start(int link_type, std::span<const std::uint8_t> f) {
  switch (link_type) {
    case DLT_EN10MB: {
      if (f.size() < 14) return std::nullopt;
      NetworkStart start{be16(f, 12), 14};
      if (start.ether_type == kEtherVlan && f.size() >= 18) start = {be16(f, 16), 18};
      return start;
    }
    case DLT_NULL:
    case DLT_LOOP: {
      // A 4-byte address family in host (NULL) or network (LOOP) order: 2 is
      // AF_INET everywhere; IPv6's value differs by system, so ask the IP header.
      if (f.size() < 5) return std::nullopt;
      return NetworkStart{static_cast<std::uint16_t>((f[4] >> 4) == 6 ? kEtherIpv6 : kEtherIpv4), 4};
    }
    case DLT_RAW:
      if (f.empty()) return std::nullopt;
      return NetworkStart{static_cast<std::uint16_t>((f[0] >> 4) == 6 ? kEtherIpv6 : kEtherIpv4), 0};
    case DLT_LINUX_SLL:
      if (f.size() < 16) return std::nullopt;
      return NetworkStart{be16(f, 14), 16};
    case DLT_LINUX_SLL2:
      if (f.size() < 20) return std::nullopt;
      return NetworkStart{be16(f, 0), 20};
    default: return std::nullopt;
  }
}

// The TCP header at `at`, `tcp_length` bytes of TCP header and payload long.
std::optional<TcpSegment> tcp_at(std::span<const std::uint8_t> f, std::size_t at, std::size_t tcp_length) {
  if (f.size() < at + 20 || tcp_length < 20) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(f[at + 12] >> 4) * 4;
  if (header < 20 || header > tcp_length) return std::nullopt;
  TcpSegment segment;
  segment.source.port = be16(f, at);
  segment.destination.port = be16(f, at + 2);
  segment.seq = be32(f, at + 4);
  segment.flags = f[at + 13];
  segment.payload = static_cast<std::uint32_t>(tcp_length - header);
  return segment;
}

std::optional<TcpSegment> ipv4_tcp(std::span<const std::uint8_t> f, std::size_t at) {
  if (f.size() < at + 20) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(f[at] & 0x0f) * 4;
  const std::size_t total = be16(f, at + 2);
  const bool first_fragment = (be16(f, at + 6) & 0x1fff) == 0;
  if (f[at + 9] != kProtocolTcp || header < 20 || total < header || !first_fragment) return std::nullopt;
  auto segment = tcp_at(f, at + header, total - header);
  if (!segment) return std::nullopt;
  segment->source.address = address_text(AF_INET, &f[at + 12]);
  segment->destination.address = address_text(AF_INET, &f[at + 16]);
  return segment;
}

// No extension headers: the probe's own traffic carries none.
std::optional<TcpSegment> ipv6_tcp(std::span<const std::uint8_t> f, std::size_t at) {
  if (f.size() < at + 40 || f[at + 6] != kProtocolTcp) return std::nullopt;
  auto segment = tcp_at(f, at + 40, be16(f, at + 4));
  if (!segment) return std::nullopt;
  segment->source.address = address_text(AF_INET6, &f[at + 8]);
  segment->destination.address = address_text(AF_INET6, &f[at + 24]);
  return segment;
}

}  // namespace

std::optional<TcpSegment> parse_tcp_segment(int link_type, std::span<const std::uint8_t> frame,
                                            std::int64_t unix_us) {
  const auto start = network_start(link_type, frame);
  if (!start) return std::nullopt;
  std::optional<TcpSegment> segment;
  if (start->ether_type == kEtherIpv4) segment = ipv4_tcp(frame, start->offset);
  if (start->ether_type == kEtherIpv6) segment = ipv6_tcp(frame, start->offset);
  if (segment) segment->unix_us = unix_us;
  return segment;
}

}  // namespace termprobe
