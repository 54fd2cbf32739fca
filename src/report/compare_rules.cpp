#include "report/compare_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "report/input_checks.h"
#include "report/printable.h"

namespace termprobe {
namespace {

constexpr NumberRule kPercentRule{.low = 0, .high = 1000, .unit = "percent"};
constexpr NumberRule kToleranceMsRule{.low = 0, .high = 3'600'000, .unit = "ms"};

bool ends_with(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

std::string names_text(const std::set<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + printable(name);
  return text.empty() ? "none" : text;
}

}  // namespace

Result<TimeTolerance> parse_time_tolerance(std::string_view text) {
  TimeTolerance tolerance;
  const std::string whole(text);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view part = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (ends_with(part, "%")) {
      auto percent = parse_number(part.substr(0, part.size() - 1), kPercentRule);
      if (!percent) return fail(ErrorKind::invalid_input, whole + ": " + percent.error().message);
      tolerance.fraction = *percent / 100.0;
    } else if (ends_with(part, "ms")) {
      auto ms = parse_number(part.substr(0, part.size() - 2), kToleranceMsRule);
      if (!ms) return fail(ErrorKind::invalid_input, whole + ": " + ms.error().message);
      tolerance.floor_us = static_cast<std::int64_t>(*ms * 1000.0);
    } else {
      return fail(ErrorKind::invalid_input,
                  fmt::format("{}: '{}' must be a percentage (25%) or milliseconds (50ms)", whole, part));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return tolerance;
}

std::string time_tolerance_text(const TimeTolerance& tolerance) {
  return fmt::format("{}% or {} ms, whichever is larger", number_text(tolerance.fraction * 100.0),
                     number_text(static_cast<double>(tolerance.floor_us) / 1000.0));
}

bool closing_time_moved(std::int64_t baseline_us, std::int64_t current_us, const TimeTolerance& tolerance) {
  const double allowed = std::max(static_cast<double>(tolerance.floor_us),
                                  tolerance.fraction * static_cast<double>(baseline_us));
  return static_cast<double>(std::llabs(current_us - baseline_us)) > allowed;
}

Result<std::pair<std::string, std::string>> parse_target_mapping(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size())
    return fail(
        ErrorKind::invalid_input,
        fmt::format("'{}' must be OLD=NEW: a baseline target, '=', the current target", printable(text)));
  return std::pair<std::string, std::string>{std::string(text.substr(0, equals)),
                                             std::string(text.substr(equals + 1))};
}

std::optional<std::string> map_problem(const MatchRule& rule, const std::set<std::string>& baseline_targets,
                                       const std::string& baseline_origin,
                                       const std::set<std::string>& current_targets,
                                       const std::string& current_origin) {
  for (const auto& [old_target, new_target] : rule.target_map) {
    if (!baseline_targets.contains(old_target))
      return fmt::format("'{}' is not a target of {} (its targets: {})", printable(old_target),
                         printable(baseline_origin), names_text(baseline_targets));
    if (!current_targets.contains(new_target))
      return fmt::format("'{}' is not a target of {} (its targets: {})", printable(new_target),
                         printable(current_origin), names_text(current_targets));
  }
  return std::nullopt;
}

}  // namespace termprobe
