#include "common/closest_name.h"

#include <gtest/gtest.h>

#include "probes/outcome.h"

namespace termprobe {
namespace {

const std::vector<std::string_view> kCommands = {"probe",   "run",  "serve", "check",
                                                 "compare", "idle", "reuse"};

TEST(ClosestName, CountsInsertionsDeletionsReplacementsAndSwaps) {
  EXPECT_EQ(edit_distance("probe", "probe"), 0U);
  EXPECT_EQ(edit_distance("prob", "probe"), 1U);
  EXPECT_EQ(edit_distance("prbe", "probe"), 1U);
  EXPECT_EQ(edit_distance("porbe", "probe"), 1U);  // one swap
  EXPECT_EQ(edit_distance("", "run"), 3U);
}

TEST(ClosestName, SuggestsAPrefixOrANearNameAndNothingFarAway) {
  EXPECT_EQ(closest_name("prob", kCommands), "probe");
  EXPECT_EQ(closest_name("comp", kCommands), "compare");
  EXPECT_EQ(closest_name("rnu", kCommands), "run");
  EXPECT_EQ(closest_name("sevre", kCommands), "serve");
  EXPECT_EQ(closest_name("keepalve", label_names()), "keepalive");
  EXPECT_EQ(closest_name("reset_befor_response", label_names()), "reset_before_response");
  EXPECT_EQ(closest_name("zzzzz", label_names()), std::nullopt);
  EXPECT_EQ(closest_name("fetch", kCommands), std::nullopt);
  EXPECT_EQ(closest_name("", kCommands), std::nullopt);
}

}  // namespace
}  // namespace termprobe
