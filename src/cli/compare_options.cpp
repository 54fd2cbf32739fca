#include "cli/compare_options.h"

#include <fmt/format.h>

namespace termprobe {

void add_compare_rule_options(CLI::App* command, CompareRuleOptions& o, CLI::Option* needs) {
  auto* match = command
                    ->add_option("--match", o.match,
                                 "Pair scenarios by target and scenario (target), or by scenario name alone "
                                 "across targets, each side's targets pooled (scenario)")
                    ->check(CLI::IsMember({"target", "scenario"}))
                    ->capture_default_str();
  auto* map = command
                  ->add_option("--map", o.maps,
                               "OLD=NEW: compare the baseline's target OLD with the current target NEW "
                               "(repeatable)")
                  ->excludes(match);
  auto* tolerance = command
                        ->add_option("--time-tolerance", o.time_tolerance,
                                     "How far the median time the server took to close after the response "
                                     "may move: PERCENT% of the baseline's, or MSms, whichever is larger")
                        ->capture_default_str();
  if (needs != nullptr) {
    for (CLI::Option* option : {match, map, tolerance}) option->needs(needs);
  }
}

Result<CompareRules> compare_rules_from(const CompareRuleOptions& options) {
  CompareRules rules;
  rules.match.by_scenario = options.match == "scenario";
  for (const auto& text : options.maps) {
    auto mapping = parse_target_mapping(text);
    if (!mapping) return fail(ErrorKind::invalid_input, "--map: " + mapping.error().message);
    if (!rules.match.target_map.emplace(mapping->first, mapping->second).second)
      return fail(ErrorKind::invalid_input, fmt::format("--map: '{}' is mapped twice", mapping->first));
  }
  auto tolerance = parse_time_tolerance(options.time_tolerance);
  if (!tolerance) return fail(ErrorKind::invalid_input, "--time-tolerance: " + tolerance.error().message);
  rules.time = *tolerance;
  return rules;
}

}  // namespace termprobe
