#include "report/report_facts.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "report/report.h"

namespace termprobe {
namespace {

TEST(ReportFacts, EachConnectionAddsToItsScenario) {
  ScenarioFacts facts;
  add_connection(facts, {"keepalive", 200, false, 120, false});
  add_connection(facts, {"close_after_response", 200, true, 120, true});
  add_connection(facts, {"reset_before_response", std::nullopt, false, 0, false});
  EXPECT_EQ(facts.total, 3u);
  EXPECT_EQ(facts.labels, (std::map<std::string, std::size_t>{
                              {"close_after_response", 1}, {"keepalive", 1}, {"reset_before_response", 1}}));
  EXPECT_EQ(facts.statuses, (std::map<std::string, std::size_t>{{"200", 2}, {"none", 1}}));
  EXPECT_EQ(facts.announced, 1u);
  EXPECT_EQ(facts.rst_after_fin, 1u);
  EXPECT_FALSE(facts.reset_bytes_min.has_value());  // no reset cut a response
}

TEST(ReportFacts, BytesBeforeAResetSpanOnlyResetMidResponse) {
  ScenarioFacts facts;
  add_connection(facts, {"reset_mid_response", 200, false, 1138, false});
  add_connection(facts, {"reset_mid_response", 200, false, 600, false});
  add_connection(facts, {"keepalive", 200, false, 5, false});
  add_connection(facts, {"reset_after_response", 200, false, 99999, false});
  EXPECT_EQ(facts.reset_bytes_min, 600);
  EXPECT_EQ(facts.reset_bytes_max, 1138);
}

TEST(ReportFacts, ARunsOwnReportGivesItsTalliedFacts) {
  Report report;
  report.interrupted = true;
  ReportEntry entry;
  entry.target = "http://a";
  entry.scenario = "ok";
  entry.outcome.label = Label::keepalive;
  entry.observation.status = 200;
  report.tally.add(entry);
  entry.scenario = "reset";
  entry.outcome.label = Label::reset_before_response;
  entry.observation.status = 0;
  report.tally.add(entry);
  const ReportFacts facts = report_facts_from(report, "this run");
  EXPECT_EQ(facts.origin, "this run");
  EXPECT_TRUE(facts.interrupted);
  ASSERT_EQ(facts.scenarios.size(), 2u);
  EXPECT_EQ(facts.scenarios.at({"http://a", "ok"}).statuses.at("200"), 1u);
  EXPECT_EQ(facts.scenarios.at({"http://a", "reset"}).statuses.at("none"), 1u);
}

TEST(ReportFacts, AFileThatIsNotThereOrIsADirectoryIsNamed) {
  EXPECT_EQ(read_report_facts("/nonexistent/r.json").error().message,
            "cannot read report '/nonexistent/r.json': No such file or directory");
  EXPECT_EQ(read_report_facts("/").error().message, "report '/' is a directory: give a file");
}

TEST(ReportFacts, AFileIsReadAndNamedByItsPath) {
  char path[] = "/tmp/termprobe-facts-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << R"({"schema_version": 4, "tool": {"name": "termprobe", "version": "0"},
    "command": ["termprobe"], "started_at": "2026-11-24T20:00:00Z",
    "targets": [{"target": "t", "total": 1, "labels": {"keepalive": 1}}], "interrupted": false,
    "results": [{"target": "t", "scenario": "s", "outcome": {"label": "keepalive", "announced": true},
                 "response": {"status": 204, "wire_bytes": 80}}],
    "summary": {"total": 1, "requested": 1, "labels": {"keepalive": 1}, "by_label": {}}})";
  auto facts = read_report_facts(path);
  std::remove(path);
  ASSERT_TRUE(facts.has_value()) << facts.error().message;
  EXPECT_EQ(facts->origin, "'" + std::string(path) + "'");
  const ScenarioFacts& s = facts->scenarios.at({"t", "s"});
  EXPECT_EQ(s.statuses.at("204"), 1u);
  EXPECT_EQ(s.announced, 1u);
}

}  // namespace
}  // namespace termprobe
