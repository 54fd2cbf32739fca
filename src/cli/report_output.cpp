#include "cli/report_output.h"

#include <fmt/format.h>

namespace termprobe {

std::optional<ReportOutput> open_report_output(const std::string& json_path) {
  ReportOutput output;
  if (json_path.empty()) return output;
  auto opened = AtomicFile::open(json_path);
  if (!opened) {
    fmt::print(stderr, "termprobe: error: {}\n", opened.error().message);
    return std::nullopt;
  }
  output.file.emplace(std::move(*opened));
  if (json_path == "-") output.text = stderr;
  return output;
}

bool commit_report(ReportOutput& output, const Report& report) {
  if (!output.file) return true;
  auto written = output.file->commit(to_json(report).dump(2) + "\n");
  if (!written) fmt::print(stderr, "termprobe: error: {}\n", written.error().message);
  return written.has_value();
}

}  // namespace termprobe
