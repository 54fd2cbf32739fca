#include "cli/compare_command.h"

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "report/compare.h"

namespace termprobe {

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  CLI::App* compare =
      app.add_subcommand("compare", "List every scenario whose outcome changed between two reports");
  compare->add_option("baseline", o.baseline, "The earlier report")->required()->check(path_check());
  compare->add_option("current", o.current, "The later report")->required()->check(path_check());
  compare->add_option("--json", o.json_path, "Write the changes as JSON to FILE (- for stdout)")
      ->check(path_check());
  add_compare_rule_options(compare, o.rules);
  compare->footer(
      "Exit: 0 nothing changed, 1 something changed, 2 unusable input, 4 termprobe itself failed (the "
      "--json file could not be written).");
  return compare;
}

int run_compare_command(const CompareOptions& options) {
  const auto rules = compare_rules_from(options.rules);
  if (!rules) return exit_with(rules.error());
  auto baseline = read_report_facts(options.baseline);
  if (!baseline) return exit_with(baseline.error());
  auto current = read_report_facts(options.current);
  if (!current) return exit_with(current.error());
  if (auto problem = map_problem(rules->match, targets_of(*baseline), baseline->origin, targets_of(*current),
                                 current->origin)) {
    print_error("--map: " + *problem);
    return kExitUsage;
  }
  auto output = open_report_output(options.json_path);
  if (!output) return exit_with(output.error());
  const auto changes = compare_reports(*baseline, *current, *rules);
  fmt::print(output->text, "{}", format_changes(changes, *baseline, *current, *rules));
  if (output->file) {
    auto written = output->file->commit(changes_json(changes, *baseline, *current, *rules).dump(2) + "\n");
    if (!written) return exit_with(written.error());
  }
  return changes.empty() ? kExitSuccess : kExitMismatch;
}

}  // namespace termprobe
