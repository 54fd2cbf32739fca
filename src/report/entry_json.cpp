#include "report/entry_json.h"

#include "report/report_facts.h"

namespace termprobe {
namespace {

void write_endpoint(JsonTextWriter& json, const Endpoint& endpoint) {
  json.open_object();
  json.key("address").text_or_null(endpoint.address);
  if (endpoint.port == 0)
    json.key("port").null();
  else
    json.key("port").value(endpoint.port);
  json.close_object();
}

void write_request_headers(JsonTextWriter& json, const Observation& o) {
  if (!o.request_headers) return json.null();
  json.open_array();
  for (const auto& field : *o.request_headers) {
    json.element().open_object();
    json.key("name").value(field.name);
    json.key("value").value(field.value);
    json.close_object();
  }
  json.close_array();
}

void write_request(JsonTextWriter& json, const Observation& o) {
  json.open_object();
  json.key("method").value(o.method);
  write_request_headers(json.key("headers"), o);
  json.key("head_bytes").value(o.head_bytes);
  json.key("head_complete").value(o.head_complete);
  json.key("bytes_sent").value(o.request_bytes_sent);
  json.key("bytes_acked").value(o.request_bytes_acked);
  json.key("body_bytes").value(o.body_bytes_total);
  json.key("body_bytes_sent").value(o.body_bytes_sent);
  json.key("body_bytes_acked").value(body_bytes_acked(o));
  json.key("complete").value(o.request_complete);
  json.close_object();
}

void write_http_version(JsonTextWriter& json, int version) {
  if (version == 0) return json.null();
  if (version == 20) return json.value("2");
  const char text[] = {static_cast<char>('0' + version / 10), '.', static_cast<char>('0' + version % 10)};
  json.value(std::string_view(text, sizeof(text)));
}

void write_noted_headers(JsonTextWriter& json, const NotedHeaders& headers) {
  json.open_object();
  json.key("server").value_or_null(headers.server);
  json.key("connection").value_or_null(headers.connection);
  json.key("keep-alive").value_or_null(headers.keep_alive);
  json.close_object();
}

// Present only when the engine kept it (-v): a run without it writes nothing more.
void write_response_head(JsonTextWriter& json, const ResponseHead& head) {
  json.open_object();
  json.key("lines").open_array();
  for (const auto& line : head.lines) json.element().value(line);
  json.close_array();
  if (head.cut)
    json.key("cut_at").value(static_cast<std::int64_t>(kResponseHeadKept));
  else
    json.key("cut_at").null();
  json.close_object();
}

void write_response(JsonTextWriter& json, const Observation& o) {
  json.open_object();
  if (o.status == 0)
    json.key("status").null();
  else
    json.key("status").value(o.status);
  write_http_version(json.key("http_version"), o.http_version);
  json.key("interim_responses").value(o.interim_responses);
  json.key("bytes").value(o.response_bytes);
  json.key("header_bytes").value(o.header_bytes);
  json.key("body_bytes").value(o.body_bytes);
  json.key("wire_bytes").value(o.wire_bytes_received);
  json.key("declared_length").value(o.declared_length);
  json.key("chunked").value(o.chunked);
  json.key("close_delimited").value(o.close_delimited);
  json.key("complete").value(o.response_complete);
  json.key("connection_close").value(o.connection_close);
  json.key("bytes_after_response").value(o.bytes_after_response);
  json.key("parse_error").text_or_null(o.parse_error);
  json.key("first_bytes_hex").text_or_null(o.first_bytes_hex);
  json.key("module").text_or_null(o.module);
  write_noted_headers(json.key("headers"), o.response_headers);
  if (o.response_head) write_response_head(json.key("head"), *o.response_head);
  json.close_object();
}

void write_ending(JsonTextWriter& json, const Observation& o) {
  const std::optional<std::int64_t> after_response = after_response_us(o.timings);
  json.open_object();
  json.key("kind").value(to_string(o.end));
  json.key("errno").value(o.end_errno);
  json.key("error").text_or_null(o.error);
  json.key("after_response_us").value(after_response);
  json.key("rst_after_fin_us").value(o.rst_after_fin_us);
  json.key("fin_watch_us").value(o.fin_watch_us);
  json.key("watch_cut_short").value(o.watch_cut_short);
  json.key("interrupted").value(o.interrupted);
  json.close_object();
}

void write_timings(JsonTextWriter& json, const Timings& t) {
  json.open_object();
  json.key("connect").value(t.connect_us);
  json.key("tls").value(t.tls_us);
  json.key("request_sent").value(t.request_sent_us);
  json.key("first_interim_byte").value(t.first_interim_us);
  json.key("first_byte").value(t.first_byte_us);
  json.key("response_complete").value(t.response_complete_us);
  json.key("ended").value(t.ended_us);
  json.close_object();
}

void write_reuse(JsonTextWriter& json, const Observation& o, std::string_view outcome) {
  if (!o.reused) return json.null();
  json.open_object();
  json.key("idle_us").value(o.reuse_idle_us);
  if (o.closed_before_reuse == StreamEnd::open)
    json.key("closed_before_reuse").null();
  else
    json.key("closed_before_reuse").value(to_string(o.closed_before_reuse));
  json.key("closed_before_reuse_us").value(o.closed_before_reuse_us);
  json.key("outcome").value(outcome);
  json.close_object();
}

void write_certificate(JsonTextWriter& json, const TlsFacts& tls) {
  if (tls.certificate_subject.empty()) return json.null();
  json.open_object();
  json.key("subject").value(tls.certificate_subject);
  json.key("issuer").value(tls.certificate_issuer);
  json.key("not_after").text_or_null(tls.certificate_not_after);
  if (tls.name_matched)
    json.key("name_matched").value(*tls.name_matched);
  else
    json.key("name_matched").null();
  json.key("verify_result").text_or_null(tls.verify_result);
  json.key("verified").value(tls.verified);
  json.close_object();
}

void write_tls_alert(JsonTextWriter& json, const std::optional<TlsAlert>& alert) {
  if (!alert) return json.null();
  json.open_object();
  json.key("level").value(alert->fatal ? "fatal" : "warning");
  json.key("description").value(alert->description);
  json.key("code").value(alert->code);
  json.key("at_us").value(alert->at_us);
  json.close_object();
}

void write_tls_ending(JsonTextWriter& json, const Observation& o, std::string_view kind) {
  const TlsFacts& tls = o.tls_facts;
  std::optional<std::int64_t> close_notify_after_response;
  if (tls.close_notify_us && o.timings.response_complete_us)
    close_notify_after_response = *tls.close_notify_us - *o.timings.response_complete_us;
  json.open_object();
  json.key("kind").text_or_null(kind);
  json.key("close_notify_us").value(tls.close_notify_us);
  json.key("close_notify_after_response_us").value(close_notify_after_response);
  json.key("bytes_after_close_notify").value(tls.bytes_after_close_notify);
  write_tls_alert(json.key("alert"), tls.alert);
  json.key("local_error").text_or_null(tls.local_error);
  json.close_object();
}

void write_tls_failure(JsonTextWriter& json, const TlsFacts& tls) {
  if (tls.failure_kind.empty()) return json.null();
  json.open_object();
  json.key("kind").value(tls.failure_kind);
  json.key("reason").value(tls.failure);
  json.close_object();
}

void write_tls(JsonTextWriter& json, const Observation& o, std::string_view ending) {
  if (!o.tls) return json.null();
  const TlsFacts& tls = o.tls_facts;
  json.open_object();
  json.key("established").value(o.tls_established);
  json.key("version").text_or_null(tls.version);
  json.key("cipher").text_or_null(tls.cipher);
  json.key("alpn_offered").open_array();
  for (const auto& protocol : tls.alpn_offered) json.element().value(protocol);
  json.close_array();
  json.key("alpn").text_or_null(tls.alpn);
  json.key("resumed").value(tls.resumed);
  write_certificate(json.key("certificate"), tls);
  write_tls_ending(json.key("ending"), o, ending);
  write_tls_failure(json.key("failure"), tls);
  json.close_object();
}

void write_http2_reset(JsonTextWriter& json, const std::optional<Http2Reset>& reset) {
  if (!reset) return json.null();
  json.open_object();
  json.key("code").value(static_cast<std::int64_t>(reset->code));
  json.key("name").value(reset->code_name);
  json.key("when").value(reset->when);
  json.key("body_bytes_before").value(reset->body_bytes_before);
  json.key("at_us").value(reset->at_us);
  json.close_object();
}

void write_http2_goaways(JsonTextWriter& json, const std::vector<Http2Goaway>& goaways) {
  json.open_array();
  for (const auto& goaway : goaways) {
    json.element().open_object();
    json.key("last_stream_id").value(static_cast<std::int64_t>(goaway.last_stream_id));
    json.key("code").value(static_cast<std::int64_t>(goaway.code));
    json.key("name").value(goaway.code_name);
    json.key("debug").text_or_null(goaway.debug);
    json.key("at_us").value(goaway.at_us);
    json.close_object();
  }
  json.close_array();
}

void write_http2(JsonTextWriter& json, const Observation& o) {
  if (!o.http2) return json.null();
  const Http2Facts& h2 = *o.http2;
  json.open_object();
  json.key("stream_id").value(static_cast<std::int64_t>(h2.stream_id));
  json.key("streams_on_connection").value(static_cast<std::int64_t>(h2.streams_on_connection));
  json.key("end_stream").value(h2.end_stream);
  write_http2_reset(json.key("reset"), h2.reset);
  json.key("refused_by_goaway").value(h2.refused_by_goaway);
  write_http2_goaways(json.key("goaways"), h2.goaways);
  json.key("goaways_total").value(h2.goaways_total);
  json.key("goaways_dropped").value(h2.goaways_dropped);
  json.key("settings").open_object();
  for (const auto& [name, value] : h2.settings) json.key(name).value(static_cast<std::int64_t>(value));
  json.close_object();
  json.key("local_error").text_or_null(h2.local_error);
  json.close_object();
}

void write_outcome(JsonTextWriter& json, const Outcome& outcome) {
  json.open_object();
  json.key("phase").value(to_string(outcome.phase));
  json.key("ending").value(to_string(outcome.ending));
  json.key("label").value(to_string(outcome.label));
  json.key("announced").value(outcome.announced);
  json.key("announced_close_missed").value(outcome.announced_close_missed);
  if (outcome.phase == Phase::upload) json.key("response_before_abort").value(outcome.response_before_abort);
  json.close_object();
}

void write_client_error(JsonTextWriter& json, const std::optional<ClientError>& error) {
  if (!error) return json.null();
  json.open_object();
  json.key("type").value(error->type);
  json.key("message").value(error->message);
  json.key("cause").open_array();
  for (const std::string& cause : error->cause) json.element().value(cause);
  json.close_array();
  json.close_object();
}

void write_client_wire(JsonTextWriter& json, const ClientWire& wire) {
  json.open_object();
  json.key("label").text_or_null(wire.label);
  json.key("ending").value(to_string(wire.ending));
  json.key("client_closed_first").value(wire.client_closed_first);
  json.key("request_bytes").value(wire.request_bytes);
  json.key("response_bytes").value(wire.response_bytes);
  json.key("requests").value(wire.requests ? std::optional<std::int64_t>(*wire.requests) : std::nullopt);
  json.close_object();
}

void write_client(JsonTextWriter& json, const ClientVerdict& client) {
  json.open_object();
  json.key("client").value(client.client);
  json.key("version").text_or_null(client.version);
  json.key("outcome").value(client.outcome);
  json.key("status").value(client.status ? std::optional<std::int64_t>(*client.status) : std::nullopt);
  if (client.body_complete)
    json.key("body_complete").value(*client.body_complete);
  else
    json.key("body_complete").null();
  write_client_error(json.key("error"), client.error);
  json.key("connections").value(client.connections);
  json.key("requests").value(client.requests ? std::optional<std::int64_t>(*client.requests) : std::nullopt);
  json.key("wire").open_array();
  for (const ClientWire& wire : client.wire) write_client_wire(json.element(), wire);
  json.close_array();
  json.close_object();
}

void write_side_ending(JsonTextWriter& json, const SideEnding& side) {
  json.open_object();
  json.key("first_fin_us").value(side.fin_us);
  json.key("first_rst_us").value(side.rst_us);
  json.close_object();
}

void write_capture(JsonTextWriter& json, const CaptureCheck& check) {
  json.open_object();
  json.key("found").value(check.found);
  if (check.found) {
    json.key("times_from").value("syn");
    write_side_ending(json.key("server"), check.packets.server_end);
    write_side_ending(json.key("client"), check.packets.client_end);
    json.key("server_bytes_before_end").value(check.packets.server_bytes);
    json.key("packet_ending").value(to_string(check.packet_end));
  }
  json.key("compared").value(check.compared);
  json.key("bytes_compared").value(check.bytes_compared);
  if (check.compared)
    json.key("agrees").value(check.agrees);
  else
    json.key("agrees").null();
  json.key("why").text_or_null(check.why);
  json.close_object();
}

}  // namespace

void write_entry_json(JsonTextWriter& json, const ReportEntry& entry) {
  const Observation& o = entry.observation;
  json.open_object();
  json.key("target").value(entry.target);
  json.key("scenario").value(entry.scenario);
  json.key("url").value(entry.url);
  json.key("repeat").value(entry.repeat);
  if (o.started_unix_us > 0) json.key("started_at").value(utc_timestamp_us(o.started_unix_us));
  write_endpoint(json.key("local"), o.local);
  write_endpoint(json.key("remote"), o.remote);
  write_request(json.key("request"), o);
  write_response(json.key("response"), o);
  write_ending(json.key("ending"), o);
  write_timings(json.key("timings_us"), o.timings);
  write_tls(json.key("tls"), o, entry.outcome.tls_ending);
  write_http2(json.key("http2"), o);
  json.key("reused").value(o.reused);
  write_reuse(json.key("reuse"), o, entry.outcome.reuse);
  write_outcome(json.key("outcome"), entry.outcome);
  if (entry.clients) {
    json.key("clients").open_array();
    for (const ClientVerdict& client : *entry.clients) write_client(json.element(), client);
    json.close_array();
  }
  if (entry.capture) write_capture(json.key("capture"), *entry.capture);
  json.close_object();
}

}  // namespace termprobe
