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

CLI::Option* add_concurrency_option(CLI::App* command, std::size_t& concurrency) {
  return command
      ->add_option("-c,--concurrency", concurrency,
                   "Connections exchanging or kept open by the server at once (one it closed or announced "
                   "closing is watched outside this limit)")
      ->transform(number_check({.low = 1, .high = 10'000, .unit = "connections", .whole = true}));
}

void add_connect_and_fin_watch_options(CLI::App* command, double& connect_timeout_s, double& fin_watch_s) {
  command->add_option("--connect-timeout", connect_timeout_s, "Seconds allowed for connecting")
      ->transform(number_check(kConnectTimeoutRule));
  command->add_option("--fin-watch", fin_watch_s, "Seconds to watch for an RST after the server's FIN")
      ->transform(number_check(kFinWatchRule));
}

CLI::Validator format_check(std::string old_text) {
  return CLI::Validator(
      [old_text](std::string& text) {
        if (text == old_text) text = "text";
        if (text == "text" || text == "ndjson") return std::string();
        return fmt::format("'{}' is not a format: use text or ndjson", text);
      },
      "text|ndjson");
}

CLI::Validator path_check() {
  return CLI::Validator(
      [](const std::string& text) {
        return text.empty() ? std::string("empty file name: give a path") : std::string();
      },
      "FILE");
}

}  // namespace termprobe
