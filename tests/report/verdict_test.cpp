#include "report/verdict.h"

#include <gtest/gtest.h>

#include "report/profile.h"
#include "report/report.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

ReportEntry entry(const std::string& scenario, Label label) {
  ReportEntry e;
  e.scenario = scenario;
  e.outcome.label = label;
  return e;
}

ReportTally tally_of(const std::vector<ReportEntry>& entries) {
  ReportTally tally;
  for (const auto& e : entries) tally.add(e);
  return tally;
}

Profile profile() {
  Profile p;
  p.name = "test";
  p.scenarios["reset"] = Expectation{std::set<Label>{Label::reset_before_response, Label::empty_reply}, ""};
  p.scenarios["ok"] = Expectation{std::set<Label>{Label::keepalive}, ""};
  p.scenarios["cancel-io-send"] = Expectation{std::nullopt, "unverified"};
  return p;
}

TEST(Verdict, EveryObservedLabelMustBeExpected) {
  const std::vector<ReportEntry> results = {entry("reset", Label::reset_before_response),
                                            entry("reset", Label::empty_reply), entry("ok", Label::keepalive),
                                            entry("ok", Label::reset_after_response),
                                            entry("cancel-io-send", Label::keepalive)};
  const auto verdicts =
      judge(profile(), {"reset", "ok", "cancel-io-send", "reset-continue"}, tally_of(results));
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].verdict, Verdict::pass);
  EXPECT_EQ(verdicts[1].verdict, Verdict::fail);
  EXPECT_EQ(verdicts[1].observed.at(Label::reset_after_response), 1u);
  EXPECT_EQ(verdicts[2].verdict, Verdict::unverified);
  EXPECT_EQ(verdicts[3].verdict, Verdict::unverified) << "a scenario the profile does not mention";
  EXPECT_FALSE(all_held(verdicts));
}

TEST(Verdict, NothingObservedIsNotAPass) {
  const auto verdicts = judge(profile(), {"ok"}, ReportTally{});
  EXPECT_EQ(verdicts[0].verdict, Verdict::fail);
}

TEST(Verdict, UnverifiedDoesNotFailTheRun) {
  const auto verdicts =
      judge(profile(), {"cancel-io-send"}, tally_of({entry("cancel-io-send", Label::reset_mid_response)}));
  EXPECT_TRUE(all_held(verdicts));
}

TEST(VerdictTable, ShowsExpectedObservedWithCountsAndVerdict) {
  const auto verdicts = judge(
      profile(), {"reset", "cancel-io-send"},
      tally_of({entry("reset", Label::reset_before_response), entry("reset", Label::reset_before_response),
                entry("cancel-io-send", Label::keepalive)}));
  EXPECT_EQ(format_verdict_table(verdicts),
            "scenario        expected                           observed                  verdict\n"
            "reset           reset_before_response|empty_reply  reset_before_response x2  pass\n"
            "cancel-io-send  unverified                         keepalive x1              unverified\n");
}

}  // namespace
}  // namespace termprobe
