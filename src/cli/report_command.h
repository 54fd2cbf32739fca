// `termprobe report REPORT.json --html FILE`: a report already written
// (merged ones too) drawn as the HTML page `--html` writes during a run.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace termprobe {

struct ReportCommandOptions {
  std::string input;      // the JSON report to read
  std::string html_path;  // the page to write
};

CLI::App* add_report_command(CLI::App& app, ReportCommandOptions& options);
int run_report_command(const ReportCommandOptions& options);

}  // namespace termprobe
