#include "report/connection_events.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "report/client_verdict_json.h"
#include "report/json_member.h"

namespace termprobe {
namespace {

using json = nlohmann::ordered_json;

// Short names: the builder reads dozens of members.
const json& member(const json& object, const char* key) { return json_member(object, key); }
std::optional<std::int64_t> number(const json& object, const char* key) { return json_number(object, key); }
std::string text(const json& object, const char* key) { return json_text(object, key); }

std::string endpoint(const json& address) {
  const std::string host = text(address, "address");
  const auto port = number(address, "port");
  if (host.empty()) return "?";
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port ? fmt::format("{}:{}", shown, *port) : shown;
}

// The path and query the request line carried.
std::string request_target(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

class Builder {
 public:
  // `whole`: the connection's events too, not only the stream's.
  Builder(const json& entry, bool whole)
      : entry_(entry), timings_(member(entry, "timings_us")), whole_(whole) {
    const json& h2 = member(entry, "http2");
    stream_ = h2.is_object() ? number(h2, "stream_id").value_or(0) : 0;
  }

  ConnectionEvents build() {
    out_.label = text(member(entry_, "outcome"), "label");
    out_.target = text(entry_, "target");
    out_.scenario = text(entry_, "scenario");
    out_.repeat = number(entry_, "repeat").value_or(0);
    out_.ended_us = number(timings_, "ended");
    add_stream_lane();
    add_connect();
    add_tls();
    add_request();
    add_response();
    add_http2();
    add_tls_ending();
    add_ending();
    add_reuse();
    add_outcome();
    add_capture();
    add_clients();
    finish();
    return std::move(out_);
  }

  // The stream's part only, into a connection built from an earlier entry.
  void add_to(ConnectionEvents& connection) {
    out_ = std::move(connection);
    add_stream_lane();
    add_request();
    add_response();
    add_http2();
    add_outcome();
    add_capture();
    add_clients();
    finish();
    connection = std::move(out_);
  }

 private:
  ConnectionEvent& add(std::optional<std::int64_t> at, EventSide side, std::string mark, std::string line,
                       std::int64_t stream = 0) {
    out_.events.push_back({at, stream, side, std::move(mark), std::move(line), false, {}});
    return out_.events.back();
  }

  void add_stream_lane() {
    if (stream_ <= 0) return;
    out_.streams.push_back(stream_);
    out_.stream_labels[stream_] = text(member(entry_, "outcome"), "label");
  }

  void add_connect() {
    if (!whole_) return;
    const auto at = number(timings_, "connect");
    if (!at) return;
    add(at, EventSide::note, "connect",
        fmt::format("connected to {} from {}", endpoint(member(entry_, "remote")),
                    endpoint(member(entry_, "local"))));
  }

  void add_tls() {
    if (!whole_) return;
    const json& tls = member(entry_, "tls");
    if (!tls.is_object()) return;
    const json& failure = member(tls, "failure");
    if (failure.is_object()) {
      add(number(timings_, "ended"), EventSide::note, "TLS failed",
          fmt::format("TLS handshake failed: {}: {}", text(failure, "kind"), text(failure, "reason")));
      return;
    }
    if (!member(tls, "established").is_boolean() || !member(tls, "established").get<bool>()) return;
    const std::string alpn = text(tls, "alpn");
    std::vector<std::string> offered;
    if (member(tls, "alpn_offered").is_array())
      for (const json& protocol : member(tls, "alpn_offered"))
        if (protocol.is_string()) offered.push_back(protocol.get<std::string>());
    auto& handshake = add(number(timings_, "tls"), EventSide::note, "TLS",
                          fmt::format("TLS handshake: {}, cipher {}, ALPN {} (offered: {}){}",
                                      text(tls, "version"), text(tls, "cipher"), alpn.empty() ? "none" : alpn,
                                      offered.empty() ? "none" : fmt::format("{}", fmt::join(offered, ", ")),
                                      member(tls, "resumed") == true ? ", resumed" : ""));
    const json& cert = member(tls, "certificate");
    if (!cert.is_object()) return;
    handshake.head.push_back(fmt::format("server certificate: subject {}", text(cert, "subject")));
    handshake.head.push_back(fmt::format("  issuer {}", text(cert, "issuer")));
    const std::string expiry = text(cert, "not_after");
    handshake.head.push_back(fmt::format("  expires {}", expiry.empty() ? "unknown" : expiry));
    const std::string verify = text(cert, "verify_result");
    handshake.head.push_back(fmt::format("  verified: {}{}", member(cert, "verified") == true ? "yes" : "no",
                                         verify.empty() ? "" : " (" + verify + ")"));
  }

  void add_request() {
    const json& request = member(entry_, "request");
    const json& headers = member(request, "headers");
    if (!headers.is_array()) return;
    const bool h2 = stream_ > 0;
    std::vector<std::string> head;
    if (!h2)
      head.push_back(
          fmt::format("{} {} HTTP/1.1", text(request, "method"), request_target(text(entry_, "url"))));
    for (const json& field : headers) head.push_back(text(field, "name") + ": " + text(field, "value"));
    const auto body = number(request, "body_bytes").value_or(0);
    std::string line =
        fmt::format("request {}: {} bytes sent, {} acked by the server's TCP",
                    member(request, "complete") == true ? "sent" : "not all sent",
                    number(request, "bytes_sent").value_or(0), number(request, "bytes_acked").value_or(0));
    if (body > 0)
      line += fmt::format(" (body {} of {} sent, {} acked)", number(request, "body_bytes_sent").value_or(0),
                          body, number(request, "body_bytes_acked").value_or(0));
    const auto at = number(timings_, "request_sent");
    add(at ? at : number(timings_, "ended"), EventSide::sent, "request", std::move(line), stream_).head =
        std::move(head);
  }

  void add_response() {
    const json& response = member(entry_, "response");
    const auto first_byte = number(timings_, "first_byte");
    add_interim(response, !first_byte);
    if (first_byte) {
      auto& event = add(first_byte, EventSide::server, "first byte", "first response byte", stream_);
      const auto status = number(response, "status");
      if (status) {
        const std::string version = text(response, "http_version");
        event.text = fmt::format("response head: HTTP/{} {}", version.empty() ? "?" : version, *status);
      }
      event.head = response_head(response);  // a head kept whole or not, even one that is no response
      const std::string parse_error = text(response, "parse_error");
      if (!parse_error.empty())
        event.head.push_back(fmt::format("not a valid response: {} (first bytes {})", parse_error,
                                         text(response, "first_bytes_hex")));
    }
    const auto complete = number(timings_, "response_complete");
    if (complete)
      add(complete, EventSide::server, "complete",
          fmt::format("response complete: {} bytes ({} body)", number(response, "bytes").value_or(0),
                      number(response, "body_bytes").value_or(0)),
          stream_);
  }

  // A 1xx before the final response (or instead of it). With no final
  // response the kept head, the 1xx lines, goes here: nothing else shows it.
  void add_interim(const json& response, bool carries_head) {
    const auto at = number(timings_, "first_interim_byte");
    if (!at) return;
    auto& event = add(
        at, EventSide::server, "1xx",
        fmt::format("interim response: {} 1xx head(s){}", number(response, "interim_responses").value_or(0),
                    carries_head ? ", then no final response" : ""),
        stream_);
    if (carries_head) event.head = response_head(response);
  }

  // The head as received when the entry kept it (-v), else the noted headers.
  static std::vector<std::string> response_head(const json& response) {
    std::vector<std::string> head;
    const json& kept = member(response, "head");
    if (kept.is_object()) {
      if (member(kept, "lines").is_array())
        for (const json& line : member(kept, "lines"))
          if (line.is_string()) head.push_back(line.get<std::string>());
      if (const auto cut = number(kept, "cut_at"))
        head.push_back(fmt::format("(head cut at {} bytes)", *cut));
      return head;
    }
    const json& noted = member(response, "headers");
    if (noted.is_object())
      for (const auto& [name, value] : noted.items())
        if (value.is_string()) head.push_back(name + ": " + value.get<std::string>());
    return head;
  }

  void add_http2() {
    const json& h2 = member(entry_, "http2");
    if (!h2.is_object()) return;
    const json& reset = member(h2, "reset");
    if (reset.is_object())
      add(number(reset, "at_us"), EventSide::server, "RST_STREAM",
          fmt::format("RST_STREAM {} ({}) on stream {} {}, {} DATA bytes before", text(reset, "name"),
                      number(reset, "code").value_or(0), stream_, text(reset, "when"),
                      number(reset, "body_bytes_before").value_or(0)),
          stream_)
          .ending = true;
    const json& goaways = member(h2, "goaways");
    if (whole_ && goaways.is_array())
      for (const json& goaway : goaways) {
        const std::string debug = text(goaway, "debug");
        add(number(goaway, "at_us"), EventSide::server, "GOAWAY",
            fmt::format("GOAWAY {} ({}), last stream {}{}", text(goaway, "name"),
                        number(goaway, "code").value_or(0), number(goaway, "last_stream_id").value_or(0),
                        debug.empty() ? "" : ", debug: " + debug))
            .ending = true;
      }
    if (member(h2, "refused_by_goaway") == true)
      add(std::nullopt, EventSide::note, "refused", fmt::format("stream {} refused by GOAWAY", stream_),
          stream_);
  }

  void add_tls_ending() {
    if (!whole_) return;
    const json& ending = member(member(entry_, "tls"), "ending");
    if (!ending.is_object()) return;
    if (const auto at = number(ending, "close_notify_us"))
      add(at, EventSide::server, "close_notify", "TLS close_notify from the server").ending = true;
    const json& alert = member(ending, "alert");
    if (alert.is_object())
      add(number(alert, "at_us"), EventSide::server, "alert",
          fmt::format("TLS alert from the server: {} {} ({})", text(alert, "level"),
                      text(alert, "description"), number(alert, "code").value_or(0)))
          .ending = true;
  }

  void add_ending() {
    if (!whole_) return;
    const json& ending = member(entry_, "ending");
    const std::string kind = text(ending, "kind");
    const auto at = number(timings_, "ended");
    const auto after = number(ending, "after_response_us");
    const std::string after_text = after ? fmt::format(", {} after the response", format_us(*after)) : "";
    const std::string error = text(ending, "error");
    const std::string why = error.empty() ? "" : " (" + error + ")";
    if (kind == "fin" || kind == "rst") {
      const std::string mark = kind == "fin" ? "FIN" : "RST";
      add(at, EventSide::server, mark, fmt::format("{} from the server{}{}", mark, after_text, why)).ending =
          true;
      if (const auto rst = number(ending, "rst_after_fin_us"))
        add(at ? std::optional(*at + *rst) : std::nullopt, EventSide::server, "RST",
            fmt::format("RST from the server {} after its FIN", format_us(*rst)))
            .ending = true;
    } else if (kind == "open") {
      add(at, EventSide::note, "open",
          fmt::format("still open when the probe stopped watching{}", after_text));
    } else if (kind == "timeout") {
      add(at, EventSide::note, "timeout", "the probe's deadline passed: it closed the connection itself");
    } else if (kind == "refused") {
      add(at, EventSide::note, "refused", "connection refused" + why);
    } else if (!kind.empty()) {
      add(at, EventSide::note, kind, kind + why);
    }
    if (member(ending, "interrupted") == true)
      add(std::nullopt, EventSide::note, "interrupted", "Ctrl-C or SIGTERM stopped the probe");
  }

  // `reuse`: the times count from the second request; what came before it is a note.
  void add_reuse() {
    if (!whole_) return;
    const json& reuse = member(entry_, "reuse");
    if (!reuse.is_object()) return;
    const std::string closed = text(reuse, "closed_before_reuse");
    add(std::nullopt, EventSide::note, "reuse",
        fmt::format("second request after {} idle{}: {}", format_us(number(reuse, "idle_us").value_or(0)),
                    closed.empty() ? "" : ", the server's " + closed + " came first",
                    text(reuse, "outcome")));
  }

  void add_outcome() {
    const json& outcome = member(entry_, "outcome");
    add(std::nullopt, EventSide::note, "label",
        fmt::format("label {}: {} ending {}{}", text(outcome, "label"), text(outcome, "phase"),
                    text(outcome, "ending"), member(outcome, "announced") == true ? ", announced" : ""),
        stream_);
  }

  // The packets' verdict on the connection, once however many of its streams carry it.
  void add_capture() {
    const json& capture = member(entry_, "capture");
    if (!capture.is_object()) return;
    const json& agrees = member(capture, "agrees");
    CaptureNote note{member(capture, "found") == true ? text(capture, "packet_ending") : std::string(),
                     agrees.is_boolean() ? std::optional(agrees.get<bool>()) : std::nullopt,
                     text(capture, "why")};
    if (std::find(out_.captures.begin(), out_.captures.end(), note) == out_.captures.end())
      out_.captures.push_back(std::move(note));
  }

  // `termprobe clients`: what each real client made of the same request.
  void add_clients() {
    for (ClientVerdict& client : client_verdicts_from_json(member(entry_, "clients")))
      out_.clients.push_back(std::move(client));
  }

  // Timed events first, in time order (ties keep the order added: cause before effect).
  void finish() {
    std::stable_sort(out_.events.begin(), out_.events.end(), [](const auto& a, const auto& b) {
      if (a.at_us.has_value() != b.at_us.has_value()) return a.at_us.has_value();
      return a.at_us && *a.at_us < *b.at_us;
    });
    out_.span_us = 1;
    for (const auto& event : out_.events)
      if (event.at_us) out_.span_us = std::max(out_.span_us, *event.at_us);
  }

  const json& entry_;
  const json& timings_;
  bool whole_ = true;
  std::int64_t stream_ = 0;
  ConnectionEvents out_;
};

}  // namespace

ConnectionEvents connection_events(const nlohmann::ordered_json& entry) {
  return Builder(entry, true).build();
}

void add_stream(ConnectionEvents& connection, const nlohmann::ordered_json& entry) {
  Builder(entry, false).add_to(connection);
}

std::optional<std::int64_t> event_time(const ConnectionEvents& connection, std::string_view mark,
                                       std::int64_t stream) {
  for (const auto& e : connection.events)
    if (e.mark == mark && e.stream_id == stream) return e.at_us;
  return std::nullopt;
}

std::string format_us(std::int64_t us) {
  if (us < 1000) return fmt::format("{} µs", us);
  const auto shown = static_cast<double>(us);
  if (us < 1'000'000) return fmt::format("{:.3f} ms", shown / 1000.0);
  return fmt::format("{:.3f} s", shown / 1e6);
}

}  // namespace termprobe
