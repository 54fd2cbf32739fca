#include "report_dom_oracle.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "probes/classifier.h"
#include "report/client_table.h"
#include "report/label_stats.h"

namespace termprobe::oracle {
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
          {"first_interim_byte", optional_number(t.first_interim_us)},
          {"first_byte", optional_number(t.first_byte_us)},
          {"response_complete", optional_number(t.response_complete_us)},
          {"ended", optional_number(t.ended_us)}};
}

json optional_text(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json request_headers_json(const Observation& o) {
  if (!o.request_headers) return nullptr;
  json fields = json::array();
  for (const auto& field : *o.request_headers)
    fields.push_back({{"name", field.name}, {"value", field.value}});
  return fields;
}

json optional_string(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

json request_json(const Observation& o) {
  return {{"method", o.method},
          {"headers", request_headers_json(o)},
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
  if (version == 20) return "2";
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
          {"module", optional_text(o.module)},
          {"headers",
           {{"server", optional_string(o.response_headers.server)},
            {"connection", optional_string(o.response_headers.connection)},
            {"keep-alive", optional_string(o.response_headers.keep_alive)}}}};
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

json tls_json(const Observation& o, std::string_view ending_kind) {
  if (!o.tls) return nullptr;
  const TlsFacts& t = o.tls_facts;
  json certificate = nullptr;
  if (!t.certificate_subject.empty())
    certificate = {{"subject", t.certificate_subject},
                   {"issuer", t.certificate_issuer},
                   {"not_after", optional_text(t.certificate_not_after)},
                   {"name_matched", t.name_matched ? json(*t.name_matched) : json(nullptr)},
                   {"verify_result", optional_text(t.verify_result)},
                   {"verified", t.verified}};
  json alert = nullptr;
  if (t.alert)
    alert = {{"level", t.alert->fatal ? "fatal" : "warning"},
             {"description", t.alert->description},
             {"code", t.alert->code},
             {"at_us", t.alert->at_us}};
  std::optional<std::int64_t> after_response;
  if (t.close_notify_us && o.timings.response_complete_us)
    after_response = *t.close_notify_us - *o.timings.response_complete_us;
  const json ending = {{"kind", optional_text(std::string(ending_kind))},
                       {"close_notify_us", optional_number(t.close_notify_us)},
                       {"close_notify_after_response_us", optional_number(after_response)},
                       {"bytes_after_close_notify", t.bytes_after_close_notify},
                       {"alert", alert},
                       {"local_error", optional_text(t.local_error)}};
  json failure = nullptr;
  if (!t.failure_kind.empty()) failure = {{"kind", t.failure_kind}, {"reason", t.failure}};
  return {{"established", o.tls_established},
          {"version", optional_text(t.version)},
          {"cipher", optional_text(t.cipher)},
          {"alpn_offered", t.alpn_offered},
          {"alpn", optional_text(t.alpn)},
          {"resumed", t.resumed},
          {"certificate", certificate},
          {"ending", ending},
          {"failure", failure}};
}

json http2_json(const Observation& o) {
  if (!o.http2) return nullptr;
  const Http2Facts& h2 = *o.http2;
  json reset = nullptr;
  if (h2.reset)
    reset = {{"code", h2.reset->code},
             {"name", h2.reset->code_name},
             {"when", h2.reset->when},
             {"body_bytes_before", h2.reset->body_bytes_before},
             {"at_us", h2.reset->at_us}};
  json goaways = json::array();
  for (const auto& g : h2.goaways)
    goaways.push_back({{"last_stream_id", g.last_stream_id},
                       {"code", g.code},
                       {"name", g.code_name},
                       {"debug", optional_text(g.debug)},
                       {"at_us", g.at_us}});
  json settings = json::object();
  for (const auto& [name, value] : h2.settings) settings[name] = value;
  return {{"stream_id", h2.stream_id},
          {"streams_on_connection", h2.streams_on_connection},
          {"end_stream", h2.end_stream},
          {"reset", reset},
          {"refused_by_goaway", h2.refused_by_goaway},
          {"goaways", goaways},
          {"goaways_total", h2.goaways_total},
          {"goaways_dropped", h2.goaways_dropped},
          {"settings", settings},
          {"local_error", optional_text(h2.local_error)}};
}

json outcome_json(const Outcome& outcome) {
  json out = {{"phase", to_string(outcome.phase)},
              {"ending", to_string(outcome.ending)},
              {"label", to_string(outcome.label)},
              {"announced", outcome.announced},
              {"announced_close_missed", outcome.announced_close_missed}};
  if (outcome.phase == Phase::upload) out["response_before_abort"] = outcome.response_before_abort;
  return out;
}

std::map<std::string, std::size_t> label_counts(const std::vector<ReportEntry>& results,
                                                const std::string* target) {
  std::map<std::string, std::size_t> labels;
  for (const auto& entry : results) {
    if (target == nullptr || entry.target == *target) ++labels[std::string(to_string(entry.outcome.label))];
  }
  return labels;
}

// Nearest rank over the sorted values, as the report kept them, then
// reported as the histogram does: the floor of that value's bucket.
json percentiles_json(std::vector<std::int64_t> values) {
  std::sort(values.begin(), values.end());
  const auto rank = [&](double fraction) {
    if (values.empty()) return json(nullptr);
    const auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))) - 1;
    return json(bucket_floor(values[std::min(index, values.size() - 1)]));
  };
  return {{"p50", rank(0.50)}, {"p90", rank(0.90)}, {"p99", rank(0.99)}};
}

}  // namespace

