// `termprobe run`: the module's contract suite against one or more targets
// (by default the module's Linux host, started in-process on a loopback
// port), judged against an expectation profile.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_options.h"
#include "cli/redaction_options.h"
#include "cli/suite.h"

namespace termprobe {

struct RunOptions {
  std::vector<std::string> targets;    // base URLs; none = the embedded host
  std::string targets_file;            // more base URLs, one per line
  std::string profile = "reference";   // built-in name or profile JSON file
  std::size_t repeat = 3;              // connections per scenario and target
  std::string prefix = "/termprobe/";  // the module's path prefix (serve --prefix)
  std::string token;                   // X-Termprobe-Token to send
  double timeout_s = 10.0;             // per connection
  double watch_s = 0.3;                // watch window after a complete response
  double fin_watch_s = 0.1;            // after the server's FIN, how long to watch for an RST
  SuiteOptions suite;
  ConnectionOptions connection;  // TLS, HTTP/2 and --resolve
  RedactionOptions redaction;    // --redact, --show-secrets
  bool embedded_tls = false;     // --tls: the embedded host serves HTTPS
  bool embedded_both = false;    // --tls-both: the embedded host over HTTP and over HTTPS, one report
};

CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int run_run_command(const RunOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
