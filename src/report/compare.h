// Baseline comparison: every target/scenario whose outcome changed, or that
// exists in only one of the two reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/compare_rules.h"
#include "report/report_facts.h"

namespace termprobe {

enum class ChangeKind { changed, only_in_baseline, only_in_current };

struct ScenarioChange {
  ScenarioKey key;  // what the two sides were matched on: target ("" by scenario) and scenario
  ChangeKind kind = ChangeKind::changed;
  // "labels", "status", "announced close", "rst after fin", "bytes before reset", "closing time"
  std::vector<std::string> what;
  std::optional<ScenarioFacts> baseline;
  std::optional<ScenarioFacts> current;
  std::vector<std::string> baseline_targets;  // whose connections each side holds (several when pooled)
  std::vector<std::string> current_targets;
};

// A scenario counts as changed when the set of labels, the set of statuses,
// whether the close was announced (none/some/all), or the range of bytes
// received before a reset differs, or when the median time the server took
// to close after a complete response moved beyond rules.time. Counts alone
// (a different --repeat) do not. rules.match says which scenarios pair up.
std::vector<ScenarioChange> compare_reports(const ReportFacts& baseline, const ReportFacts& current,
                                            const CompareRules& rules = {});

// "http://a" or, when the sides' targets differ, "http://a -> http://b".
std::string shown_target(const ScenarioChange& change);

// "closed 1002 ms after the response, was 2002 ms (median of 3 and 3 connections)"
std::string closing_time_text(const ScenarioChange& change);

// The one-line reason a JUnit failure gives: "changed from the baseline: status (200 x3 -> 403 x3)".
std::string change_summary(const ScenarioChange& change);

std::string format_changes(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                           const ReportFacts& current, const CompareRules& rules = {});
nlohmann::ordered_json changes_json(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                                    const ReportFacts& current, const CompareRules& rules = {});

}  // namespace termprobe
