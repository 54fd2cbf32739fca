#include "cli/merge_command.h"

#include <fmt/format.h>

#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "report/atomic_file.h"
#include "report/report_merge.h"

namespace termprobe {

CLI::App* add_merge_command(CLI::App& app, MergeOptions& o) {
  CLI::App* merge =
      app.add_subcommand("merge", "Join reports of separate jobs (each a part of a fleet) into one report");
  merge->add_option("reports", o.inputs, "The reports to join, each target in one of them")
      ->required()
      ->check(path_check());
  merge->add_option("--json", o.json_path, "Write the merged report to FILE (- for stdout)")
      ->required()
      ->check(path_check());
  merge->footer(
      "Refused (exit 2): a report of another schema_version, a target in two reports, reports judged with "
      "different profiles. Exit: 0 merged, 2 unusable input, 4 termprobe itself failed (the merged report "
      "could not be written).");
  return merge;
}

int run_merge_command(const MergeOptions& options, const std::vector<std::string>& command_line) {
  auto output = AtomicFile::open(options.json_path);
  if (!output) return exit_with(output.error());
  const MergeRequest request{options.inputs, TERMPROBE_VERSION, command_line};
  auto merged = merge_reports(request, [&](std::string_view piece) { return output->write(piece); });
  if (merged) merged = output->commit();
  if (!merged) return exit_with(merged.error());
  if (!output->writes_to_stdout())
    fmt::print("merged {} report(s) into {}\n", options.inputs.size(), options.json_path);
  return kExitSuccess;
}

}  // namespace termprobe
