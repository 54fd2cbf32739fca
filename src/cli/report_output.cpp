#include "cli/report_output.h"

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "report/entry_json.h"

namespace termprobe {

Report begin_report(const std::vector<std::string>& command_line, std::vector<std::string> targets) {
  Report report;
  report.tool_version = TERMPROBE_VERSION;
  report.command = command_line;
  report.started_at = utc_timestamp_now();
  report.targets = std::move(targets);
  return report;
}

std::optional<ReportOutput> open_report_output(const std::string& json_path, bool ndjson) {
  ReportOutput output;
  if (ndjson && json_path == "-") {
    print_error("--format ndjson and --json - both want stdout: give --json a file");
    return std::nullopt;
  }
  if (ndjson) output.text = stderr;
  if (json_path.empty()) return output;
  auto opened = AtomicFile::open(json_path);
  if (!opened) {
    print_error(opened.error().message);
    return std::nullopt;
  }
  output.file.emplace(std::move(*opened));
  if (json_path == "-") output.text = stderr;
  return output;
}

void print_ndjson_line(const ReportEntry& entry) {
  static std::string line;  // kept: its capacity serves every connection
  line.clear();
  JsonTextWriter json = JsonTextWriter::compact(line);
  write_entry_json(json, entry);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

bool commit_report(ReportOutput& output, const Report& report) {
  if (!output.file) return true;
  std::optional<Error> failure;
  write_report_json(report, [&](std::string_view piece) {
    auto written = output.file->write(piece);
    if (!written) failure = written.error();
    return written.has_value();
  });
  if (!failure) {
    if (auto committed = output.file->commit(); !committed) failure = committed.error();
  }
  if (failure) print_error(failure->message);
  return !failure;
}

}  // namespace termprobe
