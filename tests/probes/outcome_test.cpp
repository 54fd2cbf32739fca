#include <gtest/gtest.h>

#include "probes/outcome.h"

namespace termprobe {
namespace {

TEST(Outcome, EveryLabelRoundTripsThroughItsName) {
  for (int i = 0; i <= static_cast<int>(Label::error); ++i) {
    const auto label = static_cast<Label>(i);
    EXPECT_EQ(label_from_string(to_string(label)), label) << to_string(label);
  }
  EXPECT_EQ(to_string(Label::reset_after_response), "reset_after_response");
  EXPECT_FALSE(label_from_string("reset").has_value());
}

TEST(Outcome, PhasesAndEndingsRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Phase::after_response); ++i)
    EXPECT_EQ(phase_from_string(to_string(static_cast<Phase>(i))), static_cast<Phase>(i));
  for (int i = 0; i <= static_cast<int>(StreamEnd::error); ++i)
    EXPECT_EQ(stream_end_from_string(to_string(static_cast<StreamEnd>(i))), static_cast<StreamEnd>(i));
  EXPECT_EQ(to_string(StreamEnd::rst), "rst");
}

}  // namespace
}  // namespace termprobe
