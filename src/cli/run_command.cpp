#include "cli/run_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/host_tls.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "common/target_url.h"
#include "module_host.h"
#include "probes/contract_scenarios.h"
#include "report/input_checks.h"
#include "report/input_file.h"

namespace termprobe {
namespace {

constexpr const char* kEmbeddedTarget = "embedded";
constexpr const char* kEmbeddedTlsTarget = "embedded-tls";

struct Target {
  std::string name;       // what reports group by: the URL as given (password hidden), or "embedded"
  std::string endpoints;  // the endpoints' folder (endpoints_url): where the probes go
};

// Every scenario a profile may name: the HTTP/2 list holds the HTTP/1.1 one.
std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& scenario : http2_contract_scenarios()) names.push_back(scenario.name);
  return names;
}

// --tls, or --http2 against the embedded host: h2 is negotiated over TLS.
bool embedded_tls_only(const RunOptions& options) {
  return options.embedded_tls || (options.connection.http2 && !options.embedded_both);
}

ProbeSpec settings_from(const RunOptions& options) {
  ProbeSpec settings;
  settings.timeout = seconds_to_ms(options.timeout_s);
  settings.watch = seconds_to_ms(options.watch_s);
  settings.fin_watch = seconds_to_ms(options.fin_watch_s);
  if (!options.token.empty()) settings.headers.push_back("X-Termprobe-Token: " + options.token);
  return settings;
}

// A targets-file line without its comment: '#' at the start or after a
// blank starts one (a '#' inside a URL, a fragment, does not).
std::string strip_comment(std::string line) {
  for (std::size_t at = line.find('#'); at != std::string::npos; at = line.find('#', at + 1)) {
    if (at == 0 || line[at - 1] == ' ' || line[at - 1] == '\t') {
      line.erase(at);
      break;
    }
  }
  line.erase(0, line.find_first_not_of(" \t"));
  line.erase(line.find_last_not_of(" \t\r") + 1);
  return line;
}

// --target values, then the targets file: blank lines and # comments skipped.
Result<std::vector<std::string>> target_urls(const RunOptions& options, const Redaction& redaction) {
  std::vector<std::string> urls = options.targets;
  if (!options.targets_file.empty()) {
    auto file = open_input_file(options.targets_file, "--targets-file");
    if (!file) return tl::unexpected(file.error());
    for (std::string line; std::getline(*file, line);) {
      if (std::string url = strip_comment(line); !url.empty()) urls.push_back(url);
    }
  }
  for (const auto& url : urls) {
    if (auto parsed = parse_target_url(url); !parsed)
      return fail(parsed.error().kind, "--target: " + redaction.urls(parsed.error().message));
  }
  return urls;
}

enum class Presence { module, unreachable, no_module };

// One request to /termprobe/ok before the suite: is the module there at all?
// A target that cannot be reached or has no module is named on stderr; its
// scenarios still run, so the table, report and JUnit show them failing.
Result<Presence> module_presence(const Target& target, const ProbeSpec& settings, bool several,
                                 const Redaction& redaction) {
  auto engine = Engine::create(EngineOptions{});
  if (!engine) return tl::unexpected(engine.error());
  ProbeSpec spec = scenario_spec(contract_scenarios().front(), target.endpoints, settings);
  spec.watch = std::chrono::milliseconds(0);
  std::optional<Observation> seen;
  const std::atomic<bool> never{false};
  auto ran = (*engine)->run(
      {spec}, 1, [&](const ProbeId&, const Observation& o) { seen = o; }, never);
  if (!ran) return tl::unexpected(ran.error());
  if (!seen || !seen->connected) {
    print_note(
        fmt::format("cannot reach {}: {}", redaction.urls(spec.url), seen ? seen->error : "no result"));
    return Presence::unreachable;
  }
  if (seen->status != 200 || seen->module.empty()) {
    const std::string why = fmt::format(
        "no termprobe module at {}: it answered {} without the X-Termprobe-Module header "
        "(install the module on that site, or fix --target)",
        redaction.urls(spec.url),
        seen->status != 0 ? fmt::format("HTTP {}", seen->status) : std::string("nothing"));
    if (several)
      print_note(why);  // in a fleet, one target's problem: judged with the others
    else
      print_error(why);  // alone, a usage error
    return Presence::no_module;
  }
  return Presence::module;
}

