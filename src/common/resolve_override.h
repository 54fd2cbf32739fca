// Where a probe connects for the URL's host and port: curl's --resolve
// HOST:PORT:ADDRESS and --connect-to HOST1:PORT1:HOST2:PORT2. Both keep the
// URL, the Host header and the TLS server name; only the socket goes
// elsewhere. One override type serves both: --resolve is the --connect-to
// that names one host and port and goes to a numeric address on that port.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace termprobe {

struct ConnectOverride {
  std::string host;     // as the URL names it (lower case; an IPv6 address in brackets); empty = any host
  int port = 0;         // 1..65535; 0 = any port
  std::string to_host;  // a name or a numeric address (IPv6 without brackets); empty = the same host
  int to_port = 0;      // 1..65535; 0 = the same port
};

// "example.test:443:127.0.0.1" or "example.test:443:[::1]"; the error says
// what is wrong in one line.
Result<ConnectOverride> parse_resolve_override(const std::string& text);

// "example.test:443:127.0.0.1:8443", "::backend.test:", "[::1]:80:[::1]:8080".
Result<ConnectOverride> parse_connect_to(const std::string& text);

struct ConnectPoint {
  std::string host;  // a name or a numeric address, as the resolver takes it
  int port = 0;
};

// Where to connect for host:port: the first --connect-to entry that names
// it, then the first --resolve entry for the result (curl's order).
ConnectPoint connect_point_for(const std::vector<std::string>& resolve,
                               const std::vector<std::string>& connect_to, const std::string& host, int port);

}  // namespace termprobe
