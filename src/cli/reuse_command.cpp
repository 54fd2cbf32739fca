#include "cli/reuse_command.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "cli/command_expectation.h"
#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "common/target_url.h"
#include "report/request_options.h"

namespace termprobe {
namespace {

std::string scenario_name(double idle_ms) { return fmt::format("reuse after {:g} ms", idle_ms); }

std::string counts(const std::map<std::string, std::size_t>& counted) {
  std::string text;
  for (const auto& [name, count] : counted)
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", name, count);
  return text.empty() ? "-" : text;
}

// One delay's row: what happened to the second request, what the server did while idle.
struct ReuseRow {
  std::map<std::string, std::size_t> outcomes;
  std::map<std::string, std::size_t> closes;
};

void add_to_row(ReuseRow& row, const ReportEntry& entry) {
  const Observation& o = entry.observation;
  ++row.outcomes[o.reused ? std::string(entry.outcome.reuse)
                          : "first request: " + std::string(to_string(entry.outcome.label))];
  if (o.reused)
    ++row.closes[o.closed_before_reuse == StreamEnd::open
                     ? std::string("kept it open")
                     : fmt::format("{} at {:.0f} ms", to_string(o.closed_before_reuse),
                                   static_cast<double>(o.closed_before_reuse_us.value_or(0)) / 1000.0)];
}

// idle ms | what happened to the second request | what the server did while idle
std::string format_reuse_table(const std::map<std::string, ReuseRow>& rows,
                               const std::vector<double>& delays) {
  std::string table = fmt::format("{:>9}  {:<40}  {}\n", "idle ms", "second request", "server while idle");
  for (double delay : delays) {
    const auto row = rows.find(scenario_name(delay));
    const ReuseRow empty;
    const ReuseRow& seen = row != rows.end() ? row->second : empty;
    table += fmt::format("{:>9g}  {:<40}  {}\n", delay, counts(seen.outcomes), counts(seen.closes));
  }
  return table;
}

std::vector<PlannedProbe> reuse_plan(const ReuseOptions& options, const std::string& url) {
  std::vector<PlannedProbe> plan;
  for (double delay : options.idle_ms) {
    ProbeSpec spec;
    spec.url = url;
    RequestOptions request;  // no body: a GET (or -X) with the user's headers
    request.method = options.method;
    request.headers = options.headers;
    (void)build_request(request, spec);  // no data file: it cannot fail
    spec.timeout = seconds_to_ms(options.timeout_s);
    spec.connect_timeout = seconds_to_ms(options.connect_timeout_s);
    spec.watch = seconds_to_ms(options.watch_s);
    spec.fin_watch = seconds_to_ms(options.fin_watch_s);
    spec.reuse_after = std::chrono::milliseconds(static_cast<std::int64_t>(delay));
    apply_connection_options(options.connection, spec);  // versions already checked in run_reuse_command
    plan.push_back({spec, options.repeat});
  }
  return plan;
}

}  // namespace

CLI::App* add_reuse_command(CLI::App& app, ReuseOptions& o) {
  CLI::App* reuse = app.add_subcommand(
      "reuse", "Send a second request on the same connection after each idle delay (the keep-alive race)");
  reuse->add_option("url", o.url, "http:// or https:// URL")->required();
  reuse->add_option("--idle", o.idle_ms, "Idle delays in milliseconds, e.g. 100,4900,5000,5100")
      ->required()
      ->delimiter(',')
      ->transform(number_check(kReuseIdleRule));
  reuse->add_option("-X,--method", o.method, "Request method of both requests (default GET)")
      ->check(method_check());
  reuse->add_option("-H,--header", o.headers, "Extra request header 'Name: value' (repeatable)")
      ->check(header_check());
  reuse->add_option("-n,--repeat,--count", o.repeat, "Connections per delay")
      ->transform(number_check(kRepeatRule));
  add_concurrency_option(reuse, o.concurrency);
  reuse
      ->add_option("--timeout,--max-time", o.timeout_s,
                   "Seconds allowed per request, connecting included (--max-time: curl's name)")
      ->transform(number_check(kTimeoutRule));
  reuse->add_option("--watch", o.watch_s, "Seconds to watch the connection after the second response")
      ->transform(number_check(kWatchRule));
  add_connect_and_fin_watch_options(reuse, o.connect_timeout_s, o.fin_watch_s);
  add_connection_options(reuse, o.connection);
  add_redaction_options(reuse, o.redaction);
  reuse
      ->add_option("--expect", o.expect,
                   "Acceptable outcome(s) of the second request after every delay: answered, reset, "
                   "empty_reply, send_failed, truncated, timeout, error; exit 1 when any ends otherwise")
      ->delimiter(',')
      ->check(reuse_outcome_check());
  add_report_file_options(reuse, o.json_path, o.html_path);
  reuse->footer(kExitCodesHelp);
  return reuse;
}

int run_reuse_command(const ReuseOptions& options, const std::vector<std::string>& command_line) {
  const Redaction redaction = redaction_from(options.redaction);
  auto target = parse_target_url(options.url);
  if (!target) return exit_with(redacted(target.error(), redaction));
  ProbeSpec check;
  check.url = target->url;
  if (!apply_connection_options(options.connection, check)) return kExitUsage;
  auto recorder = ReportRecorder::open(command_line, redaction, options.json_path, options.html_path);
  if (!recorder) return exit_with(recorder.error());
  if (auto capturing = recorder->capture_to(options.connection); !capturing)
    return exit_with(capturing.error());
  Report& report = recorder->report();
  const std::string shown_url = redaction.urls(target->url);  // the target's name in every output
  report.targets = {shown_url};
  std::vector<std::string> scenarios;
  for (double delay : options.idle_ms) scenarios.push_back(scenario_name(delay));
  std::map<std::string, ReuseRow> rows;  // by scenario name
  EngineOptions engine_options;
  engine_options.max_in_flight = options.concurrency;
  const auto name_of = [&](const ProbeId& id) {
    return EntryName{shown_url, scenarios[id.spec], target->url};
  };
  const auto on_entry = [&](const ReportEntry& entry) { add_to_row(rows[entry.scenario], entry); };
  if (auto ran = recorder->run(engine_options, reuse_plan(options, target->url), name_of, on_entry); !ran)
    return exit_with(ran.error());
  fmt::print(recorder->text(), "{}", format_reuse_table(rows, options.idle_ms));
  bool held = true;
  if (!options.expect.empty() && !report.interrupted) {
    Expectation expectation;
    expectation.reuse = std::set<std::string>(options.expect.begin(), options.expect.end());
    held = judge_command(*recorder, expectation, scenarios);
  }
  if (auto written = recorder->commit(); !written) return exit_with(written.error());
  if (report.interrupted) return kExitInterrupted;
  if (!report.tally.any_connected()) return kExitUnreachable;
  return recorder->exit_code(held ? kExitSuccess : kExitMismatch);
}

}  // namespace termprobe
