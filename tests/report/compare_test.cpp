#include "report/compare.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace termprobe {
namespace {

struct Connection {
  std::string label = "keepalive";
  std::optional<int> status = 200;
  bool announced = false;
  std::int64_t wire_bytes = 100;
  bool rst_after_fin = false;
  std::optional<std::int64_t> after_response_us = std::nullopt;
  bool announced_close_missed = false;
};

ScenarioFacts facts_of(const std::vector<Connection>& connections) {
  ScenarioFacts facts;
  for (const auto& c : connections)
    add_connection(facts, {c.label, c.status, c.announced, c.wire_bytes, c.rst_after_fin, c.after_response_us,
                           c.announced_close_missed});
  return facts;
}

ReportFacts report_of(const std::string& origin, const std::map<ScenarioKey, ScenarioFacts>& scenarios) {
  ReportFacts report;
  report.origin = origin;
  report.scenarios = scenarios;
  return report;
}

const ScenarioKey kOk{"http://a", "ok"};

// What differs between one scenario's baseline and current facts.
std::vector<std::string> what_changed(const std::vector<Connection>& before,
                                      const std::vector<Connection>& after) {
  const auto changes =
      compare_reports(report_of("b", {{kOk, facts_of(before)}}), report_of("c", {{kOk, facts_of(after)}}));
  if (changes.empty()) return {};
  EXPECT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::changed);
  return changes[0].what;
}

TEST(Compare, CountsAloneAreNoChange) {
  EXPECT_TRUE(what_changed({{}}, {{}, {}, {}}).empty());
  // Another mix of the same labels and statuses: still the same sets.
  Connection reset{.label = "reset_after_response"};
  EXPECT_TRUE(what_changed({{}, reset}, {reset, reset, {}}).empty());
}

TEST(Compare, ALabelOrStatusSetThatDiffersIsAChange) {
  EXPECT_EQ(what_changed({{}}, {{.label = "close_after_response"}}), std::vector<std::string>{"labels"});
  EXPECT_EQ(what_changed({{}}, {{}, {.label = "reset_after_response"}}), std::vector<std::string>{"labels"});
  EXPECT_EQ(what_changed({{}}, {{.status = 403}}), std::vector<std::string>{"status"});
  EXPECT_EQ(what_changed({{.label = "reset_before_response", .status = std::nullopt}}, {{.status = 502}}),
            (std::vector<std::string>{"labels", "status"}));
}

TEST(Compare, AnAnnouncedCloseThatWasMissedIsAChangeEvenUnderTheSameLabel) {
  // nginx's lingering close outlasting the deadline: early_response both
  // times, but once the server closed within it and once not.
  const Connection closed{.label = "early_response", .status = 413, .announced = true};
  const Connection missed{
      .label = "early_response", .status = 413, .announced = true, .announced_close_missed = true};
  EXPECT_EQ(what_changed({closed}, {missed}), std::vector<std::string>{"announced close missed"});
  EXPECT_TRUE(what_changed({missed}, {missed, missed}).empty());
}

TEST(Compare, AnnouncedAndRstAfterFinCompareAsNoneSomeOrAll) {
  const Connection announced{.announced = true};
  EXPECT_TRUE(what_changed({announced}, {announced, announced}).empty());  // all, all
  EXPECT_EQ(what_changed({announced}, {announced, {}}), std::vector<std::string>{"announced close"});
  EXPECT_EQ(what_changed({{}}, {announced}), std::vector<std::string>{"announced close"});
  const Connection broken{.label = "close_after_response", .rst_after_fin = true};
  const Connection clean{.label = "close_after_response"};
  EXPECT_TRUE(what_changed({broken, clean}, {clean, broken, clean}).empty());  // some, some
  EXPECT_EQ(what_changed({clean}, {clean, broken}), std::vector<std::string>{"rst after fin"});
}

TEST(Compare, BytesBeforeAResetCountOnlyForResetMidResponse) {
  const auto cut = [](std::int64_t bytes) {
    return Connection{.label = "reset_mid_response", .wire_bytes = bytes};
  };
  EXPECT_TRUE(what_changed({cut(1138)}, {cut(1138), cut(1138)}).empty());
  EXPECT_EQ(what_changed({cut(1138)}, {cut(1138), cut(600)}), std::vector<std::string>{"bytes before reset"});
  // Other labels' byte counts vary with the response and are not compared.
  EXPECT_TRUE(what_changed({{.wire_bytes = 10}}, {{.wire_bytes = 99999}}).empty());
}

