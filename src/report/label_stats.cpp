#include "report/label_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace termprobe {
namespace {

// The value at nearest rank `fraction`, found by partitioning: no sort, no copy.
std::optional<std::int64_t> rank(std::deque<std::int64_t>& values, double fraction) {
  if (values.empty()) return std::nullopt;
  const auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))) - 1;
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(std::min(index, values.size() - 1));
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

std::string millis(const std::optional<std::int64_t>& micros) {
  return micros ? fmt::format("{:.2f}", static_cast<double>(*micros) / 1000.0) : std::string("-");
}

}  // namespace

Percentiles percentiles(std::deque<std::int64_t>& values) {
  return {rank(values, 0.50), rank(values, 0.90), rank(values, 0.99)};
}

void LabelTimings::add(Label label, const Timings& timings) {
  Series& series = by_label_[static_cast<std::size_t>(label)];
  ++series.count;
  ++total_;
  if (timings.first_byte_us) series.first_byte_us.push_back(*timings.first_byte_us);
  if (timings.ended_us) series.ended_us.push_back(*timings.ended_us);
}

std::map<Label, LabelStats> LabelTimings::stats() const {
  std::map<Label, LabelStats> stats;
  for (std::size_t label = 0; label < by_label_.size(); ++label) {
    const Series& series = by_label_[label];
    if (series.count == 0) continue;
    stats[static_cast<Label>(label)] = {series.count,
                                        static_cast<double>(series.count) / static_cast<double>(total_),
                                        percentiles(series.first_byte_us), percentiles(series.ended_us)};
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
