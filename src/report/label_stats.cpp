#include "report/label_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace termprobe {
namespace {

constexpr int kSubBits = 8;  // 256 buckets per power of two above kExactBelow
constexpr int kExactBits = kSubBits + 1;
static_assert(TimingHistogram::kExactBelow == std::int64_t{1} << kExactBits);

std::size_t bucket_of(std::int64_t micros) {
  const auto value = static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0));
  if (value < (1u << kExactBits)) return value;
  const auto exponent = static_cast<int>(std::bit_width(value)) - 1;  // >= kExactBits
  const int shift = exponent - kSubBits;
  const std::uint64_t sub = (value >> shift) - (1u << kSubBits);
  return (std::size_t{1} << kExactBits) + (static_cast<std::size_t>(exponent - kExactBits) << kSubBits) + sub;
}

std::int64_t floor_of(std::size_t bucket) {
  if (bucket < (std::size_t{1} << kExactBits)) return static_cast<std::int64_t>(bucket);
  const std::size_t above = bucket - (std::size_t{1} << kExactBits);
  const auto shift = static_cast<int>(above >> kSubBits) + kExactBits - kSubBits;
  const std::uint64_t sub = (above & ((1u << kSubBits) - 1)) + (1u << kSubBits);
  return static_cast<std::int64_t>(sub << shift);
}

std::string millis(const std::optional<std::int64_t>& micros) {
  return micros ? fmt::format("{:.2f}", static_cast<double>(*micros) / 1000.0) : std::string("-");
}

}  // namespace

std::int64_t bucket_floor(std::int64_t micros) { return floor_of(bucket_of(micros)); }

void TimingHistogram::add(std::int64_t micros) { add_to_bucket(bucket_of(micros), 1); }

void TimingHistogram::add(const TimingHistogram& other) {
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] != 0) add_to_bucket(other.first_bucket_ + i, other.counts_[i]);
  }
}

void TimingHistogram::add_to_bucket(std::size_t bucket, std::uint64_t count) {
  if (counts_.empty()) {
    first_bucket_ = bucket;
  } else if (bucket < first_bucket_) {
    counts_.insert(counts_.begin(), first_bucket_ - bucket, 0);
    first_bucket_ = bucket;
  }
  if (bucket - first_bucket_ >= counts_.size()) counts_.resize(bucket - first_bucket_ + 1);
  counts_[bucket - first_bucket_] += count;
  total_ += count;
}

// The bucket holding the value at the nearest rank: the (ceil(fraction *
// n))th smallest, as over the values themselves.
std::size_t TimingHistogram::nearest_rank_bucket(double fraction) const {
  const auto rank = std::max<std::uint64_t>(
      static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total_))), 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return first_bucket_ + i;
  }
  return first_bucket_ + counts_.size() - 1;
}

std::int64_t TimingHistogram::nearest_rank(double fraction) const {
  return floor_of(nearest_rank_bucket(fraction));
}

std::optional<std::int64_t> TimingHistogram::median() const {
  if (total_ == 0) return std::nullopt;
  const std::size_t bucket = nearest_rank_bucket(0.5);
  const std::int64_t floor = floor_of(bucket);
  return floor + (floor_of(bucket + 1) - floor) / 2;
}

Percentiles TimingHistogram::percentiles() const {
  if (total_ == 0) return {};
  return {nearest_rank(0.50), nearest_rank(0.90), nearest_rank(0.99)};
}

void LabelTimings::add(Label label, const Timings& timings) {
  Series& series = by_label_[static_cast<std::size_t>(label)];
  ++series.count;
  ++total_;
  if (timings.first_byte_us) series.first_byte_us.add(*timings.first_byte_us);
  if (timings.ended_us) series.ended_us.add(*timings.ended_us);
}

std::map<Label, LabelStats> LabelTimings::stats() const {
  std::map<Label, LabelStats> stats;
  for (std::size_t label = 0; label < by_label_.size(); ++label) {
    const Series& series = by_label_[label];
    if (series.count == 0) continue;
    stats[static_cast<Label>(label)] = {series.count,
                                        static_cast<double>(series.count) / static_cast<double>(total_),
                                        series.first_byte_us.percentiles(), series.ended_us.percentiles()};
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
