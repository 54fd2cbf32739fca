#include "report/summary_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace termprobe {
namespace {

std::string millis(std::int64_t micros) {
  return fmt::format("{:.1f} ms", static_cast<double>(micros) / 1000.0);
}

std::string body_text(const Observation& o) {
  if (o.declared_length) return fmt::format("body {}/{} B", o.body_bytes, *o.declared_length);
  if (o.chunked)
    return fmt::format("body {} B chunked{}", o.body_bytes, o.response_complete ? "" : " (no terminator)");
  return fmt::format("body {} B", o.body_bytes);
}

std::string ending_text(const Observation& o) {
  const auto& t = o.timings;
  if (o.end == StreamEnd::open) return o.interrupted ? "open when interrupted" : "still open after watch";
  std::string text(to_string(o.end));
  if (t.ended_us && t.response_complete_us)
    text += fmt::format(" {} after response", millis(*t.ended_us - *t.response_complete_us));
  else if (t.ended_us)
    text += fmt::format(" at {}", millis(*t.ended_us));
  if (o.rst_after_fin_us) text += fmt::format(", then rst {} after the fin", millis(*o.rst_after_fin_us));
  return text;
}

// The response ended at a TLS record the probe could not read (the TLS
// layer's parse_error): the line says so in TLS's words, not HTTP's.
bool unreadable_tls(const Observation& o) {
  return o.tls && !o.tls_facts.local_error.empty() &&
         o.parse_error == "unreadable TLS record: " + o.tls_facts.local_error;
}

std::string response_text(const Observation& o) {
  if (unreadable_tls(o))
    return fmt::format(" unreadable TLS records ({}; {} B)", o.tls_facts.local_error, o.wire_bytes_received);
  // HTTP/2 frames that break the protocol are still HTTP/2: what arrived
  // is said as usual, then the violation.
  const bool violation = o.http2 && o.first_bytes_hex.empty() && !o.parse_error.empty();
  if (!o.parse_error.empty() && !violation)
    return fmt::format(" not HTTP/{} ({}; {} B, first bytes {})", o.http2 ? "2" : "1.x", o.parse_error,
                       o.response_bytes, o.first_bytes_hex.substr(0, 32));
  const std::string broke = violation ? fmt::format("  [{}]", o.parse_error) : "";
  if (o.status != 0) return fmt::format(" HTTP {}  {}{}", o.status, body_text(o), broke);
  if (!o.connected) return "";
  if (o.interim_responses > 0)
    return fmt::format(" no final response ({} interim){}", o.interim_responses, broke);
  return fmt::format(" no response ({} B){}", o.wire_bytes_received, broke);
}

// --http2 on a server that chose otherwise: the line says so, as the
// report's tls.alpn does; the protocol spoken follows the server's choice.
std::string alpn_text(const TlsFacts& tls) {
  const auto& offered = tls.alpn_offered;
  const bool h2_offered = std::find(offered.begin(), offered.end(), "h2") != offered.end();
  if (!h2_offered || tls.alpn == "h2") return "";
  return fmt::format(" (h2 declined, ALPN {})", tls.alpn.empty() ? "none" : tls.alpn);
}

// https: the handshake's failure, or the session's version and how the
// server ended it ("close_notify 2.0 ms after response", "no close_notify").
std::string tls_text(const Observation& o) {
  const TlsFacts& tls = o.tls_facts;
  if (!o.tls || !o.connected) return "";
  if (!o.tls_established) return tls.failure.empty() ? "" : fmt::format("  TLS failed: {}", tls.failure);
  std::string text = "  " + tls.version + alpn_text(tls);
  if (tls.alert && tls.alert->fatal) return text + fmt::format(" alert {}", tls.alert->description);
  if (tls.close_notify_us && o.timings.response_complete_us)
    return text + fmt::format(" close_notify {} after response",
                              millis(*tls.close_notify_us - *o.timings.response_complete_us));
  if (tls.close_notify_us) return text + " close_notify";
  if (o.end == StreamEnd::fin) return text + " no close_notify";
  if (!tls.local_error.empty() && !unreadable_tls(o))
    return text + fmt::format(" unreadable records ({})", tls.local_error);
  return text;
}

// HTTP/2: the stream, its RST_STREAM, and the connection's GOAWAYs, timed
// from the response when there was one.
std::string http2_text(const Observation& o) {
  if (!o.http2) return "";
  const Http2Facts& h2 = *o.http2;
  std::string text = fmt::format("  h2 stream {}", h2.stream_id);
  if (h2.reset)
    text += fmt::format(" RST_STREAM({}) {} after {} B", h2.reset->code_name, h2.reset->when,
                        h2.reset->body_bytes_before);
  for (std::size_t i = 0; i < h2.goaways.size(); ++i) {
    const Http2Goaway& goaway = h2.goaways[i];
    if (h2.goaways_dropped > 0 && i + 1 == h2.goaways.size())
      text += fmt::format(", {} more GOAWAY not kept", h2.goaways_dropped);
    text += fmt::format(", GOAWAY({}, last stream {})", goaway.code_name, goaway.last_stream_id);
    if (o.timings.response_complete_us)
      text += fmt::format(" {} after response", millis(goaway.at_us - *o.timings.response_complete_us));
  }
  return text;
}

}  // namespace

