#include "cli/suite.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "cli/terminal.h"
#include "report/compare.h"
#include "report/junit.h"
#include "report/summary_text.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

Result<void> write_junit(SuiteSession& session, const Report& report, const std::string& suite_name,
                         const std::vector<ScenarioChange>& changes) {
  if (!session.junit) return {};
  return session.junit->commit(junit_xml(report, suite_name, changes));
}

// Prints and returns what differs from the baseline (nothing without one).
std::vector<ScenarioChange> compare_with_baseline(SuiteSession& session, const Report& report) {
  if (!session.baseline) return {};
  const ReportFacts current = report_facts_from(report, "this run");
  auto changes = compare_reports(*session.baseline, current, session.compare_rules);
  fmt::print(session.recorder.text(), "{}",
             format_changes(changes, *session.baseline, current, session.compare_rules));
  return changes;
}

}  // namespace

void add_suite_options(CLI::App* command, SuiteOptions& o) {
  add_concurrency_option(command, o.concurrency)->capture_default_str();
  command->add_option("--rate", o.rate, "Start at most R connections per second (0 = no limit)")
      ->transform(number_check(kRateRule));
  add_report_file_options(command, o.json_path, o.html_path);
  command->add_option("--junit", o.junit_path, "Write JUnit XML to FILE: one testcase per scenario")
      ->check(path_check());
  command
      ->add_option("--format", o.format,
                   "text (the table; 'table' still works), or ndjson: one JSON object per finished "
                   "connection on stdout")
      ->transform(format_check("table"))
      ->capture_default_str();
  command->add_flag("-q,--quiet", o.quiet,
                    "No progress line, and of the table only the scenarios that did not pass; the summary "
                    "line stays");
  auto* baseline = command
                       ->add_option("--baseline", o.baseline_path,
                                    "Compare with an earlier report; exit 1 when anything changed")
                       ->check(path_check());
  add_compare_rule_options(command, o.compare, baseline);
}

Result<SuiteSession> open_suite_session(const SuiteOptions& options,
                                        const std::vector<std::string>& command_line,
                                        const Redaction& redaction) {
  const auto rules = compare_rules_from(options.compare);
  if (!rules) return tl::unexpected(rules.error());
  std::optional<ReportFacts> baseline;
  if (!options.baseline_path.empty()) {
    auto read = read_report_facts(options.baseline_path);
    if (!read) return fail(read.error().kind, "--baseline: " + read.error().message);
    baseline = std::move(*read);
  }
  auto recorder = ReportRecorder::open(command_line, redaction, options.json_path, options.html_path,
                                       options.format == "ndjson");
  if (!recorder) return tl::unexpected(recorder.error());
  SuiteSession session{std::move(*recorder), std::nullopt, std::move(baseline), *rules, options.quiet};
  if (!options.junit_path.empty()) {
    auto junit = AtomicFile::open(options.junit_path, "--junit");
    if (!junit) return tl::unexpected(junit.error());
    // The table and the summary are on stdout.
    if (junit->writes_to_stdout())
      return fail(ErrorKind::invalid_input, "--junit: give a file name, not " + options.junit_path);
    session.junit.emplace(std::move(*junit));
  }
  return session;
}

Result<void> run_suite(const std::vector<SuiteItem>& items, const SuiteOptions& options,
                       SuiteSession& session) {
  if (session.baseline) {
    std::set<std::string> targets;
    for (const auto& item : items) targets.insert(item.target);
    if (auto problem = map_problem(session.compare_rules.match, targets_of(*session.baseline),
                                   session.baseline->origin, targets, "this run"))
      return fail(ErrorKind::invalid_input, "--map: " + *problem);
  }
  EngineOptions engine_options;
  engine_options.max_in_flight = options.concurrency;
  engine_options.rate = options.rate;
  std::vector<PlannedProbe> plan;
  std::size_t total = 0;
  for (const auto& item : items) {
    plan.push_back(item.planned);
    total += item.planned.repeat;
  }
  ProgressLine progress(total, !options.quiet);
  const bool ndjson = session.recorder.ndjson();
  const auto name_of = [&](const ProbeId& id) {
    const SuiteItem& item = items[id.spec];
    return EntryName{item.target, item.scenario, item.planned.spec.url};
  };
  const auto on_entry = [&](const ReportEntry& entry) {
    progress.count(entry.outcome.label);
    if (ndjson) progress.clear();  // the ndjson line comes next, on a line of its own
  };
  session.recorder.keep_plan_order();  // the report lists the scenarios as the table does
  auto ran = session.recorder.run(engine_options, plan, name_of, on_entry);
  progress.clear();
  return ran;
}

// Scenario names of one target, in plan order.
static std::vector<std::string> scenarios_of(const std::vector<SuiteItem>& items, const std::string& target) {
  std::vector<std::string> names;
  for (const auto& item : items) {
    if (item.target == target && std::find(names.begin(), names.end(), item.scenario) == names.end())
      names.push_back(item.scenario);
  }
  return names;
}

int deliver_suite(const Profile& profile, const std::vector<SuiteItem>& items, SuiteSession& session,
                  const std::string& suite_name) {
  Report& report = session.recorder.report();
  report.profile = profile.name;
  for (const auto& target : report.targets) {
    auto verdicts = judge(profile, scenarios_of(items, target), report.tally, target);
    for (auto& verdict : verdicts) {
      // Not run because of the interrupt: nothing to judge, not a failure.
      if (report.interrupted && verdict.observed.empty()) {
        verdict.verdict = Verdict::unverified;
        verdict.note = "not run: interrupted";
      }
    }
    report.verdicts.insert(report.verdicts.end(), verdicts.begin(), verdicts.end());
  }
  std::FILE* text = session.recorder.text();
  const bool colour = !session.recorder.ndjson() && text == stdout && colour_wanted(stdout);
  std::vector<ScenarioVerdict> shown = report.verdicts;
  if (session.quiet)
    std::erase_if(shown, [](const ScenarioVerdict& v) { return v.verdict == Verdict::pass; });
  const std::string table = shown.empty() ? "" : format_verdict_table(shown, &paint_verdict, colour);
  fmt::print(text, "{}{}\n{}", table, format_summary_line(report),
             format_label_meanings(labels_named(shown)));
  const auto changes = compare_with_baseline(session, report);
  auto written = session.recorder.commit();
  if (written) written = write_junit(session, report, suite_name, changes);
  if (!written) return exit_with(written.error());
  if (report.interrupted) return kExitInterrupted;
  if (all_held(report.verdicts) && changes.empty()) return session.recorder.exit_code(kExitSuccess);
  // Nothing reached is exit 3 only when that was not what was expected (a
  // check that a port is closed passes with 0); a fleet with one target up
  // is judged target by target, exit 1.
  if (report.tally.total() > 0 && !report.tally.any_connected()) return kExitUnreachable;
  return kExitMismatch;
}

}  // namespace termprobe
