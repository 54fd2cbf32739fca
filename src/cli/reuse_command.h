// `termprobe reuse URL --idle MS,...`: a second request on the same
// connection after each idle delay. Around the server's idle timeout this
// shows the race window in which pooled clients see resets.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_options.h"
#include "cli/redaction_options.h"

namespace termprobe {

struct ReuseOptions {
  std::string url;
  std::string method;  // -X: both requests' (default GET)
  std::vector<std::string> headers;
  std::vector<double> idle_ms;  // delays between the first response and the second request
  std::size_t repeat = 1;       // connections per delay
  std::size_t concurrency = 1;
  double timeout_s = 10.0;
  double connect_timeout_s = 5.0;
  double watch_s = 0.2;      // after the second response
  double fin_watch_s = 0.1;  // after the server's FIN, how long to watch for an RST
  std::string json_path;
  std::string html_path;            // the report as an HTML page, empty = none
  std::vector<std::string> expect;  // reuse outcomes accepted after every delay; exit 1 otherwise
  ConnectionOptions connection;     // TLS, HTTP/2 and --resolve
  RedactionOptions redaction;       // --redact, --show-secrets
};

CLI::App* add_reuse_command(CLI::App& app, ReuseOptions& options);
int run_reuse_command(const ReuseOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