TEST(Compare, AScenarioInOneReportOnlyIsListed) {
  const ScenarioKey other{"http://b", "ok"};
  const auto changes =
      compare_reports(report_of("b", {{kOk, facts_of({{}})}}), report_of("c", {{other, facts_of({{}})}}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::only_in_baseline);
  EXPECT_EQ(changes[0].key, kOk);
  EXPECT_TRUE(changes[0].baseline.has_value());
  EXPECT_FALSE(changes[0].current.has_value());
  EXPECT_EQ(changes[1].kind, ChangeKind::only_in_current);
  EXPECT_EQ(changes[1].key, other);
}

TEST(Compare, TextNamesTheScenarioWhatChangedAndBothSides) {
  const ReportFacts before = report_of("'before.json'", {{kOk, facts_of({{}, {}})}});
  const ReportFacts after = report_of("this run", {{kOk, facts_of({{.status = 403, .announced = true}})}});
  const auto changes = compare_reports(before, after);
  EXPECT_EQ(format_changes(changes, before, after),
            "1 change(s) from 'before.json' to this run:\n"
            "http://a ok  [changed: status, announced close]\n"
            "  baseline: keepalive x2; status 200 x2; announced none; rst after fin none\n"
            "  current:  keepalive x1; status 403 x1; announced all; rst after fin none\n");
  EXPECT_EQ(format_changes({}, before, before),
            "no change: 1 scenario(s) in 'before.json' match 'before.json'\n");
}

TEST(Compare, TextEscapesControlCharactersFromReportFiles) {
  const ScenarioKey hostile{"http://a\x1b[2J", "ok\r\nfake line"};
  const ReportFacts before = report_of("b", {});
  const ReportFacts after = report_of("c", {{hostile, facts_of({{}})}});
  const std::string text = format_changes(compare_reports(before, after), before, after);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("\nhttp://a\\x1b[2J ok\\r\\nfake line  [only in current]\n"), std::string::npos)
      << text;
}

TEST(Compare, JsonCarriesEachChangeWithBothSides) {
  const ReportFacts before = report_of("b.json", {{kOk, facts_of({{.label = "reset_mid_response"}})}});
  const ReportFacts after = report_of("c.json", {});
  const auto json = changes_json(compare_reports(before, after), before, after);
  EXPECT_EQ(json["baseline"], "b.json");
  EXPECT_EQ(json["current"], "c.json");
  EXPECT_EQ(json["changed"], true);
  ASSERT_EQ(json["changes"].size(), 1u);
  const auto& change = json["changes"][0];
  EXPECT_EQ(change["target"], "http://a");
  EXPECT_EQ(change["scenario"], "ok");
  EXPECT_EQ(change["change"], "only in baseline");
  EXPECT_TRUE(change["current"].is_null());
  EXPECT_EQ(change["baseline"]["labels"]["reset_mid_response"], 1);
  EXPECT_EQ(change["baseline"]["reset_bytes"]["min"], 100);
  EXPECT_EQ(changes_json({}, before, before)["changed"], false);
}

// The server closed `micros` after the response (nginx's keepalive_timeout).
Connection closed_after(std::int64_t micros, std::string label = "close_after_response") {
  return {.label = std::move(label), .after_response_us = micros};
}

std::vector<std::string> timing_changed(const std::vector<Connection>& before,
                                        const std::vector<Connection>& after, const CompareRules& rules) {
  const auto changes = compare_reports(report_of("b", {{kOk, facts_of(before)}}),
                                       report_of("c", {{kOk, facts_of(after)}}), rules);
  return changes.empty() ? std::vector<std::string>{} : changes[0].what;
}

