#include <chrono>
#include <ctime>
#include <map>

#include "report/label_stats.h"
#include "report/report.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

json optional_number(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json endpoint_json(const Endpoint& endpoint) {
  return {{"address", endpoint.address.empty() ? json(nullptr) : json(endpoint.address)},
          {"port", endpoint.port == 0 ? json(nullptr) : json(endpoint.port)}};
}

json timings_json(const Timings& t) {
  return {{"connect", optional_number(t.connect_us)},
          {"tls", optional_number(t.tls_us)},
          {"request_sent", optional_number(t.request_sent_us)},
          {"first_byte", optional_number(t.first_byte_us)},
          {"response_complete", optional_number(t.response_complete_us)},
          {"ended", optional_number(t.ended_us)}};
}

json optional_text(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json request_json(const Observation& o) {
  return {{"method", o.method},
          {"head_bytes", o.head_bytes},
          {"head_complete", o.head_complete},
          {"bytes_sent", o.request_bytes_sent},
          {"bytes_acked", o.request_bytes_acked},
          {"body_bytes", o.body_bytes_total},
          {"body_bytes_sent", o.body_bytes_sent},
          {"body_bytes_acked", body_bytes_acked(o)},
          {"complete", o.request_complete}};
}

json http_version_json(int version) {
  if (version == 0) return nullptr;
  return std::to_string(version / 10) + "." + std::to_string(version % 10);
}

json response_json(const Observation& o) {
  return {{"status", o.status == 0 ? json(nullptr) : json(o.status)},
          {"http_version", http_version_json(o.http_version)},
          {"interim_responses", o.interim_responses},
          {"bytes", o.response_bytes},
          {"header_bytes", o.header_bytes},
          {"body_bytes", o.body_bytes},
          {"wire_bytes", o.wire_bytes_received},
          {"declared_length", optional_number(o.declared_length)},
          {"chunked", o.chunked},
          {"close_delimited", o.close_delimited},
          {"complete", o.response_complete},
          {"connection_close", o.connection_close},
          {"bytes_after_response", o.bytes_after_response},
          {"parse_error", optional_text(o.parse_error)},
          {"first_bytes_hex", optional_text(o.first_bytes_hex)},
          {"module", optional_text(o.module)}};
}

json ending_json(const Observation& o) {
  std::optional<std::int64_t> after_response;
  if (o.timings.ended_us && o.timings.response_complete_us)
    after_response = *o.timings.ended_us - *o.timings.response_complete_us;
  return {{"kind", to_string(o.end)},
          {"errno", o.end_errno},
          {"error", optional_text(o.error)},
          {"after_response_us", optional_number(after_response)},
          {"rst_after_fin_us", optional_number(o.rst_after_fin_us)},
          {"fin_watch_us", o.fin_watch_us},
          {"watch_cut_short", o.watch_cut_short},
          {"interrupted", o.interrupted}};
}

json reuse_json(const Observation& o, std::string_view outcome) {
  if (!o.reused) return nullptr;
  const auto micros = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"idle_us", micros(o.reuse_idle_us)},
          {"closed_before_reuse",
           o.closed_before_reuse == StreamEnd::open ? json(nullptr) : json(to_string(o.closed_before_reuse))},
          {"closed_before_reuse_us", micros(o.closed_before_reuse_us)},
          {"outcome", outcome}};
}

json outcome_json(const Outcome& outcome) {
  json out = {{"phase", to_string(outcome.phase)},
              {"ending", to_string(outcome.ending)},
              {"label", to_string(outcome.label)},
              {"announced", outcome.announced}};
  if (outcome.phase == Phase::upload) out["response_before_abort"] = outcome.response_before_abort;
  return out;
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
          {"verdict", to_string(verdict.verdict)},
          {"note", verdict.note}};
}

std::map<std::string, std::size_t> label_counts(const Report& report, const std::string* target) {
  std::map<std::string, std::size_t> labels;
  for (const auto& entry : report.results) {
    if (target == nullptr || entry.target == *target) ++labels[std::string(to_string(entry.outcome.label))];
  }
  return labels;
}

