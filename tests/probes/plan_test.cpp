// The plan with the clock in the test's hand: Plan::take() is given the
// time, so the pace is checked on synthetic time points, exactly.
#include "probes/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

namespace termprobe {
namespace {

using namespace std::chrono_literals;
using Clock = Plan::Clock;

// An arbitrary origin: the plan must not care where the clock starts.
const Clock::time_point t0 = Clock::time_point(1000h);

std::vector<PlannedProbe> specs_repeated(std::vector<std::size_t> repeats) {
  std::vector<PlannedProbe> probes;
  for (std::size_t i = 0; i < repeats.size(); ++i) {
    PlannedProbe planned;
    planned.spec.url = "http://127.0.0.1/" + std::to_string(i);
    planned.repeat = repeats[i];
    probes.push_back(planned);
  }
  return probes;
}

std::vector<std::pair<std::size_t, std::size_t>> take_all(Plan& plan, Clock::time_point now) {
  std::vector<std::pair<std::size_t, std::size_t>> taken;
  while (auto id = plan.take(now)) taken.emplace_back(id->spec, id->repeat);
  return taken;
}

TEST(Plan, EachSpecsRepeatsComeTogetherInTheOrderGiven) {
  const auto probes = specs_repeated({2, 0, 3, 1});
  Plan plan(probes, 0);
  EXPECT_EQ(plan.requested(), 6u);
  EXPECT_FALSE(plan.exhausted());
  const std::vector<std::pair<std::size_t, std::size_t>> expected = {{0, 0}, {0, 1}, {2, 0},
                                                                     {2, 1}, {2, 2}, {3, 0}};
  EXPECT_EQ(take_all(plan, t0), expected);
  EXPECT_TRUE(plan.exhausted());
  EXPECT_EQ(plan.take(t0 + 1h), std::nullopt);
  EXPECT_EQ(plan.next_start(), std::nullopt);
  EXPECT_EQ(plan.requested(), 6u);  // what was asked for, not what is left
}

TEST(Plan, AnEmptyPlanIsExhaustedAtOnce) {
  const auto probes = specs_repeated({0, 0});
  Plan plan(probes, 5);
  EXPECT_EQ(plan.requested(), 0u);
  EXPECT_TRUE(plan.exhausted());
  EXPECT_EQ(plan.take(t0), std::nullopt);
  EXPECT_EQ(plan.next_start(), std::nullopt);
}

TEST(Plan, WithoutARateEveryProbeIsDueAtOnce) {
  const auto probes = specs_repeated({3});
  for (const double rate : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    Plan plan(probes, rate);
    EXPECT_EQ(plan.next_start(), std::nullopt) << rate;
    EXPECT_EQ(take_all(plan, t0).size(), 3u) << rate;
  }
}

TEST(Plan, ARateSpacesTheStartsOnAFixedSchedule) {
  const auto probes = specs_repeated({5});
  Plan plan(probes, 10);                       // one start every 100 ms
  EXPECT_EQ(plan.next_start(), std::nullopt);  // the first is due whenever asked
  ASSERT_TRUE(plan.take(t0));
  EXPECT_EQ(plan.next_start(), t0 + 100ms);
  EXPECT_EQ(plan.take(t0), std::nullopt);
  EXPECT_EQ(plan.take(t0 + 100ms - 1ns), std::nullopt);
  EXPECT_EQ(plan.next_start(), t0 + 100ms);  // asking early moves nothing
  const auto second = plan.take(t0 + 100ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->repeat, 1u);
  EXPECT_EQ(plan.next_start(), t0 + 200ms);
  // A late take: the schedule counts from when the start was due, not from now.
  ASSERT_TRUE(plan.take(t0 + 250ms));
  EXPECT_EQ(plan.next_start(), t0 + 300ms);
}

// A loop that could not ask for 450 ms catches up: the starts it missed
// are due at once, so the long-run rate is the rate asked for.
TEST(Plan, ASlowMomentDoesNotLowerTheLongRunRate) {
  const auto probes = specs_repeated({100});
  Plan plan(probes, 10);
  std::vector<Clock::time_point> starts;
  for (auto now = t0; now < t0 + 1s; now += 1ms) {
    if (now > t0 + 150ms && now < t0 + 600ms) continue;  // the loop was busy
    while (plan.take(now)) starts.push_back(now);
  }
  ASSERT_EQ(starts.size(), 10u);
  const std::vector<Clock::time_point> expected = {t0,         t0 + 100ms, t0 + 600ms, t0 + 600ms,
                                                   t0 + 600ms, t0 + 600ms, t0 + 600ms, t0 + 700ms,
                                                   t0 + 800ms, t0 + 900ms};
  EXPECT_EQ(starts, expected);
  EXPECT_EQ(plan.next_start(), t0 + 1000ms);
}

TEST(Plan, TheIntervalIsOneOverTheRateInClockTicks) {
  const auto probes = specs_repeated({3});
  Plan third(probes, 3);
  ASSERT_TRUE(third.take(t0));
  EXPECT_EQ(third.next_start(), t0 + std::chrono::nanoseconds(333'333'333));
  // A rate beyond the clock's resolution still paces: one tick at least.
  Plan fast(probes, 1e12);
  ASSERT_TRUE(fast.take(t0));
  EXPECT_EQ(fast.next_start(), t0 + Clock::duration(1));
  EXPECT_EQ(fast.take(t0), std::nullopt);
  EXPECT_TRUE(fast.take(t0 + Clock::duration(1)));
}

TEST(Plan, StopEndsThePlan) {
  const auto probes = specs_repeated({3});
  Plan plan(probes, 10);
  ASSERT_TRUE(plan.take(t0));
  plan.stop();
  EXPECT_TRUE(plan.exhausted());
  EXPECT_EQ(plan.next_start(), std::nullopt);
  EXPECT_EQ(plan.take(t0 + 1h), std::nullopt);
  EXPECT_EQ(plan.requested(), 3u);
}

TEST(Plan, TheLastStartLeavesNoNextStart) {
  const auto probes = specs_repeated({2});
  Plan plan(probes, 10);
  ASSERT_TRUE(plan.take(t0));
  EXPECT_EQ(plan.next_start(), t0 + 100ms);
  ASSERT_TRUE(plan.take(t0 + 100ms));
  EXPECT_TRUE(plan.exhausted());
  EXPECT_EQ(plan.next_start(), std::nullopt);
}

TEST(Plan, LoopThreadsSharingAPlanTakeEachProbeOnce) {
  const auto probes = specs_repeated({500, 500});
  Plan plan(probes, 0);
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> taken(4);
  std::vector<std::thread> threads;
  for (auto& mine : taken) threads.emplace_back([&plan, &mine] { mine = take_all(plan, t0); });
  for (auto& thread : threads) thread.join();
  std::set<std::pair<std::size_t, std::size_t>> all;
  std::size_t count = 0;
  for (const auto& mine : taken) {
    // Each thread sees the plan's order in what it took.
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(mine.begin(), mine.end());
    count += mine.size();
  }
  EXPECT_EQ(count, 1000u);
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_TRUE(plan.exhausted());
}

}  // namespace
}  // namespace termprobe
