// Where a command's report goes: opened before any probing (so a bad path
// fails fast), committed atomically at the end.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "report/atomic_file.h"
#include "report/input_checks.h"
#include "report/report.h"

namespace termprobe {

struct ReportOutput {
  std::optional<AtomicFile> file;  // empty when no --json was given
  std::FILE* text = stdout;        // human lines: stderr when the JSON goes to stdout
};

// A report with the tool version, the command line and the start time filled in.
Report begin_report(const std::vector<std::string>& command_line, std::vector<std::string> targets);

// Prints the error and returns nullopt when the path cannot be written.
// ndjson: stdout carries one JSON object per connection, so the human text
// goes to stderr and the report cannot go to stdout too.
std::optional<ReportOutput> open_report_output(const std::string& json_path, bool ndjson = false);

// One finished connection as an ndjson line on stdout, flushed at once so a
// reader sees each connection as it ends.
void print_ndjson_line(const ReportEntry& entry);

// Writes the JSON; prints the error and returns false when that fails.
bool commit_report(ReportOutput& output, const Report& report);

}  // namespace termprobe
