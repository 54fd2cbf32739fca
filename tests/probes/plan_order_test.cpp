#include "probes/plan_order.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace termprobe {
namespace {

// Two specs: "a" twice, then "b" once; items are named by what they carry.
struct Ordered {
  std::vector<PlannedProbe> plan = {{ProbeSpec{}, 2}, {ProbeSpec{}, 1}};
  std::vector<std::string> out;
  PlanOrder<std::string> order{plan, [this](std::string& item) { out.push_back(item); }};
};

const ProbeId a0{0, 0};
const ProbeId a1{0, 1};
const ProbeId b0{1, 0};

TEST(PlanOrder, TheOldestRunningProbesItemsGoOutAtOnce) {
  Ordered run;
  run.order.add(a0, "a0");
  EXPECT_EQ(run.out, (std::vector<std::string>{"a0"}));
  run.order.ended(a0);
  run.order.add(a1, "a1");
  EXPECT_EQ(run.out, (std::vector<std::string>{"a0", "a1"}));
  EXPECT_EQ(run.order.held(), 0U);
}

TEST(PlanOrder, ALaterProbeThatEndsFirstWaitsForTheOnesBeforeIt) {
  Ordered run;
  run.order.add(b0, "b0");
  run.order.ended(b0);
  run.order.add(a1, "a1");
  run.order.ended(a1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_EQ(run.order.held(), 2U);
  run.order.add(a0, "a0");
  EXPECT_EQ(run.out, (std::vector<std::string>{"a0"}));
  run.order.ended(a0);  // releases a1, then b0: both ended already
  EXPECT_EQ(run.out, (std::vector<std::string>{"a0", "a1", "b0"}));
  EXPECT_EQ(run.order.held(), 0U);
}

// --rounds and HTTP/2 streams: several items per probe, kept together and in their own order.
TEST(PlanOrder, AProbesSeveralItemsStayTogetherInTheirOrder) {
  Ordered run;
  run.order.add(a1, "a1 round 1");
  run.order.add(a0, "a0 round 1");
  run.order.add(a1, "a1 round 2");
  run.order.ended(a0);  // a1 is next and still running: its held rounds go out, later ones at once
  EXPECT_EQ(run.out, (std::vector<std::string>{"a0 round 1", "a1 round 1", "a1 round 2"}));
  run.order.add(a1, "a1 round 3");
  EXPECT_EQ(run.out.back(), "a1 round 3");
}

// A stop: a probe that never started never ends; what ended after it still goes out, in order.
TEST(PlanOrder, FlushSendsWhatIsHeldInPlanOrder) {
  Ordered run;
  run.order.add(b0, "b0");
  run.order.add(a1, "a1");
  run.order.flush();
  EXPECT_EQ(run.out, (std::vector<std::string>{"a1", "b0"}));
}

}  // namespace
}  // namespace termprobe
