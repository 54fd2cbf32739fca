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

// The baseline change of this verdict's target and scenario, if any.
const ScenarioChange* change_of(const std::vector<ScenarioChange>& changes, const ScenarioVerdict& verdict) {
  for (const auto& change : changes) {
    const auto& targets = change.current_targets;
    if (change.key.second == verdict.scenario &&
        std::find(targets.begin(), targets.end(), verdict.target) != targets.end())
      return &change;
  }
  return nullptr;
}

struct SuiteCounts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  double seconds = 0;
};

// Jenkins and GitLab read a classname as package.Class, split at its last
// dot: "termprobe.http://127.0.0.1:8080" would show as class "1:8080" in
// package "termprobe.http://127.0.0". The target's dots become '_', so the
// package is "termprobe" and the class the whole target.
std::string classname_of(std::string target) {
  std::replace(target.begin(), target.end(), '.', '_');
  return "termprobe." + target;
}

// No connection of the scenario reached its server: the infrastructure
// failed (the target is down, the name does not resolve), not the server's
// behaviour. A check that expected exactly that passed and is no error.
bool unreachable(const Report& report, const ScenarioVerdict& verdict) {
  const ScenarioTally* seen = report.tally.scenario(verdict.target, verdict.scenario);
  return verdict.verdict == Verdict::fail && seen != nullptr && seen->connected == 0;
}

// A <failure> (the server did otherwise), or with "error" an <error> (it was not reached).
tinyxml2::XMLElement* add_failure(tinyxml2::XMLElement* testcase, const char* type,
                                  const std::string& message, const std::string& text,
                                  const char* element = "failure") {
  tinyxml2::XMLElement* failure = testcase->InsertNewChildElement(element);
  failure->SetAttribute("type", type);
  failure->SetAttribute("message", message.c_str());
  failure->SetText(text.c_str());
  return failure;
}

void add_testcase(tinyxml2::XMLElement* suite, const Report& report, const ScenarioVerdict& verdict,
                  const ScenarioChange* change, SuiteCounts& counts) {
  tinyxml2::XMLElement* testcase = suite->InsertNewChildElement("testcase");
  testcase->SetAttribute("classname", classname_of(verdict.target).c_str());
  testcase->SetAttribute("name", verdict.scenario.c_str());
  testcase->SetAttribute("time", fmt::format("{:.6f}", seconds_of(report, verdict)).c_str());
  ++counts.tests;
  counts.seconds += seconds_of(report, verdict);
  const std::string expected = expected_text(verdict);
  const std::string observed = observed_text(verdict);
  const std::string baseline = change != nullptr ? change_summary(*change) : std::string();
  if (verdict.verdict == Verdict::fail) {
    const bool error = unreachable(report, verdict);
    const std::string mismatch = fmt::format("expected {}, observed {}", expected, observed);
    add_failure(testcase, error ? "unreachable" : "mismatch",
                baseline.empty() ? mismatch : mismatch + "; " + baseline,
                fmt::format("target: {}\nscenario: {}\nexpected: {}\nobserved: {}\n{}{}", verdict.target,
                            verdict.scenario, expected, observed, verdict.note,
                            baseline.empty() ? "" : "\n" + baseline),
                error ? "error" : "failure");
    ++(error ? counts.errors : counts.failures);
  } else if (change != nullptr) {
    add_failure(
        testcase, "baseline", baseline,
        fmt::format("target: {}\nscenario: {}\nverdict: {} (expected {}, observed {})\n{}\n", verdict.target,
                    verdict.scenario, to_string(verdict.verdict), expected, observed, baseline));
    ++counts.failures;
  } else if (verdict.verdict == Verdict::unverified) {
    tinyxml2::XMLElement* skipped = testcase->InsertNewChildElement("skipped");
    skipped->SetAttribute("message",
                          fmt::format("unverified: observed {}. {}", observed, verdict.note).c_str());
    ++counts.skipped;
  }
}

void set_suite_attributes(tinyxml2::XMLElement* suite, const std::string& name, const SuiteCounts& counts,
                          const Report& report) {
  suite->SetAttribute("name", name.c_str());
  suite->SetAttribute("tests", counts.tests);
  suite->SetAttribute("failures", counts.failures);
  suite->SetAttribute("errors", counts.errors);
  suite->SetAttribute("skipped", counts.skipped);
  suite->SetAttribute("time", fmt::format("{:.6f}", counts.seconds).c_str());
  suite->SetAttribute("timestamp", report.started_at.substr(0, 19).c_str());
}

// Scenarios the baseline had and this run did not: failures with no verdict to hang on.
SuiteCounts add_baseline_only(tinyxml2::XMLElement* suite, const std::vector<ScenarioChange>& changes) {
  SuiteCounts counts;
  for (const auto& change : changes) {
    if (change.kind != ChangeKind::only_in_baseline) continue;
    tinyxml2::XMLElement* testcase = suite->InsertNewChildElement("testcase");
    testcase->SetAttribute("classname", classname_of(shown_target(change)).c_str());
    testcase->SetAttribute("name", change.key.second.c_str());
    testcase->SetAttribute("time", "0.000000");
    const std::string summary = change_summary(change);
    add_failure(
        testcase, "baseline", summary,
        fmt::format("target: {}\nscenario: {}\n{}\n", shown_target(change), change.key.second, summary));
    ++counts.tests;
    ++counts.failures;
  }
  return counts;
}

}  // namespace

std::string junit_xml(const Report& report, const std::string& suite_name,
                      const std::vector<ScenarioChange>& baseline_changes) {
  tinyxml2::XMLDocument document;
  document.InsertEndChild(document.NewDeclaration());
  tinyxml2::XMLElement* suites = document.NewElement("testsuites");
  document.InsertEndChild(suites);
  suites->SetAttribute("name", suite_name.c_str());
  int all_tests = 0;
  int all_failures = 0;
  int all_errors = 0;
  for (const auto& target : report.targets) {
    tinyxml2::XMLElement* suite = suites->InsertNewChildElement("testsuite");
    SuiteCounts counts;
    for (const auto& verdict : report.verdicts) {
      if (verdict.target != target) continue;
      add_testcase(suite, report, verdict, change_of(baseline_changes, verdict), counts);
    }
    set_suite_attributes(suite, suite_name + " " + target, counts, report);
    all_tests += counts.tests;
    all_failures += counts.failures;
    all_errors += counts.errors;
  }
  const bool any_baseline_only =
      std::any_of(baseline_changes.begin(), baseline_changes.end(),
                  [](const ScenarioChange& change) { return change.kind == ChangeKind::only_in_baseline; });
  if (any_baseline_only) {
    tinyxml2::XMLElement* suite = suites->InsertNewChildElement("testsuite");
    const SuiteCounts counts = add_baseline_only(suite, baseline_changes);
    set_suite_attributes(suite, suite_name + " baseline", counts, report);
    all_tests += counts.tests;
    all_failures += counts.failures;
  }
  suites->SetAttribute("tests", all_tests);
  suites->SetAttribute("failures", all_failures);
  suites->SetAttribute("errors", all_errors);
  tinyxml2::XMLPrinter printer;
  document.Print(&printer);
  return printer.CStr();
}

}  // namespace termprobe
