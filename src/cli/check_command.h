// `termprobe check FILE`: probes from a user's expectations file, judged.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_options.h"
#include "cli/redaction_options.h"
#include "cli/suite.h"

namespace termprobe {

struct CheckOptions {
  std::string file;  // TOML expectations file
  SuiteOptions suite;
  ConnectionOptions connection;  // TLS, HTTP/2 and --resolve
  RedactionOptions redaction;    // --redact, --show-secrets (with the file's redact keys)
};

CLI::App* add_check_command(CLI::App& app, CheckOptions& options);
int run_check_command(const CheckOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
