// Where to capture the probe's connections: the interface that carries the
// targets and a BPF filter on their addresses and ports.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace termprobe {

struct CaptureTarget {
  std::string address;  // numeric IPv4 or IPv6
  int port = 0;
};

struct CapturePlace {
  std::string interface;  // "lo" when every target is on loopback, else "any" (Linux: all interfaces)
  std::string filter;     // tcp and ((host A and port P) or ...)
};

// Where the probe connects for each URL (--connect-to, then --resolve, as
// the engine picks it), with every address getaddrinfo gives for that host;
// ErrorKind::invalid_input when a host does not resolve.
Result<std::vector<CaptureTarget>> capture_targets(const std::vector<std::string>& urls,
                                                   const std::vector<std::string>& resolve,
                                                   const std::vector<std::string>& connect_to);

CapturePlace capture_place(const std::vector<CaptureTarget>& targets);

}  // namespace termprobe
