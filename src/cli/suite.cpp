#include "cli/suite.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "cli/option_checks.h"
#include "cli/terminal.h"
#include "probes/classifier.h"
#include "report/compare.h"
#include "report/junit.h"
#include "report/summary_text.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

bool write_junit(SuiteSession& session, const Report& report, const std::string& suite_name) {
  if (!session.junit) return true;
  auto written = session.junit->commit(junit_xml(report, suite_name));
  if (!written) print_error(written.error().message);
  return written.has_value();
}

// Returns true when the run differs from the baseline.
bool compare_with_baseline(SuiteSession& session, const Report& report) {
  if (!session.baseline) return false;
  const ReportFacts current = report_facts_from(report, "this run");
  const auto changes = compare_reports(*session.baseline, current);
  fmt::print(session.output.text, "{}", format_changes(changes, *session.baseline, current));
  return !changes.empty();
}

}  // namespace

void add_suite_options(CLI::App* command, SuiteOptions& o) {
  command->add_option("--concurrency", o.concurrency, "Connections in flight at once")
      ->check(number_check({.low = 1, .high = 1000, .unit = "connections", .whole = true}))
      ->capture_default_str();
  command->add_option("--rate", o.rate, "Start at most R connections per second (0 = no limit)")
      ->check(number_check(kRateRule));
  command->add_option("--json", o.json_path, "Write the JSON report to FILE (- for stdout)")
      ->check(path_check());
  command->add_option("--junit", o.junit_path, "Write JUnit XML to FILE: one testcase per scenario")
      ->check(path_check());
  command
      ->add_option("--format", o.format,
                   "table, or ndjson: one JSON object per finished connection on stdout")
      ->check(CLI::IsMember({"table", "ndjson"}))
      ->capture_default_str();
  command
      ->add_option("--baseline", o.baseline_path,
                   "Compare with an earlier report; exit 1 when anything changed")
      ->check(path_check());
}

std::optional<SuiteSession> open_suite_session(const SuiteOptions& options) {
  SuiteSession session;
  session.ndjson = options.format == "ndjson";
  if (!options.baseline_path.empty()) {
    auto baseline = read_report_facts(options.baseline_path);
    if (!baseline) {
      print_error("--baseline: " + baseline.error().message);
      return std::nullopt;
    }
    session.baseline = std::move(*baseline);
  }
  auto output = open_report_output(options.json_path, session.ndjson);
  if (!output) return std::nullopt;
  session.output = std::move(*output);
  if (!options.junit_path.empty()) {
    auto junit = AtomicFile::open(options.junit_path);
    if (!junit || options.junit_path == "-") {
      print_error(std::string("--junit: ") + (junit ? "give a file name, not -" : junit.error().message));
      return std::nullopt;
    }
    session.junit.emplace(std::move(*junit));
  }
  return session;
}

std::optional<RunStats> run_suite(const std::vector<SuiteItem>& items, const SuiteOptions& options,
                                  SuiteSession& session, Report& report) {
  EngineOptions engine_options;
  engine_options.max_in_flight = options.concurrency;
  engine_options.rate = options.rate;
  auto engine = Engine::create(engine_options);
  if (!engine) {
    print_error(engine.error().message);
    return std::nullopt;
  }
  std::vector<PlannedProbe> plan;
  std::size_t total = 0;
  for (const auto& item : items) {
    plan.push_back(item.planned);
    total += item.planned.repeat;
  }
  ProgressLine progress(total);
  const ResultSink sink = [&](const ProbeId& id, const Observation& observation) {
    const SuiteItem& item = items[id.spec];
    ReportEntry entry{item.target, item.scenario, item.planned.spec.url,
                      id.repeat,   observation,   classify(observation)};
    progress.count(entry.outcome.label);
    if (session.ndjson) {
      progress.clear();
      print_ndjson_line(entry);
      std::fflush(stdout);
    }
    report.results.push_back(std::move(entry));
  };
  auto stats = (*engine)->run(plan, sink, install_stop_handlers());
  progress.clear();
  if (!stats) {
    print_error(stats.error().message);
    return std::nullopt;
  }
  report.requested = stats->requested;
  report.interrupted = stats->interrupted;
  return *stats;
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

int deliver_suite(Report& report, const Profile& profile, const std::vector<SuiteItem>& items,
                  SuiteSession& session, const std::string& suite_name) {
  report.profile = profile.name;
  for (const auto& target : report.targets) {
    auto verdicts = judge(profile, scenarios_of(items, target), report.results, target);
    for (auto& verdict : verdicts) {
      // Not run because of the interrupt: nothing to judge, not a failure.
      if (report.interrupted && verdict.observed.empty()) {
        verdict.verdict = Verdict::unverified;
        verdict.note = "not run: interrupted";
      }
    }
    report.verdicts.insert(report.verdicts.end(), verdicts.begin(), verdicts.end());
  }
  const bool colour = !session.ndjson && session.output.text == stdout && colour_wanted(stdout);
  fmt::print(session.output.text, "{}{}\n", format_verdict_table(report.verdicts, &paint_verdict, colour),
             format_summary_line(report));
  const bool changed = compare_with_baseline(session, report);
  if (!commit_report(session.output, report) || !write_junit(session, report, suite_name)) return kExitUsage;
  if (report.interrupted) return kExitInterrupted;
  return all_held(report.verdicts) && !changed ? kExitSuccess : kExitMismatch;
}

}  // namespace termprobe
