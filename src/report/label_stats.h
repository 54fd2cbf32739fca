// Per label: how many connections, what share, and how long they took
// (time to first byte and time to the end, p50/p90/p99).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

// Timing values counted in log-linear buckets, so that memory does not grow
// with connections: below 512 µs a bucket per microsecond; above, each power
// of two split into 256 buckets. A percentile is the nearest-rank value's
// bucket floor: exact below 512 µs, above at most 1/256 (0.39%) under it.
// Only the buckets from the lowest to the highest used are stored, so one
// per scenario (compare's closing time, values close together) costs a few
// counters, not the thousands of buckets from zero up to its values.
class TimingHistogram {
 public:
  static constexpr std::int64_t kExactBelow = 512;

  void add(std::int64_t micros);
  void add(const TimingHistogram& other);  // pools two sets of values
  std::uint64_t count() const { return total_; }
  Percentiles percentiles() const;
  // The middle of the bucket holding the nearest-rank median: within 1/512
  // (0.2%) of the median value either way, where p50 is up to 0.39% under it.
  std::optional<std::int64_t> median() const;

 private:
  void add_to_bucket(std::size_t bucket, std::uint64_t count);
  std::size_t nearest_rank_bucket(double fraction) const;
  std::int64_t nearest_rank(double fraction) const;
  std::size_t first_bucket_ = 0;       // counts_[i] is bucket first_bucket_ + i
  std::vector<std::uint64_t> counts_;  // from the lowest bucket used to the highest
  std::uint64_t total_ = 0;
};

// The lowest value of the bucket `micros` falls in (negative values count as 0).
std::int64_t bucket_floor(std::int64_t micros);

// Per label: connections, and the histograms of their timings.
class LabelTimings {
 public:
  void add(Label label, const Timings& timings);
  std::map<Label, LabelStats> stats() const;

 private:
  struct Series {
    std::size_t count = 0;
    TimingHistogram first_byte_us;
    TimingHistogram ended_us;
  };
  std::array<Series, static_cast<std::size_t>(Label::error) + 1> by_label_;
  std::size_t total_ = 0;
};

// A small table: label, count, share, ttfb p50/p90/p99, end p50/p90/p99 (ms).
std::string format_label_stats(const std::map<Label, LabelStats>& stats);

}  // namespace termprobe
