// Baseline comparison: every target/scenario whose outcome changed, or that
// exists in only one of the two reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/report_facts.h"

namespace termprobe {

enum class ChangeKind { changed, only_in_baseline, only_in_current };

struct ScenarioChange {
  ScenarioKey key;
  ChangeKind kind = ChangeKind::changed;
  std::vector<std::string> what;  // "labels", "status", "announced close", "bytes before reset"
  std::optional<ScenarioFacts> baseline;
  std::optional<ScenarioFacts> current;
};

// A scenario counts as changed when the set of labels, the set of statuses,
// whether the close was announced (none/some/all), or the range of bytes
// received before a reset differs. Counts alone (a different --repeat) do not.
std::vector<ScenarioChange> compare_reports(const ReportFacts& baseline, const ReportFacts& current);

std::string format_changes(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                           const ReportFacts& current);
nlohmann::ordered_json changes_json(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                                    const ReportFacts& current);

}  // namespace termprobe
