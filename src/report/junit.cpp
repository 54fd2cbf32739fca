#include "report/junit.h"

#include <fmt/format.h>
#include <tinyxml2.h>

#include <algorithm>

#include "report/verdict_table.h"

namespace termprobe {
namespace {

double seconds_of(const Report& report, const ScenarioVerdict& verdict) {
  const ScenarioTally* seen = report.tally.scenario(verdict.target, verdict.scenario);
  return seen != nullptr ? static_cast<double>(seen->ended_us_total) / 1e6 : 0.0;
}

void add_testcase(tinyxml2::XMLElement* suite, const Report& report, const ScenarioVerdict& verdict) {
  tinyxml2::XMLElement* testcase = suite->InsertNewChildElement("testcase");
  testcase->SetAttribute("classname", ("termprobe." + verdict.target).c_str());
  testcase->SetAttribute("name", verdict.scenario.c_str());
  testcase->SetAttribute("time", fmt::format("{:.6f}", seconds_of(report, verdict)).c_str());
  const std::string expected = expected_text(verdict);
  const std::string observed = observed_text(verdict);
  if (verdict.verdict == Verdict::fail) {
    tinyxml2::XMLElement* failure = testcase->InsertNewChildElement("failure");
    failure->SetAttribute("type", "mismatch");
    failure->SetAttribute("message", fmt::format("expected {}, observed {}", expected, observed).c_str());
    failure->SetText(fmt::format("target: {}\nscenario: {}\nexpected: {}\nobserved: {}\n{}", verdict.target,
                                 verdict.scenario, expected, observed, verdict.note)
                         .c_str());
  } else if (verdict.verdict == Verdict::unverified) {
    tinyxml2::XMLElement* skipped = testcase->InsertNewChildElement("skipped");
    skipped->SetAttribute("message",
                          fmt::format("unverified: observed {}. {}", observed, verdict.note).c_str());
  }
}

}  // namespace

std::string junit_xml(const Report& report, const std::string& suite_name) {
  tinyxml2::XMLDocument document;
  document.InsertEndChild(document.NewDeclaration());
  tinyxml2::XMLElement* suites = document.NewElement("testsuites");
  document.InsertEndChild(suites);
  suites->SetAttribute("name", suite_name.c_str());
  int all_tests = 0;
  int all_failures = 0;
  for (const auto& target : report.targets) {
    tinyxml2::XMLElement* suite = suites->InsertNewChildElement("testsuite");
    int tests = 0;
    int failures = 0;
    int skipped = 0;
    double seconds = 0;
    for (const auto& verdict : report.verdicts) {
      if (verdict.target != target) continue;
      add_testcase(suite, report, verdict);
      ++tests;
      failures += verdict.verdict == Verdict::fail ? 1 : 0;
      skipped += verdict.verdict == Verdict::unverified ? 1 : 0;
      seconds += seconds_of(report, verdict);
    }
    suite->SetAttribute("name", (suite_name + " " + target).c_str());
    suite->SetAttribute("tests", tests);
    suite->SetAttribute("failures", failures);
    suite->SetAttribute("errors", 0);
    suite->SetAttribute("skipped", skipped);
    suite->SetAttribute("time", fmt::format("{:.6f}", seconds).c_str());
    suite->SetAttribute("timestamp", report.started_at.substr(0, 19).c_str());
    all_tests += tests;
    all_failures += failures;
  }
  suites->SetAttribute("tests", all_tests);
  suites->SetAttribute("failures", all_failures);
  tinyxml2::XMLPrinter printer;
  document.Print(&printer);
  return printer.CStr();
}

}  // namespace termprobe
