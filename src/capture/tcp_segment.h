// One TCP segment as a capture holds it: the few header fields the
// capture check needs, parsed from a link-layer frame. Pure: no libpcap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "probes/observation.h"

namespace termprobe {

struct TcpSegment {
  Endpoint source;            // numeric address and port the segment came from
  Endpoint destination;       // and went to
  std::uint32_t seq = 0;      // sequence number of its first byte (or of the SYN/FIN)
  std::uint8_t flags = 0;     // kTcpFin, kTcpSyn, kTcpRst, kTcpAck, ...
  std::uint32_t payload = 0;  // TCP payload bytes (from the IP lengths, not the captured length)
  std::int64_t unix_us = 0;   // capture time, µs since the Unix epoch
};

inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpAck = 0x10;

// The link types a Linux capture gives: DLT_NULL/LOOP (BSD loopback),
// DLT_EN10MB (lo and Ethernet), DLT_RAW, DLT_LINUX_SLL and SLL2 ("any").
// nullopt for anything that is not IPv4/IPv6 TCP, or is cut short before
// the TCP header ends.
std::optional<TcpSegment> parse_tcp_segment(int link_type, std::span<const std::uint8_t> frame,
                                            std::int64_t unix_us);

}  // namespace termprobe