json percentiles_json(const Percentiles& p) {
  const auto value = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"p50", value(p.p50)}, {"p90", value(p.p90)}, {"p99", value(p.p99)}};
}

json summary_json(const Report& report) {
  json by_label = json::object();
  for (const auto& [label, stats] : label_stats(report.results)) {
    by_label[std::string(to_string(label))] = {{"count", stats.count},
                                               {"share", stats.share},
                                               {"first_byte_us", percentiles_json(stats.first_byte_us)},
                                               {"ended_us", percentiles_json(stats.ended_us)}};
  }
  return {{"total", report.results.size()},
          {"requested", report.requested},
          {"labels", label_counts(report, nullptr)},
          {"by_label", std::move(by_label)}};
}

json targets_json(const Report& report) {
  json targets = json::array();
  for (const auto& target : report.targets) {
    const auto labels = label_counts(report, &target);
    std::size_t total = 0;
    for (const auto& [label, count] : labels) total += count;
    targets.push_back({{"target", target}, {"total", total}, {"labels", labels}});
  }
  return targets;
}

}  // namespace

json to_json(const ReportEntry& entry) {
  const Observation& o = entry.observation;
  return {{"target", entry.target},
          {"scenario", entry.scenario},
          {"url", entry.url},
          {"repeat", entry.repeat},
          {"local", endpoint_json(o.local)},
          {"remote", endpoint_json(o.remote)},
          {"request", request_json(o)},
          {"response", response_json(o)},
          {"ending", ending_json(o)},
          {"timings_us", timings_json(o.timings)},
          {"reused", o.reused},
          {"reuse", reuse_json(o, entry.outcome.reuse)},
          {"outcome", outcome_json(entry.outcome)}};
}

namespace {

// Everything but the entries: "results" is an empty array to fill.
json document_without_results(const Report& report) {
  json out = {{"schema_version", kReportSchemaVersion},
              {"tool", {{"name", "termprobe"}, {"version", report.tool_version}}},
              {"command", report.command},
              {"started_at", report.started_at},
              {"targets", targets_json(report)},
              {"interrupted", report.interrupted},
              {"results", json::array()},
              {"summary", summary_json(report)}};
  if (!report.profile.empty()) out["profile"] = report.profile;
  if (!report.verdicts.empty()) {
    out["verdicts"] = json::array();
    for (const auto& verdict : report.verdicts) out["verdicts"].push_back(verdict_json(verdict));
  }
  return out;
}

// dump(2) of a value that sits `depth` levels deep in the document.
std::string nested_dump(const json& value, int depth) {
  std::string text = value.dump(2);
  const std::string indent(static_cast<std::size_t>(2 * depth), ' ');
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    text.insert(at + 1, indent);
    at += indent.size();
  }
  return text;
}

}  // namespace

json to_json(const Report& report) {
  json out = document_without_results(report);
  for (const auto& entry : report.results) out["results"].push_back(to_json(entry));
  return out;
}

bool write_report_json(const Report& report, const std::function<bool(std::string_view)>& sink) {
  const json document = document_without_results(report);
  std::string text = "{";
  bool first = true;
  for (const auto& [key, value] : document.items()) {
    text += first ? "\n" : ",\n";
    first = false;
    text += "  " + json(key).dump() + ": ";
    if (key != "results") {
      text += nested_dump(value, 1);
      continue;
    }
    if (report.results.empty()) {
      text += "[]";
      continue;
    }
    text += "[";
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      text += (i == 0 ? "\n    " : ",\n    ") + nested_dump(to_json(report.results[i]), 2);
      if (text.size() > (1u << 16)) {
        if (!sink(text)) return false;
        text.clear();
      }
    }
    text += "\n  ]";
  }
  text += "\n}\n";
  return sink(text);
}

std::string utc_timestamp_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace termprobe
