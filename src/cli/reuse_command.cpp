#include "cli/reuse_command.h"

#include <fmt/format.h>

#include <map>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "common/target_url.h"
#include "probes/classifier.h"
#include "probes/engine.h"

namespace termprobe {
namespace {

std::string scenario_name(double idle_ms) { return fmt::format("reuse after {:g} ms", idle_ms); }

std::string counts(const std::map<std::string, std::size_t>& counted) {
  std::string text;
  for (const auto& [name, count] : counted)
    text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", name, count);
  return text.empty() ? "-" : text;
}

// idle ms | what happened to the second request | what the server did while idle
std::string format_reuse_table(const Report& report, const std::vector<double>& delays) {
  std::string table = fmt::format("{:>9}  {:<40}  {}\n", "idle ms", "second request", "server while idle");
  for (double delay : delays) {
    std::map<std::string, std::size_t> outcomes;
    std::map<std::string, std::size_t> closes;
    for (const auto& entry : report.results) {
      if (entry.scenario != scenario_name(delay)) continue;
      const Observation& o = entry.observation;
      ++outcomes[o.reused ? std::string(reuse_outcome(o))
                          : "first request: " + std::string(to_string(entry.outcome.label))];
      if (o.reused)
        ++closes[o.closed_before_reuse == StreamEnd::open
                     ? std::string("kept it open")
                     : fmt::format("{} at {:.0f} ms", to_string(o.closed_before_reuse),
                                   static_cast<double>(o.closed_before_reuse_us.value_or(0)) / 1000.0)];
    }
    table += fmt::format("{:>9g}  {:<40}  {}\n", delay, counts(outcomes), counts(closes));
  }
  return table;
}

}  // namespace

CLI::App* add_reuse_command(CLI::App& app, ReuseOptions& o) {
  CLI::App* reuse = app.add_subcommand(
      "reuse", "Send a second request on the same connection after each idle delay (the keep-alive race)");
  reuse->add_option("url", o.url, "http:// or https:// URL")->required();
  reuse->add_option("--idle", o.idle_ms, "Idle delays in milliseconds, e.g. 100,4900,5000,5100")
      ->required()
      ->delimiter(',')
      ->check(number_check({.low = 0, .high = 3'600'000, .unit = "milliseconds"}));
  reuse->add_option("-H,--header", o.headers, "Extra request header 'Name: value' (repeatable)")
      ->check(header_check());
  reuse->add_option("--repeat", o.repeat, "Connections per delay")->check(number_check(kRepeatRule));
  reuse->add_option("-c,--concurrency", o.concurrency, "Connections in flight at once")
      ->check(number_check({.low = 1, .high = 10'000, .unit = "connections", .whole = true}));
  reuse->add_option("--timeout", o.timeout_s, "Seconds allowed per request")
      ->check(number_check(kTimeoutRule));
  reuse->add_option("--json", o.json_path, "Write the JSON report to FILE (- for stdout)")
      ->check(path_check());
  reuse->footer(kExitCodesHelp);
  return reuse;
}

int run_reuse_command(const ReuseOptions& options, const std::vector<std::string>& command_line) {
  auto target = parse_target_url(options.url);
  if (!target) {
    print_error(target.error().message);
    return kExitUsage;
  }
  auto output = open_report_output(options.json_path);
  if (!output) return kExitUsage;
  std::vector<PlannedProbe> plan;
  for (double delay : options.idle_ms) {
    ProbeSpec spec;
    spec.url = target->url;
    spec.headers = options.headers;
    spec.timeout = seconds_to_ms(options.timeout_s);
    spec.watch = seconds_to_ms(options.watch_s);
    spec.reuse_after = std::chrono::milliseconds(static_cast<std::int64_t>(delay));
    plan.push_back({spec, options.repeat});
  }
  EngineOptions engine_options;
  engine_options.max_in_flight = options.concurrency;
  auto engine = Engine::create(engine_options);
  if (!engine) return kExitUsage;
  Report report = begin_report(command_line, {target->url});
  auto stats = (*engine)->run(
      plan,
      [&](const ProbeId& id, const Observation& o) {
        report.results.push_back(
            {target->url, scenario_name(options.idle_ms[id.spec]), target->url, id.repeat, o, classify(o)});
      },
      install_stop_handlers());
  if (!stats) return kExitUsage;
  report.requested = stats->requested;
  report.interrupted = stats->interrupted;
  fmt::print(output->text, "{}", format_reuse_table(report, options.idle_ms));
  if (!commit_report(*output, report)) return kExitUsage;
  if (report.interrupted) return kExitInterrupted;
  const bool reached = std::any_of(report.results.begin(), report.results.end(),
                                   [](const ReportEntry& e) { return e.observation.connected; });
  return reached ? kExitSuccess : kExitUnreachable;
}

}  // namespace termprobe
