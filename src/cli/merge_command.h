// `termprobe merge A.json B.json ... --json ALL.json`: one report from the
// reports of separate jobs that each probed part of a fleet.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace termprobe {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string json_path;  // the merged report ("-" = stdout)
};

CLI::App* add_merge_command(CLI::App& app, MergeOptions& options);
int run_merge_command(const MergeOptions& options, const std::vector<std::string>& command_line);

}  // namespace termprobe
