#include "cli/probe_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/interrupt.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "cli/terminal.h"
#include "clients/client_replay.h"
#include "common/closest_name.h"
#include "common/target_url.h"
#include "report/expectation.h"
#include "report/label_stats.h"
#include "report/profile.h"
#include "report/report.h"
#include "report/summary_text.h"
#include "report/verdict.h"
#include "report/verdict_table.h"

namespace termprobe {
namespace {

std::string check_label(const std::string& text) {
  std::set<Label> labels;
  StatusRules statuses;
  auto added = add_expected_label(text, labels, statuses);
  if (added) return "";
  const std::string label = text.substr(0, text.find('/'));
  if (label_from_string(label)) return added.error().message;  // the label is fine, its status is not
  if (auto near = closest_name(label, label_names()))
    return fmt::format("'{}' is not a label: did you mean {}?", label, *near);
  return fmt::format("'{}' is not a label (labels: {})", label, fmt::join(label_names(), ", "));
}

// -d and --data-binary in the order they were given, as curl joins them.
std::vector<DataPart> data_parts_in_order(CLI::App* probe, const CLI::Option* data,
                                          const CLI::Option* data_binary) {
  std::vector<DataPart> parts;
  std::size_t next_data = 0;
  std::size_t next_binary = 0;
  for (const CLI::Option* option : probe->parse_order()) {
    if (option == data) parts.push_back({data->results().at(next_data++), false});
    if (option == data_binary) parts.push_back({data_binary->results().at(next_binary++), true});
  }
  return parts;
}

// --expect judged as run and check judge: one verdict, in the report too.
void judge_expectation(Report& report, const std::vector<std::string>& expect, const std::string& scenario) {
  if (expect.empty()) return;
  Expectation expectation;
  expectation.note = "--expect";
  std::set<Label> labels;
  for (const auto& text : expect)
    (void)add_expected_label(text, labels, expectation.statuses);  // checked by --expect's validator
  expectation.labels = std::move(labels);
  Profile profile;
  profile.name = "probe --expect";
  profile.scenarios[scenario] = std::move(expectation);
  report.profile = profile.name;
  report.verdicts = judge(profile, {scenario}, report.tally, report.targets.front());
}

// unreachable: why the first connection failed, for the note.
int exit_code_for(const Report& report, const std::string& unreachable) {
  if (report.interrupted) return kExitInterrupted;
  if (report.tally.total() > 0 && !report.tally.any_connected()) {
    print_note(fmt::format("cannot reach {}: {}", report.targets.front(), unreachable));
    return kExitUnreachable;
  }
  if (!all_held(report.verdicts)) {
    // probe judges one scenario of one target: its verdict is the whole story.
    const ScenarioVerdict& verdict = report.verdicts.front();
    print_note(fmt::format("--expect failed: expected {}, observed {}", expected_text(verdict),
                           observed_text(verdict)));
    return kExitMismatch;
  }
  return kExitSuccess;
}

// --clients: each client's row as it is done, all of them on the run's first entry.
Result<void> replay_clients(const ProbeOptions& options, const ProbeSpec& spec, const TargetUrl& target,
                            ReportRecorder& recorder) {
  if (options.clients.empty()) return {};
  auto clients = parse_client_list(options.clients);
  if (!clients) return tl::unexpected(clients.error());
  std::FILE* lines = recorder.text();
  fmt::print(lines,
             "each client made the request once, through a relay that passes on the server's endings as they "
             "came:\n");
  std::fflush(lines);
  const Redaction& redaction = recorder.redaction();
  const auto shown = [&](ClientVerdict verdict) {
    if (verdict.error) {
      verdict.error->message = redaction.urls(verdict.error->message);
      for (std::string& cause : verdict.error->cause) cause = redaction.urls(cause);
    }
    return verdict;
  };
  std::vector<ClientVerdict> verdicts;
  auto replayed =
      replay_with_clients(spec, target, *clients, install_stop_handlers(), [&](const ClientVerdict& verdict) {
        verdicts.push_back(shown(verdict));
        fmt::print(lines, "  {}\n", format_client_line(verdicts.back()));
        std::fflush(lines);
      });
  if (!replayed) return tl::unexpected(replayed.error());
  recorder.attach_clients(std::make_shared<const std::vector<ClientVerdict>>(std::move(verdicts)));
  fmt::print(lines, "termprobe's own probe of the same request:\n");
  return {};
}

EngineOptions engine_options_from(const ProbeOptions& options) {
  EngineOptions engine;
  engine.max_in_flight = options.concurrency;
  engine.rate = options.rate;
  engine.spread_loopback_sources = options.spread_sources;
  engine.threads = options.threads;
  return engine;
}

// The request and its deadlines, as probe and clients both take them.
void add_request_options(CLI::App* command, ProbeOptions& o) {
  command->option_defaults()->always_capture_default();
  command->add_option("url", o.url, "http:// or https:// URL to probe")->required();
  command->add_option("-X,--method", o.request.method, "Request method (default GET, or POST with a body)")
      ->check(method_check());
  command->add_option("-H,--header", o.request.headers, "Extra request header 'Name: value' (repeatable)")
      ->check(header_check());
  auto* data = command->add_option("-d,--data", o.data_text,
                                   "Request body as curl's -d: TEXT, or @FILE without its CR/LF; several "
                                   "join with '&'; Content-Type: application/x-www-form-urlencoded");
  auto* data_binary =
      command->add_option("--data-binary", o.data_binary_text,
                          "Request body as curl's --data-binary: TEXT or @FILE, bytes as they "
                          "are (joins -d with '&', same Content-Type)");
  command->callback(
      [&o, command, data, data_binary] { o.request.data = data_parts_in_order(command, data, data_binary); });
  command
      ->add_option("--body-bytes", o.request.body_bytes,
                   "Synthetic body: N bytes of 'x', Content-Type: application/octet-stream (size suffixes k, "
                   "M, G, kB, MB, GB)")
      ->transform(number_check(kBodyBytesRule))
      ->excludes(data)
      ->excludes(data_binary);
  command
      ->add_option("--upload-rate", o.request.upload_rate,
                   "Limit the body upload to N bytes/s (0 = unlimited; suffixes as --body-bytes)")
      ->transform(number_check(kUploadRateRule));
  command
      ->add_option("--rounds", o.rounds,
                   "Requests per connection, the next as soon as the last is answered (HTTP/2: --streams "
                   "streams a round); every round but the last is reported as kept open. clients: each "
                   "client makes the request N times on one client, reusing its connection")
      ->transform(number_check(kRoundsRule));
  command
      ->add_option("--timeout,--max-time", o.timeout_s,
                   "Seconds allowed for the request and response, connecting included (or 500ms, 2m). "
                   "--max-time: curl's name for it; the --watch after a response is not counted")
      ->transform(number_check(kTimeoutRule));
  command->add_option("--watch", o.watch_s, "Seconds to watch the connection after a complete response")
      ->transform(number_check(kWatchRule));
  add_connect_and_fin_watch_options(command, o.connect_timeout_s, o.fin_watch_s);
  add_connection_options(command, o.connection);
  add_redaction_options(command, o.redaction);
  add_report_file_options(command, o.json_path, o.html_path);
  command->add_flag("-q,--quiet", o.quiet, "No line per connection; only the summary");
  command->footer(kExitCodesHelp);
}

CLI::Validator client_list_check() {
  return CLI::Validator(
      [](const std::string& text) {
        auto list = parse_client_list(text);
        return list ? std::string() : list.error().message;
      },
      "all|CLIENT[,CLIENT...]");
}

}  // namespace

CLI::App* add_probe_command(CLI::App& app, ProbeOptions& o) {
  CLI::App* probe =
      app.add_subcommand("probe", "Probe one URL and report how the server ended each connection");
  add_request_options(probe, o);
  probe->add_option("-n,--count,--repeat", o.count, "Probe N times, a fresh connection each")
      ->transform(number_check({.low = 1, .high = 1'000'000, .unit = "connections", .whole = true}));
  probe->add_option("--threads", o.threads, "Event loops (threads) sharing the connections; one report")
      ->transform(number_check({.low = 1, .high = 64, .unit = "threads", .whole = true}));
  add_concurrency_option(probe, o.concurrency);
  probe->add_option("--rate", o.rate, "Start at most R connections per second (0 = no limit)")
      ->transform(number_check(kRateRule));
  probe
      ->add_option("--format", o.format,
                   "text (a line per connection; 'lines' still works), or ndjson: one JSON object per "
                   "finished connection on stdout")
      ->transform(format_check("lines"));
  probe->add_flag(
      "--spread-sources", o.spread_sources,
      "For 127.x targets, bind each connection to another 127.0.0.N (avoids TIME_WAIT port exhaustion)");
  probe
      ->add_option("--expect", o.expect,
                   "Acceptable LABEL or LABEL/STATUS (keepalive/200, close_after_response/2xx); exit 1 when "
                   "any connection ends otherwise")
      ->delimiter(',')
      ->check(CLI::Validator(check_label, "LABEL[/STATUS]"));
  probe
      ->add_option("--clients", o.clients,
                   "Also make the request once with each real client (all, or a list: curl,python-requests,"
                   "node-fetch,...) and report what each raised (see termprobe clients)")
      ->check(client_list_check());
  return probe;
}

CLI::App* add_clients_command(CLI::App& app, ProbeOptions& o) {
  CLI::App* clients = app.add_subcommand(
      "clients",
      "Make the same request with each real client (curl, Python, Node.js, Go, Java, Chromium) and report "
      "what "
      "each raised, beside termprobe's own probe and the wire label of each client's connections");
  add_request_options(clients, o);
  o.clients = "all";
  clients
      ->add_option(
          "--clients", o.clients,
          "Which clients: all, or a list (curl,python-requests,python-httpx,python-aiohttp,node-fetch,"
          "node-http,go,java,chromium)")
      ->check(client_list_check());
  return clients;
}

std::optional<ProbeSpec> probe_spec_from(const ProbeOptions& options, const TargetUrl& target) {
  if (options.request.upload_rate > 0 && !has_body(options.request)) {
    print_error("--upload-rate needs a body: add --data TEXT, --data-binary @FILE or --body-bytes N");
    return std::nullopt;
  }
  ProbeSpec spec;
  spec.url = target.url;
  if (auto built = build_request(options.request, spec); !built) {
    print_error(built.error().message);
    return std::nullopt;
  }
  spec.timeout = seconds_to_ms(options.timeout_s);
  spec.connect_timeout = seconds_to_ms(options.connect_timeout_s);
  spec.watch = seconds_to_ms(options.watch_s);
  spec.fin_watch = seconds_to_ms(options.fin_watch_s);
  spec.rounds = options.rounds;
  if (!apply_connection_options(options.connection, spec)) return std::nullopt;
  return spec;
}

int run_probe_command(const ProbeOptions& options, const std::vector<std::string>& command_line) {
  const Redaction redaction = redaction_from(options.redaction);
  auto target = parse_target_url(options.url);
  if (!target) return exit_with(redacted(target.error(), redaction));
  const auto made = probe_spec_from(options, *target);
  if (!made) return kExitUsage;
  const ProbeSpec& spec = *made;
  if (!options.clients.empty() && spec.local_ports.low != 0) {
    print_error(
        "--local-port does not go with clients: each client connects through termprobe's relay, so "
        "the port would be the relay's, not the client's");
    return kExitUsage;
  }
  auto recorder = ReportRecorder::open(command_line, redaction, options.json_path, options.html_path,
                                       options.format == "ndjson");
  if (!recorder) return exit_with(recorder.error());
  if (auto capturing = recorder->capture_to(options.connection); !capturing)
    return exit_with(capturing.error());
  Report& report = recorder->report();
  const std::string shown_url = redaction.urls(target->url);  // the target's name in every output
  report.targets = {shown_url};
  const std::string scenario = "probe";
  std::FILE* lines = recorder->text();
  std::string unreachable;
  // Drawn on stderr when it is a terminal, and erased before each line and the summary.
  ProgressLine progress(options.count);
  const auto on_entry = [&](const ReportEntry& entry) {
    const Observation& o = entry.observation;
    if (report.tally.total() == 0) unreachable = o.error.empty() ? std::string(to_string(o.end)) : o.error;
    if (!options.quiet) {
      progress.clear();
      fmt::print(lines, "{}\n", format_entry_line(report.tally.total() + 1, entry));
      std::fflush(lines);
    }
    progress.count(entry.outcome.label);
    if (recorder->ndjson()) progress.clear();  // the ndjson line comes next, on a line of its own
  };
  if (auto replayed = replay_clients(options, spec, *target, *recorder); !replayed)
    return exit_with(replayed.error());
  const auto name_of = [&](const ProbeId&) { return EntryName{shown_url, scenario, target->url}; };
  const auto started = std::chrono::steady_clock::now();
  if (auto ran = recorder->run(engine_options_from(options), {{spec, options.count}}, name_of, on_entry);
      !ran)
    return exit_with(ran.error());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  progress.clear();
  fmt::print(lines, "{}{}\n{}", format_summary_line(report), format_pace(elapsed, report.tally.connections()),
             format_label_meanings(labels_seen(report)));
  if (report.tally.total() > 1) fmt::print(lines, "{}", format_label_stats(report.tally.label_stats()));
  judge_expectation(report, options.expect, scenario);
  if (auto written = recorder->commit(); !written) return exit_with(written.error());
  return recorder->exit_code(exit_code_for(report, unreachable));
}

}  // namespace termprobe
