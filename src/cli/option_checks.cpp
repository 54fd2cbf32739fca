#include "cli/option_checks.h"

#include <fmt/format.h>

namespace termprobe {

CLI::Validator number_check(const NumberRule& rule) {
  // A transform (->transform, not ->check): "2s" or "10MB" reaches the option as the number it means.
  // Shown in --help after the type, as CLI::Range did: "FLOAT in [0.001 - 3600]".
  std::string shown = fmt::format("in [{} - {}]", number_text(rule.low), number_text(rule.high));
  if (rule.zero_means_off) shown = "0 or " + shown;
  return CLI::Validator(
      [rule](std::string& text) {
        auto parsed = parse_number(text, rule);
        if (!parsed) return parsed.error().message;
        text = number_value_text(*parsed, rule);
        return std::string();
      },
      shown);
}

CLI::Validator method_check() {
  return CLI::Validator(
      [](const std::string& text) {
        const auto problem = method_problem(text);
        return problem ? fmt::format("'{}' {}", text, *problem) : std::string();
      },
      "METHOD");
}

CLI::Validator header_check() {
  return CLI::Validator(
      [](const std::string& text) {
        const auto problem = header_problem(text);
        return problem ? fmt::format("'{}' {}", text, *problem) : std::string();
      },
      "HEADER");
}

CLI::Validator path_check() {
  return CLI::Validator(
      [](const std::string& text) {
        return text.empty() ? std::string("empty file name: give a path") : std::string();
      },
      "FILE");
}

}  // namespace termprobe
