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
};

ScenarioFacts facts_of(const std::vector<Connection>& connections) {
  ScenarioFacts facts;
  for (const auto& c : connections)
    add_connection(facts, {c.label, c.status, c.announced, c.wire_bytes, c.rst_after_fin});
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

}  // namespace
}  // namespace termprobe
