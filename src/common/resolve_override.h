// curl's --resolve HOST:PORT:ADDRESS: probe a name's virtual host and TLS
// server name on an address of the user's choosing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace termprobe {

struct ResolveOverride {
  std::string host;     // as the URL names it (lower case; an IPv6 address in brackets)
  int port = 0;         // 1..65535
  std::string address;  // numeric IPv4 or IPv6 address, without brackets
};

// "example.test:443:127.0.0.1" or "example.test:443:[::1]"; the error says
// what is wrong in one line.
Result<ResolveOverride> parse_resolve_override(const std::string& text);

// The address to use for host:port, when an entry names it.
std::optional<std::string> resolve_override_for(const std::vector<std::string>& entries,
                                                const std::string& host, int port);

}  // namespace termprobe
