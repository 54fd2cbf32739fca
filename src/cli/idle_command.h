// `termprobe idle URL`: one request, then hold the connection idle and report
// when and how the server closed it — the number a client pool's idle
// timeout must stay below.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_options.h"
#include "cli/redaction_options.h"

namespace termprobe {

struct IdleOptions {
  std::string url;
  std::vector<std::string> headers;
  double max_s = 130.0;  // watch at most this long (IIS's default connection timeout is 120 s; unverified)
  double timeout_s = 10.0;
  double connect_timeout_s = 5.0;
  double fin_watch_s = 0.1;     // after the server's FIN, how long to watch for an RST
  std::size_t count = 1;        // connections, each held idle (a check file's repeat)
  std::size_t concurrency = 1;  // of them at once
  std::string json_path;
  std::string html_path;         // the report as an HTML page, empty = none
  std::string expect;            // IDLE (close:55-80, fin, open): judged; exit 1 when it does not hold
  ConnectionOptions connection;  // TLS, HTTP/2 and --resolve
  RedactionOptions redaction;    // --redact, --show-secrets
};

CLI::App* add_idle_command(CLI::App& app, IdleOptions& options);
int run_idle_command(const IdleOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
