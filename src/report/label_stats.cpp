#include "report/label_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/report.h"

namespace termprobe {
namespace {

std::optional<std::int64_t> rank(const std::vector<std::int64_t>& sorted, double fraction) {
  if (sorted.empty()) return std::nullopt;
  const auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size()))) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string millis(const std::optional<std::int64_t>& micros) {
  return micros ? fmt::format("{:.2f}", static_cast<double>(*micros) / 1000.0) : std::string("-");
}

}  // namespace

Percentiles percentiles(std::vector<std::int64_t> values) {
  std::sort(values.begin(), values.end());
  return {rank(values, 0.50), rank(values, 0.90), rank(values, 0.99)};
}

std::map<Label, LabelStats> label_stats(const std::vector<ReportEntry>& results) {
  std::map<Label, std::vector<std::int64_t>> first_bytes;
  std::map<Label, std::vector<std::int64_t>> ends;
  std::map<Label, LabelStats> stats;
  for (const auto& entry : results) {
    const Label label = entry.outcome.label;
    ++stats[label].count;
    const auto& t = entry.observation.timings;
    if (t.first_byte_us) first_bytes[label].push_back(*t.first_byte_us);
    if (t.ended_us) ends[label].push_back(*t.ended_us);
  }
  for (auto& [label, s] : stats) {
    s.share = static_cast<double>(s.count) / static_cast<double>(results.size());
    s.first_byte_us = percentiles(first_bytes[label]);
    s.ended_us = percentiles(ends[label]);
  }
  return stats;
}

std::string format_label_stats(const std::map<Label, LabelStats>& stats) {
  std::string table = fmt::format("{:<24} {:>7} {:>7}  {:>26}  {:>26}\n", "label", "count", "share",
                                  "first byte ms p50/p90/p99", "end ms p50/p90/p99");
  for (const auto& [label, s] : stats) {
    table += fmt::format(
        "{:<24} {:>7} {:>6.1f}%  {:>26}  {:>26}\n", to_string(label), s.count, s.share * 100.0,
        fmt::format("{}/{}/{}", millis(s.first_byte_us.p50), millis(s.first_byte_us.p90),
                    millis(s.first_byte_us.p99)),
        fmt::format("{}/{}/{}", millis(s.ended_us.p50), millis(s.ended_us.p90), millis(s.ended_us.p99)));
  }
  return table;
}

}  // namespace termprobe