json summary_dom(const std::vector<ReportEntry>& results, std::size_t requested) {
  std::map<Label, std::size_t> counts;
  std::map<Label, std::vector<std::int64_t>> first_bytes;
  std::map<Label, std::vector<std::int64_t>> ends;
  for (const auto& entry : results) {
    const Label label = entry.outcome.label;
    ++counts[label];
    const auto& t = entry.observation.timings;
    if (t.first_byte_us) first_bytes[label].push_back(*t.first_byte_us);
    if (t.ended_us) ends[label].push_back(*t.ended_us);
  }
  json by_label = json::object();
  for (const auto& [label, count] : counts) {
    by_label[std::string(to_string(label))] = {
        {"count", count},
        {"share", static_cast<double>(count) / static_cast<double>(results.size())},
        {"meaning", label_meaning(label)},
        {"first_byte_us", percentiles_json(first_bytes[label])},
        {"ended_us", percentiles_json(ends[label])},
        {"clients", client_table_json(label)}};  // the embedded table's rows, the same for every report
  }
  return {{"total", results.size()},
          {"requested", requested},
          {"labels", label_counts(results, nullptr)},
          {"by_label", std::move(by_label)}};
}

json targets_dom(const std::vector<std::string>& targets, const std::vector<ReportEntry>& results) {
  json out = json::array();
  for (const auto& target : targets) {
    const auto labels = label_counts(results, &target);
    std::size_t total = 0;
    for (const auto& [label, count] : labels) total += count;
    out.push_back({{"target", target}, {"total", total}, {"labels", labels}});
  }
  return out;
}

json entry_dom(const ReportEntry& entry) {
  const Observation& o = entry.observation;
  json out = {
      {"target", entry.target}, {"scenario", entry.scenario}, {"url", entry.url}, {"repeat", entry.repeat}};
  if (o.started_unix_us > 0) out["started_at"] = utc_timestamp_us(o.started_unix_us);
  out["local"] = endpoint_json(o.local);
  out["remote"] = endpoint_json(o.remote);
  out["request"] = request_json(o);
  out["response"] = response_json(o);
  out["ending"] = ending_json(o);
  out["timings_us"] = timings_json(o.timings);
  out["tls"] = tls_json(o, entry.outcome.tls_ending);
  out["http2"] = http2_json(o);
  out["reused"] = o.reused;
  out["reuse"] = reuse_json(o, entry.outcome.reuse);
  out["outcome"] = outcome_json(entry.outcome);
  if (entry.clients) {
    out["clients"] = json::array();
    for (const ClientVerdict& c : *entry.clients) {
      json wires = json::array();
      for (const ClientWire& w : c.wire)
        wires.push_back({{"label", w.label.empty() ? json(nullptr) : json(w.label)},
                         {"ending", to_string(w.ending)},
                         {"client_closed_first", w.client_closed_first},
                         {"request_bytes", w.request_bytes},
                         {"response_bytes", w.response_bytes},
                         {"requests", w.requests ? json(*w.requests) : json(nullptr)}});
      json error = nullptr;
      if (c.error)
        error = {{"type", c.error->type}, {"message", c.error->message}, {"cause", c.error->cause}};
      out["clients"].push_back({{"client", c.client},
                                {"version", c.version.empty() ? json(nullptr) : json(c.version)},
                                {"outcome", c.outcome},
                                {"status", c.status ? json(*c.status) : json(nullptr)},
                                {"body_complete", c.body_complete ? json(*c.body_complete) : json(nullptr)},
                                {"error", error},
                                {"connections", c.connections},
                                {"requests", c.requests ? json(*c.requests) : json(nullptr)},
                                {"wire", wires}});
    }
  }
  return out;
}

std::string nested_dump(const json& value, int depth, json::error_handler_t on_bad_utf8) {
  std::string text = value.dump(2, ' ', false, on_bad_utf8);
  const std::string indent(static_cast<std::size_t>(2 * depth), ' ');
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    text.insert(at + 1, indent);
    at += indent.size();
  }
  return text;
}

}  // namespace termprobe::oracle
