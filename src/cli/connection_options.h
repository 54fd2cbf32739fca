// How every probing command (probe, clients, run, check, idle, reuse)
// connects: TLS trust, versions and client certificate, the HTTP version,
// where the socket goes (--resolve, --connect-to, -4/-6, --local-port) and
// -u, and --capture of those connections. curl's names and meaning, declared and applied in one place.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "probes/probe_spec.h"

namespace termprobe {

struct ConnectionOptions {
  bool insecure = false;                // -k: do not stop at certificate problems (they are still reported)
  std::string cacert;                   // --cacert: PEM bundle to trust
  std::vector<std::string> resolve;     // --resolve HOST:PORT:ADDRESS
  std::string tls_min;                  // --tls-min 1.0|1.1|1.2|1.3 (default 1.2)
  std::string tls_max;                  // --tls-max 1.0|1.1|1.2|1.3
  bool http2 = false;                   // --http2: offer h2 by ALPN over https
  bool http2_prior_knowledge = false;   // --http2-prior-knowledge: HTTP/2 from the first byte
  int streams = 1;                      // --streams: HTTP/2 streams per connection
  std::vector<std::string> connect_to;  // --connect-to HOST1:PORT1:HOST2:PORT2
  bool ipv4 = false;                    // -4: IPv4 addresses only
  bool ipv6 = false;                    // -6: IPv6 addresses only
  std::string cert;                     // --cert: PEM client certificate (mTLS)
  std::string key;                      // --key: its PEM private key (default: in --cert's file)
  std::string user;                     // -u USER:PASSWORD: Basic credentials (a secret)
  std::string local_port;               // --local-port N[-M], as typed
  std::string capture;                  // --capture FILE.pcap: the probe's own packets; empty = none
  bool capture_strict = false;          // --capture-strict: exit 1 when the capture contradicts an entry
};

void add_connection_options(CLI::App* command, ConnectionOptions& options);

// Fills what the spec leaves unset (a check file's own keys win); prints
// the error and returns false when the options cannot go together.
bool apply_connection_options(const ConnectionOptions& options, ProbeSpec& spec);

}  // namespace termprobe