TEST(CompareTiming, TwoSecondsToOneIsAChangeLoopbackJitterIsNot) {
  const std::vector<Connection> two_s{closed_after(2'001'726), closed_after(2'003'100),
                                      closed_after(2'000'900)};
  const std::vector<Connection> one_s{closed_after(1'002'307), closed_after(1'001'000),
                                      closed_after(1'003'000)};
  EXPECT_EQ(timing_changed(two_s, one_s, {}), std::vector<std::string>{"closing time"});
  // A few ms of jitter, or the same server again: no change.
  const std::vector<Connection> again{closed_after(2'007'040), closed_after(2'011'140),
                                      closed_after(1'999'000)};
  EXPECT_TRUE(timing_changed(two_s, again, {}).empty());
  // Short closes: 25% of 1 ms is jitter, the 50 ms floor keeps it quiet.
  EXPECT_TRUE(timing_changed({closed_after(1'000)}, {closed_after(30'000)}, {}).empty());
  EXPECT_EQ(timing_changed({closed_after(1'000)}, {closed_after(80'000)}, {}),
            std::vector<std::string>{"closing time"});
  // Resets after the response count too.
  EXPECT_EQ(timing_changed({closed_after(2'000'000, "reset_after_response")},
                           {closed_after(500'000, "reset_after_response")}, {}),
            std::vector<std::string>{"closing time"});
}

TEST(CompareTiming, TheMedianIgnoresOneOutlier) {
  const std::vector<Connection> before{closed_after(2'000'000), closed_after(2'000'000),
                                       closed_after(2'000'000)};
  const std::vector<Connection> one_slow{closed_after(2'000'000), closed_after(2'000'000),
                                         closed_after(9'000'000)};
  EXPECT_TRUE(timing_changed(before, one_slow, {}).empty());
}

TEST(CompareTiming, AKeepaliveTimeIsTheProbesWatchNotTheServersAndIsNotCompared) {
  // keepalive: still open when --watch ended; its after_response_us is the watch.
  EXPECT_TRUE(
      timing_changed({closed_after(1'000'000, "keepalive")}, {closed_after(5'000'000, "keepalive")}, {})
          .empty());
}

TEST(CompareTiming, TheToleranceIsSettable) {
  CompareRules strict;
  strict.time = *parse_time_tolerance("5%");
  EXPECT_EQ(timing_changed({closed_after(2'000'000)}, {closed_after(2'200'000)}, strict),
            std::vector<std::string>{"closing time"});
  EXPECT_TRUE(timing_changed({closed_after(2'000'000)}, {closed_after(2'200'000)}, {}).empty());
  CompareRules loose;
  loose.time = *parse_time_tolerance("10%,5000ms");
  EXPECT_TRUE(timing_changed({closed_after(2'000'000)}, {closed_after(1'000'000)}, loose).empty());
}

TEST(CompareTiming, ToleranceTextIsParsedStrictly) {
  const auto both = parse_time_tolerance("10%,200ms");
  ASSERT_TRUE(both.has_value());
  EXPECT_DOUBLE_EQ(both->fraction, 0.10);
  EXPECT_EQ(both->floor_us, 200'000);
  const auto ms_only = parse_time_tolerance("0ms");
  ASSERT_TRUE(ms_only.has_value());
  EXPECT_DOUBLE_EQ(ms_only->fraction, 0.25);
  EXPECT_EQ(ms_only->floor_us, 0);
  EXPECT_EQ(time_tolerance_text({}), "25% or 50 ms, whichever is larger");
  for (const char* bad : {"", "25", "25%%", "-1%", "nan%", "1e400ms", "5s", "25%,", "x%"})
    EXPECT_FALSE(parse_time_tolerance(bad).has_value()) << bad;
  EXPECT_EQ(parse_time_tolerance("5s").error().message,
            "5s: '5s' must be a percentage (25%) or milliseconds (50ms)");
}

TEST(CompareTiming, TheChangeSaysWhenTheServerClosedNowAndBefore) {
  const ReportFacts before = report_of("'a.json'", {{kOk, facts_of({closed_after(2'001'726)})}});
  const ReportFacts after = report_of("'b.json'", {{kOk, facts_of({closed_after(1'002'307)})}});
  const auto changes = compare_reports(before, after);
  ASSERT_EQ(changes.size(), 1u);
  // 2,001,726 µs sits in the bucket 1,998,848-2,002,943: its middle, 2,000,896, shows as 2001 ms.
  EXPECT_EQ(closing_time_text(changes[0]),
            "closed 1002 ms after the response, was 2001 ms (median of 1 and 1 connections)");
  const std::string text = format_changes(changes, before, after);
  EXPECT_NE(text.find("http://a ok  [changed: closing time]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  closing time: closed 1002 ms after the response, was 2001 ms (median of 1 and 1 "
                      "connections); tolerance 25% or 50 ms, whichever is larger\n"),
            std::string::npos)
      << text;
  const auto json = changes_json(changes, before, after);
  EXPECT_EQ(json["changes"][0]["current"]["closed_after_response"]["connections"], 1);
  EXPECT_NEAR(json["changes"][0]["current"]["closed_after_response"]["median_us"].get<double>(), 1'002'307,
              2'000);
  EXPECT_EQ(json["time_tolerance"]["percent"], 25.0);
}

const ScenarioKey kBlueOk{"http://blue:8081", "ok"};
const ScenarioKey kGreenOk{"http://green:8082", "ok"};

TEST(CompareMatching, ByTargetOtherDeploymentsOnlyListEachSide) {
  const auto changes = compare_reports(report_of("b", {{kBlueOk, facts_of({{}})}}),
                                       report_of("c", {{kGreenOk, facts_of({{}})}}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::only_in_baseline);
}

TEST(CompareMatching, ByScenarioPairsDeploymentsAndPoolsTheirTargets) {
  CompareRules by_scenario;
  by_scenario.match.by_scenario = true;
  EXPECT_TRUE(compare_reports(report_of("b", {{kBlueOk, facts_of({{}})}}),
                              report_of("c", {{kGreenOk, facts_of({{}})}}), by_scenario)
                  .empty());
  // Two blue targets against one green: the blue side is pooled.
  const ScenarioKey blue2{"http://blue2:8081", "ok"};
  const auto changes =
      compare_reports(report_of("b", {{kBlueOk, facts_of({{}})}, {blue2, facts_of({{.status = 503}})}}),
                      report_of("c", {{kGreenOk, facts_of({{}})}}), by_scenario);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].what, std::vector<std::string>{"status"});
  EXPECT_EQ(changes[0].baseline->total, 2u);
  EXPECT_EQ(changes[0].baseline_targets, (std::vector<std::string>{"http://blue2:8081", "http://blue:8081"}));
  EXPECT_EQ(shown_target(changes[0]), "http://blue2:8081, http://blue:8081 -> http://green:8082");
}

TEST(CompareMatching, AMapRenamesABaselineTarget) {
  CompareRules mapped;
  mapped.match.target_map = {{"http://blue:8081", "http://green:8082"}};
  const auto changes = compare_reports(report_of("b", {{kBlueOk, facts_of({{}})}}),
                                       report_of("c", {{kGreenOk, facts_of({{.status = 502}})}}), mapped);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::changed);
  EXPECT_EQ(changes[0].current_targets, std::vector<std::string>{"http://green:8082"});
  EXPECT_EQ(shown_target(changes[0]), "http://blue:8081 -> http://green:8082");
}

TEST(CompareMatching, AMapNamingNoTargetOfEitherReportIsAProblem) {
  MatchRule rule;
  rule.target_map = {{"http://blue:8081", "http://green:8082"}};
  const std::set<std::string> blue{"http://blue:8081"};
  const std::set<std::string> green{"http://green:8082"};
  EXPECT_FALSE(map_problem(rule, blue, "'a.json'", green, "'b.json'").has_value());
  EXPECT_EQ(map_problem(rule, green, "'a.json'", green, "'b.json'"),
            "'http://blue:8081' is not a target of 'a.json' (its targets: http://green:8082)");
  EXPECT_EQ(map_problem(rule, blue, "'a.json'", blue, "this run"),
            "'http://green:8082' is not a target of this run (its targets: http://blue:8081)");
  EXPECT_EQ(parse_target_mapping("http://a=http://b?x=1")->second, "http://b?x=1");
  for (const char* bad : {"http://a", "=http://b", "http://a="})
    EXPECT_FALSE(parse_target_mapping(bad).has_value()) << bad;
}

TEST(CompareMatching, ChangeSummaryIsOneLineForJunit) {
  const ReportFacts before = report_of("b", {{kOk, facts_of({{}})}});
  const ReportFacts after = report_of("c", {{kOk, facts_of({{.status = 403}})}});
  const auto changes = compare_reports(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(change_summary(changes[0]),
            "changed from the baseline: status; baseline: keepalive x1; status 200 x1; announced none; rst "
            "after fin none; current: keepalive x1; status 403 x1; announced none; rst after fin none");
}

}  // namespace
}  // namespace termprobe
