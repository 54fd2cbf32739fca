// Per label: how many connections, what share, and how long they took
// (time to first byte and time to the end, p50/p90/p99).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "probes/observation.h"
#include "probes/outcome.h"

namespace termprobe {

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

// Nearest-rank percentiles over the values present; reorders them.
Percentiles percentiles(std::deque<std::int64_t>& values);

// The timings of every connection, by label: exact percentiles need every
// value, and they are all that is kept of a connection here, 8 bytes each
// (16 for a connection with both). A deque grows in small blocks, so the
// peak stays at what is stored rather than twice it, as a vector's would.
class LabelTimings {
 public:
  void add(Label label, const Timings& timings);
  std::map<Label, LabelStats> stats() const;

 private:
  struct Series {
    std::size_t count = 0;
    // Mutable: percentiles partition them in place, and their order means nothing.
    mutable std::deque<std::int64_t> first_byte_us;
    mutable std::deque<std::int64_t> ended_us;
  };
  std::array<Series, static_cast<std::size_t>(Label::error) + 1> by_label_;
  std::size_t total_ = 0;
};

// A small table: label, count, share, ttfb p50/p90/p99, end p50/p90/p99 (ms).
std::string format_label_stats(const std::map<Label, LabelStats>& stats);

}  // namespace termprobe
