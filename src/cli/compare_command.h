// `termprobe compare BASELINE CURRENT`: what changed between two reports.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/compare_options.h"

namespace termprobe {

struct CompareOptions {
  std::string baseline;
  std::string current;
  std::string json_path;  // the changes as JSON ("-" = stdout)
  CompareRuleOptions rules;
};

CLI::App* add_compare_command(CLI::App& app, CompareOptions& options);
int run_compare_command(const CompareOptions& options);

}  // namespace termprobe