std::string endpoint_text(const Endpoint& endpoint) {
  if (endpoint.address.find(':') != std::string::npos)
    return fmt::format("[{}]:{}", endpoint.address, endpoint.port);
  return fmt::format("{}:{}", endpoint.address, endpoint.port);
}

std::string format_entry_line(std::size_t number, const ReportEntry& entry) {
  const Observation& o = entry.observation;
  std::string line = fmt::format("#{:<4} {:<24}", number, to_string(entry.outcome.label));
  const bool tls_failed = o.tls && o.connected && !o.tls_established;
  if (!tls_failed) line += response_text(o);
  if (tls_failed) {
    // No request went out: what failed and how the connection ended is the whole story.
  } else if (!o.head_complete && o.connected)
    line += fmt::format("  request head {}/{} B sent", o.request_bytes_sent, o.head_bytes);
  else if (!o.request_complete && o.connected)
    line += fmt::format("  upload {}/{} B acked ({} B sent)", body_bytes_acked(o), o.body_bytes_total,
                        o.body_bytes_sent);
  line += "  " + ending_text(o);
  line += tls_text(o);
  line += http2_text(o);
  if (entry.outcome.announced) line += "  (Connection: close)";
  if (!o.error.empty() && o.parse_error.empty() && o.error != o.tls_facts.failure)
    line += fmt::format("  [{}]", o.error);
  if (!o.local.address.empty()) line += fmt::format("  {}", endpoint_text(o.local));
  return line;
}

namespace {

std::string client_result_text(const ClientVerdict& c) {
  if (c.outcome == "response") {
    const char* body = !c.body_complete ? "" : *c.body_complete ? ", body complete" : ", body INCOMPLETE";
    return fmt::format("response {}{}", c.status.value_or(0), body);
  }
  if (!c.error) return c.outcome;
  if (c.outcome != "error") return fmt::format("{}: {}", c.outcome, c.error->message);
  const std::string after_status = c.status ? fmt::format(" (after status {})", *c.status) : "";
  if (c.error->message == c.error->type) return fmt::format("error {}{}", c.error->type, after_status);
  return fmt::format("error {}: {}{}", c.error->type, c.error->message, after_status);
}

std::string client_wire_text(const ClientVerdict& c) {
  // Each distinct reading once, with its count: a client that retried
  // hundreds of times reads as one line.
  std::vector<std::pair<std::string, int>> groups;
  for (const ClientWire& wire : c.wire) {
    std::string text =
        !wire.label.empty()
            ? wire.label
            : fmt::format("{} after {} B",
                          wire.client_closed_first ? "client closed" : std::string(to_string(wire.ending)),
                          wire.response_bytes);
    auto at = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == text; });
    if (at == groups.end())
      groups.emplace_back(std::move(text), 1);
    else
      ++at->second;
  }
  std::vector<std::string> parts;
  for (const auto& [text, count] : groups)
    parts.push_back(count > 1 ? fmt::format("{} ×{}", text, count) : text);
  if (parts.empty()) return "";
  const bool sampled = static_cast<std::size_t>(c.connections) > c.wire.size();
  return fmt::format(
      "  wire: {}{}", fmt::join(parts, ", "),
      sampled ? fmt::format(" (first {} and last of {} connections)", c.wire.size() - 1, c.connections) : "");
}

}  // namespace

std::string format_client_line(const ClientVerdict& c) {
  std::string line = fmt::format("{:<16} {}", c.client, client_result_text(c));
  if (c.outcome == "response" || c.outcome == "error") {
    line += fmt::format("  [{} connection(s)", c.connections);
    line += c.requests ? fmt::format(", {} request(s)]", *c.requests) : "]";
  }
  line += client_wire_text(c);
  if (!c.version.empty()) line += fmt::format("  ({})", c.version);
  return line;
}

std::string format_summary_line(const Report& report) {
  const ReportTally& tally = report.tally;
  std::string line = tally.connections() == tally.total()
                         ? fmt::format("{} of {} connection(s)", tally.total(), report.requested)
                         : fmt::format("{} of {} request(s) on {} connection(s)", tally.total(),
                                       report.requested, tally.connections());
  for (const auto& [label, count] : report.tally.label_counts()) line += fmt::format(", {} {}", label, count);
  if (report.interrupted) line += " (interrupted)";
  return line;
}

std::string format_pace(std::chrono::steady_clock::duration elapsed, std::size_t connections) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const std::string took =
      seconds < 1 ? fmt::format("{:.0f} ms", seconds * 1000) : fmt::format("{:.2f} s", seconds);
  if (seconds <= 0) return fmt::format(" in {}", took);
  return fmt::format(" in {}, {:.1f} connections/s", took, static_cast<double>(connections) / seconds);
}

std::string format_label_meanings(const std::set<Label>& labels) {
  std::string text;
  for (const Label label : labels) text += fmt::format("  {}: {}\n", to_string(label), label_meaning(label));
  return text;
}

std::set<Label> labels_seen(const Report& report) {
  std::set<Label> labels;
  for (const auto& [name, count] : report.tally.label_counts()) {
    if (const auto label = label_from_string(name)) labels.insert(*label);
  }
  return labels;
}

}  // namespace termprobe
