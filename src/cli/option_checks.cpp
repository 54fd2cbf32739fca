#include "cli/option_checks.h"

#include <fmt/format.h>

namespace termprobe {

CLI::Validator number_check(const NumberRule& rule) {
  // Shown in --help after the type, as CLI::Range did: "FLOAT in [0.001 - 3600]".
  std::string shown = fmt::format("in [{} - {}]", number_text(rule.low), number_text(rule.high));
  if (rule.zero_means_off) shown = "0 or " + shown;
  return CLI::Validator(
      [rule](const std::string& text) {
        auto parsed = parse_number(text, rule);
        return parsed ? std::string() : parsed.error().message;
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
