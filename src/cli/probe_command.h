// `termprobe probe URL ...`: probe one URL, N times, and report each ending.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_options.h"
#include "cli/redaction_options.h"
#include "common/target_url.h"
#include "probes/probe_spec.h"
#include "report/request_options.h"

namespace termprobe {

struct ProbeOptions {
  std::string url;
  RequestOptions request;              // -X, -H, -d and --data-binary (in order), --body-bytes, --upload-rate
  std::vector<std::string> data_text;  // -d/--data values, as typed
  std::vector<std::string> data_binary_text;  // --data-binary values, as typed
  std::size_t count = 1;                      // connections
  int rounds = 1;                             // requests per connection, one after another
  std::size_t concurrency = 1;                // connections in flight at once
  std::size_t threads = 1;                    // event loops sharing the connections (one report)
  double rate = 0;                            // new connections per second, 0 = unlimited
  double timeout_s = 10.0;                    // whole request/response deadline
  double connect_timeout_s = 5.0;
  double watch_s = 1.0;             // watch window after a complete response
  double fin_watch_s = 0.1;         // after the server's FIN, how long to watch for an RST
  std::string format = "text";      // "text" (a line each), or "ndjson": one JSON object per connection
  bool quiet = false;               // no line per connection, only the summary
  bool spread_sources = false;      // bind connections to 127.0.0.1-254 (loopback targets)
  std::string json_path;            // report destination, "-" = stdout, empty = none
  std::string html_path;            // the report as an HTML page, empty = none
  std::vector<std::string> expect;  // acceptable labels; empty = not judged
  ConnectionOptions connection;     // TLS, HTTP/2 and --resolve
  RedactionOptions redaction;       // --redact, --show-secrets
  std::string clients;              // --clients: "all" or a list of clients to replay with; empty = none
};

CLI::App* add_probe_command(CLI::App& app, ProbeOptions& options);
// `termprobe clients URL ...`: probe's request options; one probe, and the
// same request made by each real client (--clients, all by default).
CLI::App* add_clients_command(CLI::App& app, ProbeOptions& options);

// The spec the options ask for, built as a check file's [[probe]] is
// (build_request); prints the error and returns nullopt on bad input.
std::optional<ProbeSpec> probe_spec_from(const ProbeOptions& options, const TargetUrl& target);

// Runs the probes and returns the process exit code.
int run_probe_command(const ProbeOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
