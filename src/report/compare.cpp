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
std::string rst_after_fin_kind(const ScenarioFacts& facts) {
  return share_kind(facts.rst_after_fin, facts.total);
}

std::vector<std::string> differences(const ScenarioFacts& before, const ScenarioFacts& after) {
  std::vector<std::string> what;
  if (keys_of(before.labels) != keys_of(after.labels)) what.push_back("labels");
  if (keys_of(before.statuses) != keys_of(after.statuses)) what.push_back("status");
  if (announced_kind(before) != announced_kind(after)) what.push_back("announced close");
  if (rst_after_fin_kind(before) != rst_after_fin_kind(after)) what.push_back("rst after fin");
  if (before.reset_bytes_min != after.reset_bytes_min || before.reset_bytes_max != after.reset_bytes_max)
    what.push_back("bytes before reset");
  return what;
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
  if (facts->reset_bytes_min)
    text += fmt::format("; {}-{} B before reset", *facts->reset_bytes_min, *facts->reset_bytes_max);
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
                                {"rst_after_fin", rst_after_fin_kind(*facts)}};
  out["reset_bytes"] = facts->reset_bytes_min ? nlohmann::ordered_json{{"min", *facts->reset_bytes_min},
                                                                       {"max", *facts->reset_bytes_max}}
                                              : nlohmann::ordered_json(nullptr);
  return out;
}

}  // namespace

std::vector<ScenarioChange> compare_reports(const ReportFacts& baseline, const ReportFacts& current) {
  std::vector<ScenarioChange> changes;
  for (const auto& [key, before] : baseline.scenarios) {
    auto it = current.scenarios.find(key);
    if (it == current.scenarios.end()) {
      changes.push_back({key, ChangeKind::only_in_baseline, {}, before, std::nullopt});
      continue;
    }
    auto what = differences(before, it->second);
    if (!what.empty()) changes.push_back({key, ChangeKind::changed, std::move(what), before, it->second});
  }
  for (const auto& [key, after] : current.scenarios) {
    if (!baseline.scenarios.contains(key))
      changes.push_back({key, ChangeKind::only_in_current, {}, std::nullopt, after});
  }
  return changes;
}

std::string format_changes(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                           const ReportFacts& current) {
  // Names come from report files: a CR or ESC in one must not rewrite the terminal.
  if (changes.empty())
    return fmt::format("no change: {} scenario(s) in {} match {}\n", current.scenarios.size(),
                       printable(current.origin), printable(baseline.origin));
  std::string text = fmt::format("{} change(s) from {} to {}:\n", changes.size(), printable(baseline.origin),
                                 printable(current.origin));
  for (const auto& change : changes) {
    const std::string what =
        change.what.empty() ? std::string(kind_text(change.kind))
                            : fmt::format("{}: {}", kind_text(change.kind), fmt::join(change.what, ", "));
    text += fmt::format("{} {}  [{}]\n  baseline: {}\n  current:  {}\n", printable(change.key.first),
                        printable(change.key.second), what, facts_text(change.baseline),
                        facts_text(change.current));
  }
  return text;
}

nlohmann::ordered_json changes_json(const std::vector<ScenarioChange>& changes, const ReportFacts& baseline,
                                    const ReportFacts& current) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& change : changes) {
    list.push_back({{"target", change.key.first},
                    {"scenario", change.key.second},
                    {"change", kind_text(change.kind)},
                    {"what", change.what},
                    {"baseline", facts_json(change.baseline)},
                    {"current", facts_json(change.current)}});
  }
  return {{"baseline", baseline.path.empty() ? baseline.origin : baseline.path},
          {"current", current.path.empty() ? current.origin : current.path},
          {"changed", !changes.empty()},
          {"changes", list}};
}

}  // namespace termprobe
