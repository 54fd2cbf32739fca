#include "report/verdict_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace termprobe {

namespace {

template <typename Map, typename Name>
std::string counted(const Map& counts, const Name& name_of) {
  std::string text;
  for (const auto& [key, count] : counts)
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", name_of(key), count);
  return text;
}

// "fin after 1001 ms x1", "fin after 998-1003 ms x3", "open x1".
std::string idle_text(const std::map<std::string, IdleSpan>& ends) {
  std::string text;
  for (const auto& [end, span] : ends) {
    std::string when;
    if (end == "fin" || end == "rst") {
      const double low_ms = static_cast<double>(span.min_us) / 1000.0;
      const double high_ms = static_cast<double>(span.max_us) / 1000.0;
      when = span.min_us == span.max_us ? fmt::format(" after {:.0f} ms", low_ms)
                                        : fmt::format(" after {:.0f}-{:.0f} ms", low_ms, high_ms);
    }
    text += fmt::format("{}{}{} x{}", text.empty() ? "" : ", ", end, when, span.count);
  }
  return text;
}

std::string labels_text(const ScenarioVerdict& verdict) {
  if (verdict.observed_statuses.empty())
    return counted(verdict.observed, [](Label label) { return to_string(label); });
  return counted(verdict.observed_statuses,
                 [](const std::pair<Label, int>& key) { return label_status_text(key.first, key.second); });
}

// A reuse entry: the second requests' outcomes, and the connections that never got to one.
std::string reuse_text(const ScenarioVerdict& verdict) {
  std::size_t connections = 0;
  std::size_t reused = 0;
  for (const auto& [label, count] : verdict.observed) connections += count;
  for (const auto& [outcome, count] : verdict.observed_reuse) reused += count;
  std::string text = counted(verdict.observed_reuse, [](const std::string& name) { return name; });
  if (reused < connections)
    text += fmt::format("{}first request failed x{}", text.empty() ? "" : ", ", connections - reused);
  return text;
}

}  // namespace

std::set<Label> labels_named(const std::vector<ScenarioVerdict>& verdicts) {
  std::set<Label> labels;
  for (const auto& verdict : verdicts) {
    if (verdict.expected) labels.insert(verdict.expected->begin(), verdict.expected->end());
    for (const auto& [label, count] : verdict.observed) labels.insert(label);
  }
  return labels;
}

// Over TLS, the TLS ending follows the label: "close_after_response, tls close_notify_then_fin".
std::string expected_text(const ScenarioVerdict& verdict) {
  if (verdict.expected_idle) return idle_expectation_text(*verdict.expected_idle);
  if (verdict.expected_reuse) return fmt::format("{}", fmt::join(*verdict.expected_reuse, "|"));
  if (!verdict.expected) return "unverified";
  std::string text = expected_labels_text(*verdict.expected, verdict.expected_statuses);
  if (verdict.expected_tls_endings)
    text += ", tls " + fmt::format("{}", fmt::join(*verdict.expected_tls_endings, "|"));
  if (verdict.expected_http2_endings)
    text += ", h2 " + fmt::format("{}", fmt::join(*verdict.expected_http2_endings, "|"));
  return text;
}

std::string observed_text(const ScenarioVerdict& verdict) {
  if (verdict.observed.empty()) return "nothing (interrupted?)";
  if (verdict.expected_reuse) return reuse_text(verdict);
  std::string text = verdict.expected_idle ? idle_text(verdict.observed_idle) : labels_text(verdict);
  if (verdict.expected_idle && verdict.observed_idle.contains("no response"))
    text += "; " + labels_text(verdict);
  const auto as_is = [](const std::string& kind) { return kind; };
  const std::string endings = counted(verdict.observed_tls_endings, as_is);
  if (!endings.empty()) text += "; tls " + endings;
  const std::string h2 = counted(verdict.observed_http2_endings, as_is);
  return h2.empty() ? text : text + "; h2 " + h2;
}

std::string format_verdict_table(const std::vector<ScenarioVerdict>& verdicts,
                                 std::string (*paint)(std::string_view verdict, bool colour), bool colour) {
  std::size_t name_width = 8;
  std::size_t expected_width = 8;
  std::size_t observed_width = 8;
  bool several_targets = false;
  for (const auto& v : verdicts) {
    name_width = std::max(name_width, v.scenario.size());
    expected_width = std::max(expected_width, expected_text(v).size());
    observed_width = std::max(observed_width, observed_text(v).size());
    several_targets = several_targets || v.target != verdicts.front().target;
  }
  std::string table = fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "scenario", name_width, "expected",
                                  expected_width, "observed", observed_width, "verdict");
  const std::string* current_target = nullptr;
  for (const auto& v : verdicts) {
    if (several_targets && (current_target == nullptr || *current_target != v.target))
      table += fmt::format("target {}\n", v.target);
    current_target = &v.target;
    const std::string verdict(to_string(v.verdict));
    table +=
        fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", v.scenario, name_width, expected_text(v), expected_width,
                    observed_text(v), observed_width, paint != nullptr ? paint(verdict, colour) : verdict);
  }
  return table;
}

}  // namespace termprobe
