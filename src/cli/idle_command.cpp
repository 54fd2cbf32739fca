#include "cli/idle_command.h"

#include <fmt/format.h>

#include "cli/command_expectation.h"
#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/option_checks.h"
#include "cli/report_output.h"
#include "common/target_url.h"
#include "probes/classifier.h"
#include "report/request_options.h"

namespace termprobe {
namespace {

// A server may say goodbye above TCP before it closes the socket: GOAWAY
// frames on HTTP/2, then close_notify on TLS, in that order on the wire.
// "sent GOAWAY(NO_ERROR, last stream 1) 2000.1 ms after the response, then ".
std::string goodbyes_before_close(const Observation& o) {
  const auto after_response_ms = [&](std::int64_t at_us) {
    return static_cast<double>(at_us - *o.timings.response_complete_us) / 1000.0;
  };
  std::string text;
  if (o.http2) {
    const auto& goaways = o.http2->goaways;
    for (std::size_t i = 0; i < goaways.size(); ++i) {
      const Http2Goaway& goaway = goaways[i];
      if (o.http2->goaways_dropped > 0 && i + 1 == goaways.size())
        text += fmt::format("sent {} more GOAWAY (not kept), then ", o.http2->goaways_dropped);
      text += fmt::format("sent GOAWAY({}, last stream {}) {:.1f} ms after the response, then ",
                          goaway.code_name, goaway.last_stream_id, after_response_ms(goaway.at_us));
    }
  }
  if (o.tls_facts.close_notify_us)
    text += fmt::format("sent close_notify {:.1f} ms after the response, then ",
                        after_response_ms(*o.tls_facts.close_notify_us));
  return text;
}

std::string verdict_line(const Observation& o, double max_s) {
  if (!o.connected) return fmt::format("could not connect: {}", o.error);
  if (!o.response_complete)
    return fmt::format("the request itself did not complete ({}): nothing to hold idle",
                       to_string(classify(o).label));
  if (o.end == StreamEnd::open && o.watch_cut_short) {
    const double idle_s = static_cast<double>(*o.timings.ended_us - *o.timings.response_complete_us) / 1e6;
    return fmt::format("still open after {:.1f} s idle, when interrupted (--max was {:.1f} s)", idle_s,
                       max_s);
  }
  if (o.end == StreamEnd::open) return fmt::format("still open after {:.1f} s idle (--max)", max_s);
  const double after_ms = static_cast<double>(*o.timings.ended_us - *o.timings.response_complete_us) / 1000.0;
  return fmt::format("server {}closed the idle connection with {} {:.1f} ms after the response{}",
                     goodbyes_before_close(o), o.end == StreamEnd::rst ? "RST" : "FIN", after_ms,
                     o.connection_close ? " (it had announced Connection: close)" : "");
}

}  // namespace

CLI::App* add_idle_command(CLI::App& app, IdleOptions& o) {
  CLI::App* idle = app.add_subcommand("idle",
                                      "One request, then hold the connection idle: when and how does the "
                                      "server close it?");
  idle->add_option("url", o.url, "http:// or https:// URL")->required();
  idle->add_option("-H,--header", o.headers, "Extra request header 'Name: value' (repeatable)")
      ->check(header_check());
  idle->add_option("--max", o.max_s, "Seconds to hold the connection idle at most")
      ->transform(number_check(kIdleMaxRule))
      ->capture_default_str();
  idle->add_option("--timeout,--max-time", o.timeout_s,
                   "Seconds allowed for the request and response, connecting included (--max-time: curl's "
                   "name); the idle hold is not counted")
      ->transform(number_check(kTimeoutRule));
  add_connect_and_fin_watch_options(idle, o.connect_timeout_s, o.fin_watch_s);
  idle->add_option("-n,--count,--repeat", o.count, "Hold N connections idle, a fresh one each")
      ->transform(number_check(kRepeatRule));
  add_concurrency_option(idle, o.concurrency);
  add_connection_options(idle, o.connection);
  add_redaction_options(idle, o.redaction);
  idle->add_option("--expect", o.expect,
                   "How and when the server must close the idle connection: close|fin|rst[:LOW-HIGH] "
                   "(seconds after the response, e.g. close:55-80), or open; exit 1 when it does not")
      ->check(idle_expectation_check());
  add_report_file_options(idle, o.json_path, o.html_path);
  idle->footer(kExitCodesHelp);
  return idle;
}

int run_idle_command(const IdleOptions& options, const std::vector<std::string>& command_line) {
  const Redaction redaction = redaction_from(options.redaction);
  auto target = parse_target_url(options.url);
  if (!target) return exit_with(redacted(target.error(), redaction));
  auto recorder = ReportRecorder::open(command_line, redaction, options.json_path, options.html_path);
  if (!recorder) return exit_with(recorder.error());
  if (auto capturing = recorder->capture_to(options.connection); !capturing)
    return exit_with(capturing.error());
  const std::string shown_url = redaction.urls(target->url);  // the target's name in every output
  recorder->report().targets = {shown_url};
  ProbeSpec spec;
  spec.url = target->url;
  RequestOptions request;  // a GET with the user's headers
  request.headers = options.headers;
  (void)build_request(request, spec);  // no data file: it cannot fail
  spec.timeout = seconds_to_ms(options.timeout_s);
  spec.connect_timeout = seconds_to_ms(options.connect_timeout_s);
  spec.watch = seconds_to_ms(options.max_s);
  spec.fin_watch = seconds_to_ms(options.fin_watch_s);
  if (!apply_connection_options(options.connection, spec)) return kExitUsage;
  const std::string scenario = "idle";
  bool any_connected = false;
  const auto name_of = [&](const ProbeId&) { return EntryName{shown_url, scenario, target->url}; };
  const auto on_entry = [&](const ReportEntry& entry) {
    const Observation& o = entry.observation;
    any_connected = any_connected || o.connected;
    const std::string number = options.count > 1 ? fmt::format("#{} ", entry.repeat + 1) : "";
    fmt::print(recorder->text(), "{}{}\n", number, verdict_line(o, options.max_s));
  };
  EngineOptions engine;
  engine.max_in_flight = options.concurrency;
  if (auto ran = recorder->run(engine, {{spec, options.count}}, name_of, on_entry); !ran)
    return exit_with(ran.error());
  bool held = true;
  if (!options.expect.empty() && !recorder->report().interrupted) {
    Expectation expectation;
    expectation.idle = *parse_idle_expectation(options.expect);  // checked by CLI11
    held = judge_command(*recorder, expectation, {scenario});
  }
  if (auto written = recorder->commit(); !written) return exit_with(written.error());
  if (recorder->report().interrupted) return kExitInterrupted;
  if (!any_connected) return kExitUnreachable;
  return recorder->exit_code(held ? kExitSuccess : kExitMismatch);
}

}  // namespace termprobe
