#include "report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "report/printable.h"

namespace termprobe {
namespace {

template <typename Map>
std::set<std::string> keys_of(const Map& map) {
  std::set<std::string> keys;
  for (const auto& [key, value] : map) keys.insert(key);
  return keys;
}

// none, some or all of a scenario's connections.
std::string share_kind(std::size_t count, std::size_t total) {
  if (count == 0) return "none";
  return count == total ? "all" : "some";
}

std::string announced_kind(const ScenarioFacts& facts) { return share_kind(facts.announced, facts.total); }
std::string close_missed_kind(const ScenarioFacts& facts) {
  return share_kind(facts.announced_close_missed, facts.total);
}
std::string rst_after_fin_kind(const ScenarioFacts& facts) {
  return share_kind(facts.rst_after_fin, facts.total);
}

std::optional<std::int64_t> closing_median(const ScenarioFacts& facts) {
  return facts.closed_after_response_us.median();
}

std::vector<std::string> differences(const ScenarioFacts& before, const ScenarioFacts& after,
                                     const TimeTolerance& tolerance) {
  std::vector<std::string> what;
  if (keys_of(before.labels) != keys_of(after.labels)) what.push_back("labels");
  if (keys_of(before.statuses) != keys_of(after.statuses)) what.push_back("status");
  if (announced_kind(before) != announced_kind(after)) what.push_back("announced close");
  if (close_missed_kind(before) != close_missed_kind(after)) what.push_back("announced close missed");
  if (rst_after_fin_kind(before) != rst_after_fin_kind(after)) what.push_back("rst after fin");
  if (before.reset_bytes_min != after.reset_bytes_min || before.reset_bytes_max != after.reset_bytes_max)
    what.push_back("bytes before reset");
  // Only when both sides closed after a response: otherwise the labels differ already.
  const auto was = closing_median(before);
  const auto now = closing_median(after);
  if (was && now && closing_time_moved(*was, *now, tolerance)) what.push_back("closing time");
  return what;
}

std::string ms_text(std::int64_t micros) {
  const double ms = static_cast<double>(micros) / 1000.0;
  return ms < 10 ? fmt::format("{:.1f} ms", ms) : fmt::format("{:.0f} ms", ms);
}

std::string counts_text(const std::map<std::string, std::size_t>& counts) {
  std::string text;
  for (const auto& [name, count] : counts)
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", name, count);
  return text.empty() ? "-" : text;
}

std::string facts_text(const std::optional<ScenarioFacts>& facts) {
  if (!facts) return "(absent)";
  std::string text = counts_text(facts->labels) + "; status " + counts_text(facts->statuses) +
                     "; announced " + announced_kind(*facts) + "; rst after fin " +
                     rst_after_fin_kind(*facts);
  // Rare, so said only when it happened.
  if (facts->announced_close_missed > 0) text += "; announced close missed " + close_missed_kind(*facts);
  if (facts->reset_bytes_min)
    text += fmt::format("; {}-{} B before reset", *facts->reset_bytes_min, *facts->reset_bytes_max);
  if (const auto median = closing_median(*facts))
    text += "; closed after response: median " + ms_text(*median);
  return text;
}

std::string_view kind_text(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::changed: return "changed";
    case ChangeKind::only_in_baseline: return "only in baseline";
    case ChangeKind::only_in_current: return "only in current";
  }
  return "changed";
}

nlohmann::ordered_json facts_json(const std::optional<ScenarioFacts>& facts) {
  if (!facts) return nullptr;
  nlohmann::ordered_json out = {{"total", facts->total},
                                {"labels", facts->labels},
                                {"statuses", facts->statuses},
                                {"announced", announced_kind(*facts)},
                                {"announced_close_missed", close_missed_kind(*facts)},
                                {"rst_after_fin", rst_after_fin_kind(*facts)}};
  out["reset_bytes"] = facts->reset_bytes_min ? nlohmann::ordered_json{{"min", *facts->reset_bytes_min},
                                                                       {"max", *facts->reset_bytes_max}}
                                              : nlohmann::ordered_json(nullptr);
  const auto median = closing_median(*facts);
  out["closed_after_response"] =
      median ? nlohmann::ordered_json{{"median_us", *median},
                                      {"connections", facts->closed_after_response_us.count()}}
             : nlohmann::ordered_json(nullptr);
  return out;
}

// Each side's scenarios under the key they are matched on, pooled where several fall on one key.
struct Matched {
  ScenarioFacts facts;
  std::vector<std::string> targets;
};

std::map<ScenarioKey, Matched> matched_view(const ReportFacts& report, const MatchRule& rule, bool baseline) {
  std::map<ScenarioKey, Matched> view;
  for (const auto& [key, facts] : report.scenarios) {
    std::string target = rule.by_scenario ? std::string() : key.first;
    if (baseline && !rule.by_scenario) {
      if (auto mapped = rule.target_map.find(key.first); mapped != rule.target_map.end())
        target = mapped->second;
    }
    Matched& into = view[{std::move(target), key.second}];
    add_facts(into.facts, facts);
    into.targets.push_back(key.first);
  }
  return view;
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string what_text(const ScenarioChange& change) {
  return change.what.empty() ? std::string(kind_text(change.kind))
                             : fmt::format("{}: {}", kind_text(change.kind), fmt::join(change.what, ", "));
}

bool timing_changed(const ScenarioChange& change) {
  return std::find(change.what.begin(), change.what.end(), "closing time") != change.what.end();
}

}  // namespace

std::vector<ScenarioChange> compare_reports(const ReportFacts& baseline, const ReportFacts& current,
                                            const CompareRules& rules) {
  const auto before_view = matched_view(baseline, rules.match, true);
  const auto after_view = matched_view(current, rules.match, false);
  std::vector<ScenarioChange> changes;
  for (const auto& [key, before] : before_view) {
    auto it = after_view.find(key);
    if (it == after_view.end()) {
      changes.push_back(
          {key, ChangeKind::only_in_baseline, {}, before.facts, std::nullopt, before.targets, {}});
      continue;
    }
    auto what = differences(before.facts, it->second.facts, rules.time);
    if (!what.empty())
      changes.push_back({key, ChangeKind::changed, std::move(what), before.facts, it->second.facts,
                         before.targets, it->second.targets});
  }
  for (const auto& [key, after] : after_view) {
    if (!before_view.contains(key))
      changes.push_back({key, ChangeKind::only_in_current, {}, std::nullopt, after.facts, {}, after.targets});
  }
  return changes;
}

std::string shown_target(const ScenarioChange& change) {
  const std::string before = joined(change.baseline_targets);
  const std::string after = joined(change.current_targets);
  if (before.empty() || before == after) return after.empty() ? before : after;
  return after.empty() ? before : before + " -> " + after;
}

std::string closing_time_text(const ScenarioChange& change) {
  if (!change.baseline || !change.current) return {};
  const auto was = closing_median(*change.baseline);
  const auto now = closing_median(*change.current);
  if (!was || !now) return {};
  return fmt::format("closed {} after the response, was {} (median of {} and {} connections)", ms_text(*now),
                     ms_text(*was), change.current->closed_after_response_us.count(),
                     change.baseline->closed_after_response_us.count());
}

std::string change_summary(const ScenarioChange& change) {
  switch (change.kind) {
    case ChangeKind::only_in_baseline: return "only in the baseline: " + facts_text(change.baseline);
    case ChangeKind::only_in_current: return "not in the baseline";
    case ChangeKind::changed: break;
  }
  std::string text =
      fmt::format("changed from the baseline: {}; baseline: {}; current: {}", fmt::join(change.what, ", "),
                  facts_text(change.baseline), facts_text(change.current));
  if (timing_changed(change)) text += "; " + closing_time_text(change);
  return text;
}

std::string format_changes(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                           const ReportFacts& current, const CompareRules& rules) {
  // Names come from report files: a CR or ESC in one must not rewrite the terminal.
  if (changes.empty())
    return fmt::format("no change: {} scenario(s) in {} match {}\n", current.scenarios.size(),
                       printable(current.origin), printable(baseline.origin));
  std::string text = fmt::format("{} change(s) from {} to {}:\n", changes.size(), printable(baseline.origin),
                                 printable(current.origin));
  for (const auto& change : changes) {
    text += fmt::format("{} {}  [{}]\n  baseline: {}\n  current:  {}\n", printable(shown_target(change)),
                        printable(change.key.second), what_text(change), facts_text(change.baseline),
                        facts_text(change.current));
    if (timing_changed(change))
      text += fmt::format("  closing time: {}; tolerance {}\n", closing_time_text(change),
                          time_tolerance_text(rules.time));
  }
  return text;
}

nlohmann::ordered_json changes_json(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                                    const ReportFacts& current, const CompareRules& rules) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& change : changes) {
    list.push_back({{"target", shown_target(change)},
                    {"scenario", change.key.second},
                    {"change", kind_text(change.kind)},
                    {"what", change.what},
                    {"baseline", facts_json(change.baseline)},
                    {"current", facts_json(change.current)},
                    {"baseline_targets", change.baseline_targets},
                    {"current_targets", change.current_targets}});
  }
  return {
      {"baseline", baseline.path.empty() ? baseline.origin : baseline.path},
      {"current", current.path.empty() ? current.origin : current.path},
      {"match", rules.match.by_scenario ? "scenario" : "target"},
      {"time_tolerance",
       {{"percent", rules.time.fraction * 100.0}, {"ms", static_cast<double>(rules.time.floor_us) / 1000.0}}},
      {"changed", !changes.empty()},
      {"changes", list}};
}

}  // namespace termprobe
