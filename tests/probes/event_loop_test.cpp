// The deadline heap keeps what is live, not every deadline ever set.
#include "probes/event_loop.h"

#include <gtest/gtest.h>

namespace termprobe {
namespace {

TEST(EventLoop, StaleTimersAreDroppedOnceTheyOutnumberTheKeep) {
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop.has_value());
  const auto later = EventLoop::Clock::now() + std::chrono::hours(1);
  for (std::uint32_t generation = 1; generation <= 10'000; ++generation)
    (*loop)->schedule({later + std::chrono::seconds(generation), 0, generation});
  const auto only_the_last = [](const EventLoop::Timer& t) { return t.generation == 10'000; };
  (*loop)->drop_stale_timers(20'000, only_the_last);  // under the keep: nothing dropped
  (*loop)->drop_stale_timers(100, only_the_last);
  const auto end = later + std::chrono::hours(10);
  auto first = (*loop)->pop_due(end);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->generation, 10'000u);
  EXPECT_FALSE((*loop)->pop_due(end).has_value());
}

}  // namespace
}  // namespace termprobe
