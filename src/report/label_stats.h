// Per label: how many connections, what share, and how long they took
// (time to first byte and time to the end, p50/p90/p99).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probes/outcome.h"

namespace termprobe {

struct ReportEntry;

struct Percentiles {
  std::optional<std::int64_t> p50;  // microseconds; nullopt when no connection had the value
  std::optional<std::int64_t> p90;
  std::optional<std::int64_t> p99;
};

struct LabelStats {
  std::size_t count = 0;
  double share = 0;           // count / all connections, 0..1
  Percentiles first_byte_us;  // time to the first response byte
  Percentiles ended_us;       // time to the end (FIN/RST/timeout/watch end)
};

// Nearest-rank percentiles over the values present.
Percentiles percentiles(std::vector<std::int64_t> values);

std::map<Label, LabelStats> label_stats(const std::vector<ReportEntry>& results);

// A small table: label, count, share, ttfb p50/p90/p99, end p50/p90/p99 (ms).
std::string format_label_stats(const std::map<Label, LabelStats>& stats);

}  // namespace termprobe
