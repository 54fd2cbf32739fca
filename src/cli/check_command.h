// `termprobe check FILE`: probes from a user's expectations file, judged.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/suite.h"
#include "cli/tls_options.h"

namespace termprobe {

struct CheckOptions {
  std::string file;  // TOML expectations file
  SuiteOptions suite;
  TlsOptions tls;  // applied to every probe where the file does not say otherwise
};

CLI::App* add_check_command(CLI::App& app, CheckOptions& options);
int run_check_command(const CheckOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
