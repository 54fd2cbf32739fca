#include "report/summary_text.h"

#include <fmt/format.h>

#include <map>

namespace termprobe {
namespace {

std::string millis(std::int64_t micros) {
  return fmt::format("{:.1f} ms", static_cast<double>(micros) / 1000.0);
}

std::string body_text(const Observation& o) {
  if (o.declared_length) return fmt::format("body {}/{} B", o.body_bytes, *o.declared_length);
  if (o.chunked)
    return fmt::format("body {} B chunked{}", o.body_bytes, o.response_complete ? "" : " (no terminator)");
  return fmt::format("body {} B", o.body_bytes);
}

std::string ending_text(const Observation& o) {
  const auto& t = o.timings;
  if (o.end == StreamEnd::open) return "still open after watch";
  if (t.ended_us && t.response_complete_us)
    return fmt::format("{} {} after response", to_string(o.end),
                       millis(*t.ended_us - *t.response_complete_us));
  if (t.ended_us) return fmt::format("{} at {}", to_string(o.end), millis(*t.ended_us));
  return std::string(to_string(o.end));
}

}  // namespace

std::string format_entry_line(std::size_t number, const ReportEntry& entry) {
  const Observation& o = entry.observation;
  std::string line = fmt::format("#{:<4} {:<24}", number, to_string(entry.outcome.label));
  if (o.status != 0)
    line += fmt::format(" HTTP {}  {}", o.status, body_text(o));
  else if (o.connected)
    line += fmt::format(" no response ({} B)", o.wire_bytes_received);
  if (!o.request_complete && o.connected)
    line += fmt::format("  upload {}/{} B", o.body_bytes_sent, o.body_bytes_total);
  line += "  " + ending_text(o);
  if (entry.outcome.announced) line += "  (Connection: close)";
  if (o.curl_code != 0) line += fmt::format("  [curl {}: {}]", o.curl_code, o.curl_message);
  if (!o.local.address.empty()) line += fmt::format("  {}:{}", o.local.address, o.local.port);
  return line;
}

std::string format_summary_line(const Report& report) {
  std::map<std::string, std::size_t> labels;
  for (const auto& entry : report.results) ++labels[std::string(to_string(entry.outcome.label))];
  std::string line = fmt::format("{} of {} connection(s)", report.results.size(), report.requested);
  for (const auto& [label, count] : labels) line += fmt::format(", {} {}", label, count);
  if (report.interrupted) line += " (interrupted)";
  return line;
}

}  // namespace termprobe
