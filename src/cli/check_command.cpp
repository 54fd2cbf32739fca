#include "cli/check_command.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "report/check_file.h"

namespace termprobe {
namespace {

// A check file's probes are independent, so they overlap by default: 6 at
// once, the connections a browser opens to one host, so that a server sees
// no more than one visitor's load from a check; -c 1 runs them one by one.
constexpr std::size_t kCheckConcurrency = 6;

Profile profile_of(const std::vector<CheckProbe>& probes, const std::string& file) {
  Profile profile;
  profile.name = file;
  for (const auto& probe : probes) {
    Expectation& expectation = profile.scenarios[probe.name];
    expectation = probe.expectation;
    expectation.note = fmt::format("{}:{}", file, probe.line);
  }
  return profile;
}

}  // namespace

CLI::App* add_check_command(CLI::App& app, CheckOptions& o) {
  CLI::App* check =
      app.add_subcommand("check", "Run the probes of an expectations file (TOML) and judge them");
  check
      ->add_option(
          "file", o.file,
          "Expectations file: [defaults], [[probe]], [[idle]] and [[reuse]] tables (docs/check-files.md)")
      ->required()
      ->check(path_check());
  add_connection_options(check, o.connection);
  add_redaction_options(check, o.redaction);
  o.suite.concurrency = kCheckConcurrency;
  add_suite_options(check, o.suite);
  check->footer(kExitCodesHelp);
  return check;
}

int run_check_command(const CheckOptions& options, const std::vector<std::string>& command_line) {
  auto probes = load_check_file(options.file);
  if (!probes) return exit_with(probes.error());
  std::vector<std::string> redact;  // every entry's: the outputs are the whole run's
  for (const auto& probe : *probes) redact.insert(redact.end(), probe.redact.begin(), probe.redact.end());
  auto session = open_suite_session(options.suite, command_line, redaction_from(options.redaction, redact));
  if (!session) return exit_with(session.error());
  if (auto capturing = session->recorder.capture_to(options.connection); !capturing)
    return exit_with(capturing.error());
  Report& report = session->recorder.report();
  std::vector<SuiteItem> items;
  for (auto& probe : *probes) {
    if (!apply_connection_options(options.connection, probe.spec)) return kExitUsage;
    items.push_back({probe.target, probe.name, {probe.spec, probe.repeat}});
    if (std::find(report.targets.begin(), report.targets.end(), probe.target) == report.targets.end())
      report.targets.push_back(probe.target);
  }
  if (auto ran = run_suite(items, options.suite, *session); !ran) return exit_with(ran.error());
  const int code = deliver_suite(profile_of(*probes, options.file), items, *session, "termprobe check");
  if (code == kExitUnreachable) print_note(fmt::format("no probe in {} reached its target", options.file));
  return code;
}

}  // namespace termprobe
