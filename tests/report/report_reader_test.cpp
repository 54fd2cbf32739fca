#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "report/report_reader.h"

namespace termprobe {
namespace {

// One connection's entry with the fields compare reads; the rest of the
// schema's required fields are not read, so they are left out here.
std::string entry(const std::string& label, const std::string& status = "200",
                  const std::string& wire_bytes = "100") {
  return R"({"target": "t", "scenario": "s", "outcome": {"label": ")" + label +
         R"(", "announced": false}, "response": {"status": )" + status + R"(, "wire_bytes": )" + wire_bytes +
         "}}";
}

std::string report(const std::string& results, const std::string& summary_labels = R"({"keepalive": 1})") {
  return R"({"schema_version": 4, "tool": {"name": "termprobe", "version": "0"}, "command": ["termprobe"],
             "started_at": "2026-11-24T20:00:00Z", "targets": [{"target": "t", "total": 1, "labels": {}}],
             "interrupted": false, "results": [)" +
         results + R"(], "summary": {"total": 1, "requested": 1, "labels": )" + summary_labels +
         R"(, "by_label": {}}})";
}

std::string refusal(const std::string& text) {
  std::istringstream input(text);
  auto facts = read_report_stream(input, "'r.json'");
  return facts ? "accepted" : facts.error().message;
}

TEST(ReportReader, KeepsOnlyTheFactsCompareUses) {
  std::istringstream input(report(entry("keepalive") + "," + entry("reset_mid_response", "null", "7")));
  auto facts = read_report_stream(input, "'r.json'");
  ASSERT_TRUE(facts.has_value()) << facts.error().message;
  const ScenarioFacts& s = facts->scenarios.at({"t", "s"});
  EXPECT_EQ(s.total, 2u);
  EXPECT_EQ(s.labels.at("keepalive"), 1u);
  EXPECT_EQ(s.statuses.at("none"), 1u);
  EXPECT_EQ(s.reset_bytes_min, 7);
}

TEST(ReportReader, AnUnknownLabelIsRefusedNotCompared) {
  EXPECT_EQ(
      refusal(report(entry("bogus_label"))),
      "'r.json' is not a valid termprobe report: results[0].outcome.label: \"bogus_label\" is not a label "
      "(e.g. keepalive, reset_before_response)");
}

TEST(ReportReader, NegativeStringAndHugeNumbersAreRefused) {
  EXPECT_NE(
      refusal(report(entry("keepalive", "200", "-1"))).find("results[0].response.wire_bytes: -1 must be"),
      std::string::npos);
  EXPECT_NE(refusal(report(entry("keepalive", "200", "\"5\""))).find("wire_bytes: \"5\" must be"),
            std::string::npos);
  EXPECT_NE(refusal(report(entry("keepalive", "200", "1e23"))).find("wire_bytes: 1e+23 must be"),
            std::string::npos);
  EXPECT_NE(refusal(report(entry("keepalive", "99999999999999999999"))).find("response.status"),
            std::string::npos);
  EXPECT_NE(refusal(report(entry("keepalive"), R"({"keepalive": -3})")).find("summary.labels.keepalive: -3"),
            std::string::npos);
  EXPECT_NE(
      refusal(report(entry("keepalive"), R"({"bogus": 1})")).find("summary.labels.bogus: is not a label"),
      std::string::npos);
}

TEST(ReportReader, MissingFieldsAreNamed) {
  EXPECT_EQ(refusal(report(R"({"target": "t", "scenario": "s", "outcome": {"label": "keepalive"},
                                "response": {"status": 200, "wire_bytes": 1}})")),
            "'r.json' is not a valid termprobe report: results[0].outcome: \"announced\" is missing");
  EXPECT_EQ(refusal(R"({"tool": {"name": "termprobe"}})"),
            "'r.json' is not a termprobe report (no schema_version)");
}

TEST(ReportReader, DeepNestingStopsAtTheLimit) {
  const std::string deep = R"({"schema_version": 4, "command": )" + std::string(10'000'000, '[');
  EXPECT_NE(refusal(deep).find("nested deeper than 32 levels"), std::string::npos);
  EXPECT_EQ(refusal(std::string(10'000'000, '[')), "'r.json' is not a termprobe report (not a JSON object)");
}

// Found by fuzz_report_facts: the path to the refused value named a key with a
// line break in it as it was, and the one-line error became two.
TEST(ReportReader, AKeyInTheRefusedPathIsShownOnOneLine) {
  const std::string message = refusal(R"({"x": 1, "\nkey\u001b": )" + std::string(40, '['));
  EXPECT_EQ(message,
            "'r.json' is not a valid termprobe report: \\nkey\\x1b[0][0][0][0][0][0][0][0][0][0][0][0][0]"
            "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 32 levels");
}

TEST(ReportReader, BrokenJsonIsRefusedOnOneLine) {
  const std::string message = refusal(report(entry("keepalive")).substr(0, 120));
  EXPECT_EQ(message.rfind("'r.json' is not valid JSON (truncated or corrupt)", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace termprobe