// 0 when at least one target has the module (the others are judged and fail
// on their own); 2 when none has and one answered without it.
int fleet_presence(const std::vector<Target>& targets, const ProbeSpec& settings,
                   const Redaction& redaction) {
  bool any_module = false;
  bool any_without = false;
  for (const auto& target : targets) {
    const auto presence = module_presence(target, settings, targets.size() > 1, redaction);
    if (!presence) return exit_with(presence.error());
    any_module = any_module || *presence == Presence::module;
    any_without = any_without || *presence == Presence::no_module;
  }
  if (any_module || !any_without) return kExitSuccess;
  if (targets.size() > 1) print_error("no target of the fleet has the termprobe module");
  return kExitUsage;
}

// The embedded hosts a run starts: plain HTTP, HTTPS, or both. The HTTPS
// host's certificate is made now and trusted by this run's probes alone.
struct EmbeddedHosts {
  std::vector<std::unique_ptr<termprobe_host::ModuleHost>> hosts;
  std::optional<TemporaryCertificate> certificate;
};

// Whatever fails here is termprobe's own failure: the host listens on a free loopback port.
Result<void> start_embedded(const RunOptions& options, std::vector<Target>& targets,
                            EmbeddedHosts& embedded) {
  std::optional<termprobe_host::TlsIdentity> identity;
  if (embedded_tls_only(options) || options.embedded_both) {
    auto made = termprobe_host::make_self_signed_identity();
    auto written = made ? TemporaryCertificate::write(*made) : fail(ErrorKind::internal, made.error());
    if (!written)
      return fail(ErrorKind::internal,
                  fmt::format("cannot set up TLS for the embedded module host: {}", written.error().message));
    identity = std::move(*made);
    embedded.certificate.emplace(std::move(*written));
  }
  const auto start = [&](std::optional<termprobe_host::TlsIdentity> tls, const char* name) -> Result<void> {
    termprobe_host::HostOptions host_options{"127.0.0.1", 0};
    host_options.tls = std::move(tls);
    auto started = termprobe_host::ModuleHost::start(host_options);
    if (!started)
      return fail(ErrorKind::internal,
                  fmt::format("cannot start the embedded module host: {}", started.error()));
    targets.push_back({name, endpoints_url((*started)->base_url(), options.prefix)});
    embedded.hosts.push_back(std::move(*started));
    return {};
  };
  if (!embedded_tls_only(options)) {
    if (auto started = start(std::nullopt, kEmbeddedTarget); !started) return started;
  }
  if (!identity) return {};
  return start(identity, kEmbeddedTlsTarget);
}

