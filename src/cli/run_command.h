// `termprobe run`: the module's contract suite against a target (by default
// the module's Linux host, started in-process on a loopback port), judged
// against an expectation profile.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace termprobe {

struct RunOptions {
  std::string target;                 // base URL; empty = the embedded host
  std::string profile = "reference";  // built-in name or profile JSON file
  std::size_t repeat = 3;             // connections per scenario
  std::size_t concurrency = 1;        // connections in flight at once
  std::string token;                  // X-Termprobe-Token to send
  double timeout_s = 10.0;            // per connection
  double watch_s = 0.3;               // watch window after a complete response
  std::string json_path;              // report destination, "-" = stdout
};

CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int run_run_command(const RunOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
