#include "report/label_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace termprobe {
namespace {

TEST(TimingHistogram, BucketFloorsAreExactBelow512AndAtMostOneIn256UnderAbove) {
  for (std::int64_t v = 0; v < TimingHistogram::kExactBelow; ++v) EXPECT_EQ(bucket_floor(v), v);
  std::mt19937_64 random(3);
  std::int64_t previous_value = 0;
  std::int64_t previous_floor = 0;
  for (std::int64_t v = TimingHistogram::kExactBelow; v < 4'000'000;
       v += 1 + static_cast<std::int64_t>(random() % 97)) {
    const std::int64_t floor = bucket_floor(v);
    ASSERT_LE(floor, v);
    ASSERT_LT(static_cast<double>(v - floor), static_cast<double>(v) / 256.0) << v;
    ASSERT_GE(floor, previous_floor) << "monotonic: " << previous_value << " then " << v;
    previous_value = v;
    previous_floor = floor;
  }
  EXPECT_EQ(bucket_floor(-5), 0);
  const std::int64_t biggest = std::numeric_limits<std::int64_t>::max();
  EXPECT_LE(bucket_floor(biggest), biggest);
  EXPECT_GT(bucket_floor(biggest), biggest / 256 * 255);
}

// The value at nearest rank, then its bucket floor.
std::int64_t expected_rank(std::vector<std::int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))) - 1;
  return bucket_floor(values[std::min(index, values.size() - 1)]);
}

TEST(TimingHistogram, PercentilesAreTheNearestRankValuesBuckets) {
  std::mt19937_64 random(5);
  for (std::size_t n : {1u, 2u, 3u, 10u, 99u, 100u, 101u, 5000u}) {
    TimingHistogram histogram;
    std::vector<std::int64_t> values;
    for (std::size_t i = 0; i < n; ++i) {
      // Small values and a long tail, as connection timings have.
      const auto v = static_cast<std::int64_t>(random() % 4 == 0 ? random() % 600 : random() % 20'000'000);
      values.push_back(v);
      histogram.add(v);
    }
    const Percentiles p = histogram.percentiles();
    EXPECT_EQ(p.p50, expected_rank(values, 0.50)) << n;
    EXPECT_EQ(p.p90, expected_rank(values, 0.90)) << n;
    EXPECT_EQ(p.p99, expected_rank(values, 0.99)) << n;
  }
}

TEST(TimingHistogram, NoValuesNoPercentiles) {
  const Percentiles p = TimingHistogram{}.percentiles();
  EXPECT_FALSE(p.p50 || p.p90 || p.p99);
}

Timings timings_of(std::optional<std::int64_t> first_byte, std::optional<std::int64_t> ended) {
  Timings t;
  t.first_byte_us = first_byte;
  t.ended_us = ended;
  return t;
}

TEST(LabelTimings, CountsSharesAndOnlyTheTimingsPresent) {
  LabelTimings timings;
  timings.add(Label::keepalive, timings_of(100, 300));
  timings.add(Label::keepalive, timings_of(200, std::nullopt));
  timings.add(Label::reset_before_response, timings_of(std::nullopt, 50));
  const auto stats = timings.stats();
  ASSERT_EQ(stats.size(), 2u);
  const LabelStats& keepalive = stats.at(Label::keepalive);
  EXPECT_EQ(keepalive.count, 2u);
  EXPECT_DOUBLE_EQ(keepalive.share, 2.0 / 3.0);
  EXPECT_EQ(keepalive.first_byte_us.p50, 100);
  EXPECT_EQ(keepalive.first_byte_us.p99, 200);
  EXPECT_EQ(keepalive.ended_us.p50, 300);
  const LabelStats& reset = stats.at(Label::reset_before_response);
  EXPECT_FALSE(reset.first_byte_us.p50);
  EXPECT_EQ(reset.ended_us.p90, 50);
}

TEST(LabelStats, TableShowsCountShareAndMillisecondsPerLabel) {
  LabelTimings timings;
  timings.add(Label::keepalive, timings_of(1500, 301'056));
  timings.add(Label::reset_before_response, timings_of(std::nullopt, 250));
  timings.add(Label::reset_before_response, timings_of(std::nullopt, 350));
  EXPECT_EQ(
      format_label_stats(timings.stats()),
      "label                      count   share   first byte ms p50/p90/p99          end ms p50/p90/p99\n"
      "keepalive                      1   33.3%              1.50/1.50/1.50        301.06/301.06/301.06\n"
      "reset_before_response          2   66.7%                       -/-/-              0.25/0.35/0.35\n");
}

TEST(TimingHistogram, TheMedianIsTheMiddleOfItsBucketAndPoolsAdd) {
  TimingHistogram histogram;
  EXPECT_FALSE(histogram.median().has_value());
  for (std::int64_t v : {100, 200, 300}) histogram.add(v);
  EXPECT_EQ(histogram.median(), 200);  // exact below 512
  TimingHistogram seconds;
  seconds.add(2'001'726);  // bucket 1,998,848-2,002,943
  EXPECT_EQ(seconds.median(), 2'000'896);
  seconds.add(1'002'307);
  seconds.add(1'001'000);
  seconds.add(histogram);
  EXPECT_EQ(seconds.count(), 6u);
  EXPECT_EQ(seconds.percentiles().p50, 300);  // the 3rd of 6: 100 200 300 | 1.001 1.002 2.0 s
}

TEST(TimingHistogram, AValueBelowEveryEarlierOneStillCounts) {
  TimingHistogram histogram;
  histogram.add(5'000);
  histogram.add(10);  // stored below the first bucket used
  histogram.add(10);
  EXPECT_EQ(histogram.percentiles().p50, 10);
  EXPECT_EQ(histogram.percentiles().p99, bucket_floor(5'000));
}

}  // namespace
}  // namespace termprobe