std::vector<SuiteItem> suite_items(const std::vector<Target>& targets, const ProbeSpec& settings,
                                   std::size_t repeat) {
  const auto& scenarios =
      settings.http == HttpMode::http1 ? contract_scenarios() : http2_contract_scenarios();
  std::vector<SuiteItem> items;
  for (const auto& target : targets) {
    for (const auto& scenario : scenarios)
      items.push_back(
          {target.name, scenario.name, {scenario_spec(scenario, target.endpoints, settings), repeat}});
  }
  return items;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the module's contract suite (default: against the bundled host, started on loopback). With "
      "--http2 (h2 over TLS; the embedded host serves HTTPS) or --http2-prior-knowledge (h2c) it runs over "
      "HTTP/2 and adds the stream scenarios (reset-stream-*, goaway)");
  run->add_option(
      "--target", o.targets,
      "Base URL of a server with the termprobe module; repeat for a fleet (default: embedded host)");
  run->add_option("--targets-file", o.targets_file, "More base URLs, one per line (# comments allowed)")
      ->check(path_check());
  run->add_option("--profile", o.profile, "Expectations: reference, iis, or a profile JSON file")
      ->check(path_check())
      ->capture_default_str();
  run->add_option("-n,--repeat,--count", o.repeat, "Connections per scenario and target")
      ->transform(number_check(kRepeatRule))
      ->capture_default_str();
  run->add_option("--prefix", o.prefix,
                  "Path prefix of the module's endpoints, as serve --prefix; a --target URL that already "
                  "ends in it is used as it is")
      ->capture_default_str();
  run->add_option("--token", o.token, "Send this X-Termprobe-Token header (when the module requires one)");
  run->add_option("--timeout,--max-time", o.timeout_s,
                  "Seconds allowed per connection's request and response, connecting included (--max-time: "
                  "curl's name; the watch after a response is not counted)")
      ->transform(number_check(kTimeoutRule))
      ->capture_default_str();
  run->add_option("--watch", o.watch_s, "Seconds to watch each connection after a complete response")
      ->transform(number_check(kWatchRule))
      ->capture_default_str();
  run->add_option("--fin-watch", o.fin_watch_s, "Seconds to watch for an RST after the server's FIN")
      ->transform(number_check(kFinWatchRule))
      ->capture_default_str();
  add_connection_options(run, o.connection);
  add_redaction_options(run, o.redaction);
  auto* tls =
      run->add_flag("--tls", o.embedded_tls,
                    "Run the embedded host over HTTPS (a self-signed certificate made for this run, and "
                    "trusted by it); the target is named embedded-tls");
  run->add_flag("--tls-both", o.embedded_both,
                "Run the embedded host over HTTP and over HTTPS, in one report (targets embedded and "
                "embedded-tls)")
      ->excludes(tls);
  add_suite_options(run, o.suite);
  run->footer(kExitCodesHelp);
  return run;
}

int run_run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  auto profile = load_profile(options.profile, scenario_names());
  if (!profile) return exit_with(profile.error());
  const Redaction redaction = redaction_from(options.redaction);
  const auto urls = target_urls(options, redaction);
  if (!urls) return exit_with(urls.error());
  if ((options.embedded_tls || options.embedded_both) && !urls->empty()) {
    print_error(fmt::format("{} runs the embedded host: give https:// URLs to --target instead",
                            options.embedded_tls ? "--tls" : "--tls-both"));
    return kExitUsage;
  }
  if (options.prefix.empty() || options.prefix.front() != '/') {
    print_error("--prefix must start with '/', e.g. /termprobe/");
    return kExitUsage;
  }
  // The embedded host's module reads its prefix from the environment at start, as serve's does.
  if (urls->empty() && options.prefix != kDefaultEndpointPrefix)
    setenv("TERMPROBE_PREFIX", options.prefix.c_str(), 1);
  auto session = open_suite_session(options.suite, command_line, redaction);
  if (!session) return exit_with(session.error());
  if (auto capturing = session->recorder.capture_to(options.connection); !capturing)
    return exit_with(capturing.error());

  EmbeddedHosts embedded;
  std::vector<Target> targets;
  for (const auto& url : *urls) targets.push_back({redaction.urls(url), endpoints_url(url, options.prefix)});
  if (targets.empty()) {
    if (auto started = start_embedded(options, targets, embedded); !started)
      return exit_with(started.error());
    for (const auto& target : targets) {
      if (!options.suite.quiet)
        fmt::print(session->recorder.text(), "embedded module host (Linux) on {}\n", target.endpoints);
    }
  }
  ProbeSpec settings = settings_from(options);
  if (!apply_connection_options(options.connection, settings)) return kExitUsage;
  if (embedded.certificate && settings.tls.ca_file.empty())
    settings.tls.ca_file = embedded.certificate->path();
  for (const auto& target : targets) {
    if (auto problem = http2_scheme_problem(settings.http == HttpMode::http2, target.endpoints)) {
      print_error(*problem);
      return kExitUsage;
    }
  }
  if (int present = fleet_presence(targets, settings, redaction); present != kExitSuccess) return present;

  for (const auto& target : targets) session->recorder.report().targets.push_back(target.name);
  const auto items = suite_items(targets, settings, options.repeat);
  if (auto ran = run_suite(items, options.suite, *session); !ran) return exit_with(ran.error());
  if (!options.suite.quiet)
    fmt::print(session->recorder.text(), "profile {}: {}\n", profile->name, profile->description);
  return deliver_suite(*profile, items, *session, "termprobe run");
}

}  // namespace termprobe
