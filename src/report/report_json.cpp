#include <chrono>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/label_stats.h"
#include "report/report.h"

#include "report/client_table.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

// Over TLS: the TLS endings expected (null: not judged) and seen.
json tls_ending_verdict_json(const ScenarioVerdict& verdict) {
  if (!verdict.tls) return nullptr;
  json expected = nullptr;
  if (verdict.expected_tls_endings) expected = *verdict.expected_tls_endings;
  return {{"expected", std::move(expected)}, {"observed", verdict.observed_tls_endings}};
}

// Over HTTP/2: the stream endings expected (null: not judged) and seen.
json http2_ending_verdict_json(const ScenarioVerdict& verdict) {
  if (!verdict.http2) return nullptr;
  json expected = nullptr;
  if (verdict.expected_http2_endings) expected = *verdict.expected_http2_endings;
  return {{"expected", std::move(expected)}, {"observed", verdict.observed_http2_endings}};
}

// The statuses each label may come with (labels absent: any) and the (label, status) pairs seen.
json status_verdict_json(const ScenarioVerdict& verdict) {
  json expected = json::object();
  for (const auto& [label, ranges] : verdict.expected_statuses) {
    json texts = json::array();
    for (const auto& range : ranges) texts.push_back(status_text(range));
    expected[std::string(to_string(label))] = std::move(texts);
  }
  json observed = json::object();
  for (const auto& [key, count] : verdict.observed_statuses)
    observed[label_status_text(key.first, key.second)] = count;
  return {{"expected", std::move(expected)}, {"observed", std::move(observed)}};
}

// Idle entries: how the idle connection may end and when, and how it did.
json idle_verdict_json(const ScenarioVerdict& verdict) {
  if (!verdict.expected_idle) return nullptr;
  const IdleExpectation& want = *verdict.expected_idle;
  json endings = json::array();
  for (StreamEnd end : want.endings) endings.push_back(to_string(end));
  const auto seconds = [](const std::optional<double>& s) { return s ? json(*s) : json(nullptr); };
  json observed = json::object();
  for (const auto& [end, span] : verdict.observed_idle)
    observed[end] = {{"count", span.count}, {"min_us", span.min_us}, {"max_us", span.max_us}};
  return {
      {"expected",
       {{"endings", std::move(endings)}, {"low_s", seconds(want.low_s)}, {"high_s", seconds(want.high_s)}}},
      {"observed", std::move(observed)}};
}

// Reuse entries: the outcomes the second request may have, and those it had.
json reuse_verdict_json(const ScenarioVerdict& verdict) {
  if (!verdict.expected_reuse) return nullptr;
  return {{"expected", *verdict.expected_reuse}, {"observed", verdict.observed_reuse}};
}

json verdict_json(const ScenarioVerdict& verdict) {
  json expected = nullptr;
  if (verdict.expected) {
    expected = json::array();
    for (Label label : *verdict.expected) expected.push_back(to_string(label));
  }
  json observed = json::object();
  for (const auto& [label, count] : verdict.observed) observed[std::string(to_string(label))] = count;
  return {{"target", verdict.target},
          {"scenario", verdict.scenario},
          {"expected", std::move(expected)},
          {"observed", std::move(observed)},
          {"tls_ending", tls_ending_verdict_json(verdict)},
          {"http2_ending", http2_ending_verdict_json(verdict)},
          {"status", status_verdict_json(verdict)},
          {"idle_close", idle_verdict_json(verdict)},
          {"reuse", reuse_verdict_json(verdict)},
          {"verdict", to_string(verdict.verdict)},
          {"note", verdict.note}};
}

json percentiles_json(const Percentiles& p) {
  const auto value = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"p50", value(p.p50)}, {"p90", value(p.p90)}, {"p99", value(p.p99)}};
}

}  // namespace

json summary_json(std::size_t total, std::size_t requested, const std::map<std::string, std::size_t>& labels,
                  const std::map<Label, LabelStats>& label_stats) {
  json by_label = json::object();
  for (const auto& [label, stats] : label_stats) {
    by_label[std::string(to_string(label))] = {{"count", stats.count},
                                               {"share", stats.share},
                                               {"meaning", label_meaning(label)},
                                               {"first_byte_us", percentiles_json(stats.first_byte_us)},
                                               {"ended_us", percentiles_json(stats.ended_us)},
                                               {"clients", client_table_json(label)}};
  }
  return {{"total", total}, {"requested", requested}, {"labels", labels}, {"by_label", std::move(by_label)}};
}

namespace {

json targets_json(const Report& report) {
  json targets = json::array();
  for (const auto& target : report.targets) {
    const auto labels = report.tally.label_counts(target);
    std::size_t total = 0;
    for (const auto& [label, count] : labels) total += count;
    targets.push_back({{"target", target}, {"total", total}, {"labels", labels}});
  }
  return targets;
}

json capture_summary_json(const CaptureSummary& capture) {
  return {{"file", capture.file},
          {"interface", capture.interface},
          {"filter", capture.filter},
          {"packets", capture.packets},
          {"dropped", capture.dropped},
          {"compared", capture.compared},
          {"disagreements", capture.disagreements},
          {"not_compared", capture.not_compared}};
}

// Everything but the entries: "results" is an empty array to fill.
json document_without_results(const Report& report) {
  json out = {{"schema_version", kReportSchemaVersion},
              {"tool", {{"name", "termprobe"}, {"version", report.tool_version}}},
              {"command", report.command},
              {"started_at", report.started_at},
              {"targets", targets_json(report)},
              {"interrupted", report.interrupted},
              {"results", json::array()},
              {"summary", summary_json(report.tally.total(), report.requested, report.tally.label_counts(),
                                       report.tally.label_stats())}};
  if (report.capture) out["summary"]["capture"] = capture_summary_json(*report.capture);
  if (!report.profile.empty()) out["profile"] = report.profile;
  if (!report.verdicts.empty()) {
    out["verdicts"] = json::array();
    for (const auto& verdict : report.verdicts) out["verdicts"].push_back(verdict_json(verdict));
  }
  return out;
}

}  // namespace

std::string nested_dump(const json& value, int depth) {
  std::string text = value.dump(2);
  const std::string indent(static_cast<std::size_t>(2 * depth), ' ');
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    text.insert(at + 1, indent);
    at += indent.size();
  }
  return text;
}

Result<void> write_report_layout(const json& document, bool any_results, const ResultsWriter& write_results,
                                 const TextSink& sink) {
  std::string text = "{";
  bool first = true;
  for (const auto& [key, value] : document.items()) {
    text += first ? "\n  " : ",\n  ";
    first = false;
    text += json(key).dump() + ": ";
    if (key != "results") {
      text += nested_dump(value, 1);
    } else if (!any_results) {
      text += "[]";
    } else {
      text += "[";
      if (auto written = sink(text); !written) return written;
      if (auto copied = write_results(sink); !copied) return copied;
      text = "\n  ]";
    }
  }
  text += "\n}\n";
  return sink(text);
}

Result<void> write_report_json(const Report& report, EntrySpill& entries, const TextSink& sink) {
  return write_report_layout(
      document_without_results(report), entries.size() != 0,
      [&](const TextSink& into) { return entries.copy_to(into); }, sink);
}

std::string utc_timestamp_us(std::int64_t unix_us) {
  const std::time_t seconds = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:06d}Z", text, unix_us % 1'000'000);
}

std::string utc_timestamp_now() {
  return utc_timestamp_us(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

}  // namespace termprobe
