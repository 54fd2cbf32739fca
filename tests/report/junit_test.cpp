#include "report/junit.h"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <vector>

namespace termprobe {
namespace {

ReportEntry connection(const std::string& target, const std::string& scenario, Label label,
                       std::int64_t ended_us) {
  ReportEntry entry;
  entry.target = target;
  entry.scenario = scenario;
  entry.outcome.label = label;
  entry.observation.connected = true;
  entry.observation.timings.ended_us = ended_us;
  return entry;
}

ScenarioVerdict verdict(const std::string& target, const std::string& scenario,
                        std::optional<std::set<Label>> expected, std::map<Label, std::size_t> observed,
                        Verdict result, const std::string& note = "") {
  return ScenarioVerdict{target, scenario, std::move(expected), std::move(observed), result, note};
}

// Two targets: one passes and one fails on the first, the second's only
// scenario has no expectation.
Report two_target_report() {
  Report report;
  report.started_at = "2026-11-24T20:00:00Z";
  report.targets = {"http://a", "http://b<&>"};
  report.tally.add(connection("http://a", "ok", Label::keepalive, 1'500'000));
  report.tally.add(connection("http://a", "ok", Label::keepalive, 500'000));
  report.tally.add(connection("http://a", "reset", Label::keepalive, 250'000));
  report.tally.add(connection("http://b<&>", "cancel-io-send", Label::keepalive, 1000));
  report.verdicts = {
      verdict("http://a", "ok", std::set<Label>{Label::keepalive}, {{Label::keepalive, 2}}, Verdict::pass),
      verdict("http://a", "reset", std::set<Label>{Label::reset_before_response, Label::empty_reply},
              {{Label::keepalive, 1}}, Verdict::fail, "ResetConnection page"),
      verdict("http://b<&>", "cancel-io-send", std::nullopt, {{Label::keepalive, 1}}, Verdict::unverified,
              "no page says"),
  };
  return report;
}

struct Parsed {
  tinyxml2::XMLDocument document;
  const tinyxml2::XMLElement* suites = nullptr;
};

void parse(const std::string& xml, Parsed& parsed) {
  ASSERT_EQ(parsed.document.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  parsed.suites = parsed.document.FirstChildElement("testsuites");
  ASSERT_NE(parsed.suites, nullptr);
}

std::string attribute(const tinyxml2::XMLElement* element, const char* name) {
  const char* value = element->Attribute(name);
  return value != nullptr ? value : "(absent)";
}

TEST(Junit, OneSuitePerTargetOneTestcasePerScenario) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "termprobe run"), parsed);
  EXPECT_EQ(attribute(parsed.suites, "name"), "termprobe run");
  EXPECT_EQ(attribute(parsed.suites, "tests"), "3");
  EXPECT_EQ(attribute(parsed.suites, "failures"), "1");

  const tinyxml2::XMLElement* a = parsed.suites->FirstChildElement("testsuite");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(attribute(a, "name"), "termprobe run http://a");
  EXPECT_EQ(attribute(a, "tests"), "2");
  EXPECT_EQ(attribute(a, "failures"), "1");
  EXPECT_EQ(attribute(a, "skipped"), "0");
  EXPECT_EQ(attribute(a, "errors"), "0");
  EXPECT_EQ(attribute(a, "time"), "2.250000");  // every connection's time to its end
  EXPECT_EQ(attribute(a, "timestamp"), "2026-11-24T20:00:00");

  const tinyxml2::XMLElement* b = a->NextSiblingElement("testsuite");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(attribute(b, "name"), "termprobe run http://b<&>");  // escaped in the text, read back whole
  EXPECT_EQ(attribute(b, "tests"), "1");
  EXPECT_EQ(attribute(b, "skipped"), "1");
  EXPECT_EQ(b->NextSiblingElement("testsuite"), nullptr);
}

TEST(Junit, APassIsAnEmptyTestcaseWithItsTime) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s"), parsed);
  const tinyxml2::XMLElement* ok =
      parsed.suites->FirstChildElement("testsuite")->FirstChildElement("testcase");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(attribute(ok, "classname"), "termprobe.http://a");
  EXPECT_EQ(attribute(ok, "name"), "ok");
  EXPECT_EQ(attribute(ok, "time"), "2.000000");
  EXPECT_EQ(ok->FirstChildElement(), nullptr);
}

TEST(Junit, AFailureStatesExpectedAndObservedWithCounts) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s"), parsed);
  const tinyxml2::XMLElement* reset = parsed.suites->FirstChildElement("testsuite")
                                          ->FirstChildElement("testcase")
                                          ->NextSiblingElement("testcase");
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(attribute(reset, "name"), "reset");
  const tinyxml2::XMLElement* failure = reset->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(attribute(failure, "type"), "mismatch");
  EXPECT_EQ(attribute(failure, "message"),
            "expected reset_before_response|empty_reply, observed keepalive x1");
  EXPECT_EQ(std::string(failure->GetText()),
            "target: http://a\nscenario: reset\nexpected: reset_before_response|empty_reply\n"
            "observed: keepalive x1\nResetConnection page");
}

TEST(Junit, AStatusFailureShowsTheStatusBesideTheLabel) {
  Report report;
  report.targets = {"http://a"};
  ScenarioVerdict proxied =
      verdict("http://a", "home", std::set<Label>{Label::keepalive}, {{Label::keepalive, 3}}, Verdict::fail);
  proxied.expected_statuses[Label::keepalive] = {StatusRange{200, 200}};
  proxied.observed_statuses[{Label::keepalive, 502}] = 3;
  report.verdicts = {proxied};
  Parsed parsed;
  parse(junit_xml(report, "s"), parsed);
  const tinyxml2::XMLElement* failure = parsed.suites->FirstChildElement("testsuite")
                                            ->FirstChildElement("testcase")
                                            ->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(attribute(failure, "message"), "expected keepalive/200, observed keepalive/502 x3");
}

TEST(Junit, NoExpectationIsSkippedNotPassed) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s"), parsed);
  const tinyxml2::XMLElement* testcase = parsed.suites->FirstChildElement("testsuite")
                                             ->NextSiblingElement("testsuite")
                                             ->FirstChildElement("testcase");
  ASSERT_NE(testcase, nullptr);
  EXPECT_EQ(testcase->FirstChildElement("failure"), nullptr);
  const tinyxml2::XMLElement* skipped = testcase->FirstChildElement("skipped");
  ASSERT_NE(skipped, nullptr);
  EXPECT_EQ(attribute(skipped, "message"), "unverified: observed keepalive x1. no page says");
}

// A viewer splits package.Class at the last dot: the target's dots must not be there.
TEST(Junit, TheClassnameKeepsTheTargetWholeForJenkinsAndGitlab) {
  Report report;
  report.targets = {"https://api.example.com:8443"};
  report.tally.add(connection("https://api.example.com:8443", "home", Label::keepalive, 1000));
  report.verdicts = {verdict("https://api.example.com:8443", "home", std::set<Label>{Label::keepalive},
                             {{Label::keepalive, 1}}, Verdict::pass)};
  Parsed parsed;
  parse(junit_xml(report, "s"), parsed);
  const tinyxml2::XMLElement* home =
      parsed.suites->FirstChildElement("testsuite")->FirstChildElement("testcase");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(attribute(home, "classname"), "termprobe.https://api_example_com:8443");
}

// Nothing reached the server: the infrastructure failed, not the server; a
// scenario that did reach it and failed stays a <failure>.
TEST(Junit, AnUnreachableTargetIsAnErrorNotAFailure) {
  Report report = two_target_report();
  report.targets.push_back("http://down");
  ReportEntry refused = connection("http://down", "ok", Label::connect_failed, 300);
  refused.observation.connected = false;
  report.tally.add(refused);
  report.verdicts.push_back(verdict("http://down", "ok", std::set<Label>{Label::keepalive},
                                    {{Label::connect_failed, 1}}, Verdict::fail));
  Parsed parsed;
  parse(junit_xml(report, "s"), parsed);
  EXPECT_EQ(attribute(parsed.suites, "failures"), "1");
  EXPECT_EQ(attribute(parsed.suites, "errors"), "1");
  const tinyxml2::XMLElement* down =
      parsed.suites->FirstChildElement("testsuite")->NextSiblingElement("testsuite")->NextSiblingElement();
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(attribute(down, "failures"), "0");
  EXPECT_EQ(attribute(down, "errors"), "1");
  const tinyxml2::XMLElement* testcase = down->FirstChildElement("testcase");
  EXPECT_EQ(testcase->FirstChildElement("failure"), nullptr);
  const tinyxml2::XMLElement* error = testcase->FirstChildElement("error");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(attribute(error, "type"), "unreachable");
  EXPECT_EQ(attribute(error, "message"), "expected keepalive, observed connect_failed x1");
}

// ended_us stops at the server's FIN; the probe then watched fin_watch for an RST.
TEST(Junit, TheTimeIncludesTheWatchForAnRstAfterTheFin) {
  Report report;
  report.targets = {"http://a"};
  ReportEntry closed = connection("http://a", "close", Label::close_after_response, 200'000);
  closed.observation.fin_watch_us = 100'000;
  report.tally.add(closed);
  report.verdicts = {verdict("http://a", "close", std::set<Label>{Label::close_after_response},
                             {{Label::close_after_response, 1}}, Verdict::pass)};
  Parsed parsed;
  parse(junit_xml(report, "s"), parsed);
  const tinyxml2::XMLElement* testcase =
      parsed.suites->FirstChildElement("testsuite")->FirstChildElement("testcase");
  EXPECT_EQ(attribute(testcase, "time"), "0.300000");
}

TEST(Junit, ATargetWithoutVerdictsIsAnEmptySuite) {
  Report report;
  report.started_at = "2026-11-24T20:00:00Z";
  report.targets = {"http://down"};
  Parsed parsed;
  parse(junit_xml(report, "s"), parsed);
  const tinyxml2::XMLElement* suite = parsed.suites->FirstChildElement("testsuite");
  ASSERT_NE(suite, nullptr);
  EXPECT_EQ(attribute(suite, "tests"), "0");
  EXPECT_EQ(suite->FirstChildElement("testcase"), nullptr);
}

// What compare would say for the report's http://a ok (a pass) and reset (a fail).
std::vector<ScenarioChange> status_change(const std::string& scenario,
                                          ChangeKind kind = ChangeKind::changed) {
  ScenarioChange change;
  change.key = {"http://a", scenario};
  change.kind = kind;
  ScenarioFacts before;
  add_connection(before, {"keepalive", 200, false, 100, false});
  ScenarioFacts after;
  add_connection(after, {"keepalive", 403, false, 100, false});
  change.baseline = before;
  change.baseline_targets = {"http://a"};
  if (kind == ChangeKind::changed) {
    change.what = {"status"};
    change.current = after;
    change.current_targets = {"http://a"};
  }
  return {change};
}

TEST(JunitBaseline, APassingScenarioThatChangedFromTheBaselineFails) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s", status_change("ok")), parsed);
  EXPECT_EQ(attribute(parsed.suites, "failures"), "2");
  const tinyxml2::XMLElement* suite = parsed.suites->FirstChildElement("testsuite");
  EXPECT_EQ(attribute(suite, "failures"), "2");
  const tinyxml2::XMLElement* failure = suite->FirstChildElement("testcase")->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(attribute(failure, "type"), "baseline");
  EXPECT_EQ(attribute(failure, "message"),
            "changed from the baseline: status; baseline: keepalive x1; status 200 x1; announced none; rst "
            "after fin none; current: keepalive x1; status 403 x1; announced none; rst after fin none");
  EXPECT_NE(std::string(failure->GetText()).find("verdict: pass (expected keepalive, observed keepalive x2)"),
            std::string::npos);
}

TEST(JunitBaseline, AFailingScenarioThatAlsoChangedSaysBoth) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s", status_change("reset")), parsed);
  EXPECT_EQ(attribute(parsed.suites, "failures"), "1");
  const tinyxml2::XMLElement* failure = parsed.suites->FirstChildElement("testsuite")
                                            ->FirstChildElement("testcase")
                                            ->NextSiblingElement("testcase")
                                            ->FirstChildElement("failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(attribute(failure, "type"), "mismatch");
  EXPECT_EQ(attribute(failure, "message")
                .rfind("expected reset_before_response|empty_reply, observed keepalive "
                       "x1; changed from the baseline: status",
                       0),
            0u);
  EXPECT_EQ(failure->NextSiblingElement("failure"), nullptr);
}

TEST(JunitBaseline, AScenarioOnlyTheBaselineHadIsAFailingTestcaseOfItsOwn) {
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s", status_change("gone", ChangeKind::only_in_baseline)), parsed);
  EXPECT_EQ(attribute(parsed.suites, "tests"), "4");
  EXPECT_EQ(attribute(parsed.suites, "failures"), "2");
  const tinyxml2::XMLElement* suite = parsed.suites->FirstChildElement("testsuite");
  suite = suite->NextSiblingElement("testsuite")->NextSiblingElement("testsuite");
  ASSERT_NE(suite, nullptr);
  EXPECT_EQ(attribute(suite, "name"), "s baseline");
  const tinyxml2::XMLElement* testcase = suite->FirstChildElement("testcase");
  EXPECT_EQ(attribute(testcase, "classname"), "termprobe.http://a");
  EXPECT_EQ(attribute(testcase, "name"), "gone");
  EXPECT_EQ(attribute(testcase->FirstChildElement("failure"), "message"),
            "only in the baseline: keepalive x1; status 200 x1; announced none; rst after fin none");
}

TEST(JunitBaseline, AnUnverifiedScenarioThatChangedFailsInsteadOfBeingSkipped) {
  auto changes = status_change("cancel-io-send");
  changes[0].key.first = "http://b<&>";
  changes[0].current_targets = {"http://b<&>"};
  Parsed parsed;
  parse(junit_xml(two_target_report(), "s", changes), parsed);
  const tinyxml2::XMLElement* b =
      parsed.suites->FirstChildElement("testsuite")->NextSiblingElement("testsuite");
  EXPECT_EQ(attribute(b, "skipped"), "0");
  EXPECT_EQ(attribute(b, "failures"), "1");
  EXPECT_EQ(b->FirstChildElement("testcase")->FirstChildElement("skipped"), nullptr);
}

}  // namespace
}  // namespace termprobe
