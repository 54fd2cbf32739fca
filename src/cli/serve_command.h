// `termprobe serve`: the bundled module's Linux host in the foreground.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/host_tls.h"
#include "module_host.h"

namespace termprobe {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";  // ADDRESS:PORT, [IPv6]:PORT
  bool allow_remote = false;              // permit a non-loopback listen address
  std::string token;                      // required X-Termprobe-Token for destructive endpoints
  std::string prefix;                     // path prefix of the endpoints, default /termprobe/
  std::size_t max_connections = 4096;     // more get 503 and a close
  // Seconds a connection may take to send a request head (HostOptions::request_head_timeout).
  double request_head_timeout_s =
      std::chrono::duration<double>(termprobe_host::kDefaultRequestHeadTimeout).count();
  HostTlsOptions tls;  // --tls, --cert/--key, --write-cert
};

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);
int run_serve_command(const ServeOptions& options);

}  // namespace termprobe
