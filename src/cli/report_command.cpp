#include "cli/report_command.h"

#include <fmt/format.h>

#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "report/atomic_file.h"
#include "report/html_report.h"
#include "report/input_file.h"
#include "report/report_facts.h"

namespace termprobe {

CLI::App* add_report_command(CLI::App& app, ReportCommandOptions& o) {
  CLI::App* report = app.add_subcommand(
      "report", "Draw a JSON report (merged ones too) as one self-contained HTML page: --html FILE");
  report->add_option("report", o.input, "The JSON report to draw")->required()->check(path_check());
  report->add_option("--html", o.html_path, "Write the HTML page to FILE")->required()->check(path_check());
  report->footer(
      "Exit: 0 written, 2 the input is not a termprobe report of this schema_version (or cannot be read) or "
      "FILE cannot be written there, 4 termprobe itself failed.");
  return report;
}

int run_report_command(const ReportCommandOptions& options) {
  // The reader checks every field the page reads against the schema's rules first: a clear line, not a half
  // page.
  if (auto facts = read_report_facts(options.input); !facts) return exit_with(facts.error());
  if (options.html_path == "-")
    return exit_with(Error{ErrorKind::invalid_input, "--html: give a file name, not -"});
  auto input = open_input_file(options.input, "report");
  if (!input) return exit_with(input.error());
  auto page = AtomicFile::open(options.html_path, "--html");
  if (!page) return exit_with(page.error());
  auto written =
      write_html_report(*input, options.input, [&](std::string_view piece) { return page->write(piece); });
  if (written) written = page->commit();
  if (!written) return exit_with(written.error());
  fmt::print("wrote {}\n", options.html_path);
  return kExitSuccess;
}

}  // namespace termprobe
