#include "cli/run_command.h"

#include <fmt/format.h>

#include <memory>

#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "cli/report_output.h"
#include "module_host.h"
#include "probes/classifier.h"
#include "probes/contract_scenarios.h"
#include "probes/engine.h"
#include "probes/target_url.h"
#include "report/profile.h"
#include "report/summary_text.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& scenario : contract_scenarios()) names.push_back(scenario.name);
  return names;
}

ProbeSpec settings_from(const RunOptions& options) {
  ProbeSpec settings;
  settings.timeout = seconds_to_ms(options.timeout_s);
  settings.watch = seconds_to_ms(options.watch_s);
  if (!options.token.empty()) settings.headers.push_back("X-Termprobe-Token: " + options.token);
  return settings;
}

// One request to /termprobe/ok before the suite: is the module there at all?
int check_module_present(const std::string& base_url, const ProbeSpec& settings) {
  auto engine = Engine::create(EngineOptions{});
  if (!engine) return kExitUsage;
  ProbeSpec spec = scenario_spec(contract_scenarios().front(), base_url, settings);
  spec.watch = std::chrono::milliseconds(0);
  std::optional<Observation> seen;
  const std::atomic<bool> never{false};
  (*engine)->run(
      {spec}, 1, [&](const ProbeId&, const Observation& o) { seen = o; }, never);
  if (!seen || !seen->connected) {
    fmt::print(stderr, "termprobe: cannot reach {}: {}\n", spec.url, seen ? seen->curl_message : "no result");
    return kExitUnreachable;
  }
  if (seen->status != 200 || seen->module.empty()) {
    fmt::print(
        stderr,
        "termprobe: error: no termprobe module at {}: it answered {} without the X-Termprobe-Module header "
        "(install the module on that site, or fix --target)\n",
        spec.url, seen->status != 0 ? fmt::format("HTTP {}", seen->status) : std::string("nothing"));
    return kExitUsage;
  }
  return kExitSuccess;
}

std::vector<ProbeSpec> suite_specs(const std::string& base_url, const ProbeSpec& settings) {
  std::vector<ProbeSpec> specs;
  for (const auto& scenario : contract_scenarios())
    specs.push_back(scenario_spec(scenario, base_url, settings));
  return specs;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run", "Run the module's contract suite (default: against the bundled host, started on loopback)");
  run->add_option("--target", o.target,
                  "Base URL of a server with the termprobe module (default: embedded host)");
  run->add_option("--profile", o.profile, "Expectations: reference, iis, or a profile JSON file")
      ->capture_default_str();
  run->add_option("--repeat", o.repeat, "Connections per scenario")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  run->add_option("--concurrency", o.concurrency, "Connections in flight at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))
      ->capture_default_str();
  run->add_option("--token", o.token, "Send this X-Termprobe-Token header (when the module requires one)");
  run->add_option("--timeout", o.timeout_s, "Seconds allowed per connection")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  run->add_option("--watch", o.watch_s, "Seconds to watch each connection after a complete response")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  run->add_option("--json", o.json_path, "Write the JSON report to FILE (- for stdout)");
  run->footer(std::string("Exit: 0 every judged expectation held, 1 one did not. ") + kExitCodesHelp);
  return run;
}

int run_run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  auto profile = load_profile(options.profile, scenario_names());
  if (!profile) {
    fmt::print(stderr, "termprobe: error: {}\n", profile.error().message);
    return kExitUsage;
  }
  auto output = open_report_output(options.json_path);
  if (!output) return kExitUsage;

  std::unique_ptr<termprobe_host::ModuleHost> embedded;
  std::string base_url = options.target;
  if (base_url.empty()) {
    auto started = termprobe_host::ModuleHost::start({"127.0.0.1", 0});
    if (!started) {
      fmt::print(stderr, "termprobe: error: cannot start the embedded module host: {}\n", started.error());
      return kExitUsage;
    }
    embedded = std::move(*started);
    base_url = embedded->base_url();
    fmt::print(output->text, "embedded module host (Linux) on {}\n", base_url);
  }
  auto target = parse_target_url(base_url);
  if (!target) {
    fmt::print(stderr, "termprobe: error: --target: {}\n", target.error().message);
    return kExitUsage;
  }
  const ProbeSpec settings = settings_from(options);
  if (int present = check_module_present(base_url, settings); present != kExitSuccess) return present;

  auto engine = Engine::create(EngineOptions{options.concurrency});
  if (!engine) {
    fmt::print(stderr, "termprobe: error: {}\n", engine.error().message);
    return kExitUsage;
  }
  Report report;
  report.tool_version = TERMPROBE_VERSION;
  report.command = command_line;
  report.started_at = utc_timestamp_now();
  report.target = base_url;
  report.profile = profile->name;
  const auto& scenarios = contract_scenarios();
  const auto specs = suite_specs(base_url, settings);
  const ResultSink sink = [&](const ProbeId& id, const Observation& observation) {
    report.results.push_back(ReportEntry{scenarios[id.spec].name, specs[id.spec].url, id.repeat, observation,
                                         classify(observation)});
  };
  auto stats = (*engine)->run(specs, options.repeat, sink, install_stop_handlers());
  if (!stats) {
    fmt::print(stderr, "termprobe: error: {}\n", stats.error().message);
    return kExitUsage;
  }
  report.requested = stats->requested;
  report.interrupted = stats->interrupted;
  report.verdicts = judge(*profile, scenario_names(), report.results);
  fmt::print(output->text, "profile {}: {}\n{}{}\n", profile->name, profile->description,
             format_verdict_table(report.verdicts), format_summary_line(report));
  if (!commit_report(*output, report)) return kExitUsage;
  if (report.interrupted) return kExitInterrupted;
  return all_held(report.verdicts) ? kExitSuccess : kExitMismatch;
}

}  // namespace termprobe
