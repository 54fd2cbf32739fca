#include "report/verdict_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace termprobe {

// Over TLS, the TLS ending follows the label: "close_after_response, tls close_notify_then_fin".
std::string expected_text(const ScenarioVerdict& verdict) {
  if (!verdict.expected) return "unverified";
  std::string text;
  for (Label label : *verdict.expected) text += (text.empty() ? "" : "|") + std::string(to_string(label));
  if (verdict.expected_tls_endings) {
    std::string endings;
    for (const auto& ending : *verdict.expected_tls_endings) endings += (endings.empty() ? "" : "|") + ending;
    text += ", tls " + endings;
  }
  if (verdict.expected_http2_endings) {
    std::string endings;
    for (const auto& ending : *verdict.expected_http2_endings)
      endings += (endings.empty() ? "" : "|") + ending;
    text += ", h2 " + endings;
  }
  return text;
}

std::string observed_text(const ScenarioVerdict& verdict) {
  if (verdict.observed.empty()) return "nothing (interrupted?)";
  std::string text;
  for (const auto& [label, count] : verdict.observed)
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", to_string(label), count);
  std::string endings;
  for (const auto& [ending, count] : verdict.observed_tls_endings)
    endings += fmt::format("{}{} x{}", endings.empty() ? "" : ", ", ending, count);
  if (!endings.empty()) text += "; tls " + endings;
  std::string h2;
  for (const auto& [ending, count] : verdict.observed_http2_endings)
    h2 += fmt::format("{}{} x{}", h2.empty() ? "" : ", ", ending, count);
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
