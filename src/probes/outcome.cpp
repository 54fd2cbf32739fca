#include "probes/outcome.h"

#include <array>
#include <utility>

#include "probes/observation.h"

namespace termprobe {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<StreamEnd, 6> kStreamEndNames{{
    {StreamEnd::rst, "rst"},
    {StreamEnd::fin, "fin"},
    {StreamEnd::open, "open"},
    {StreamEnd::timeout, "timeout"},
    {StreamEnd::refused, "refused"},
    {StreamEnd::error, "error"},
}};

constexpr NameTable<Phase, 6> kPhaseNames{{
    {Phase::connect, "connect"},
    {Phase::tls, "tls"},
    {Phase::upload, "upload"},
    {Phase::before_response, "before_response"},
    {Phase::mid_response, "mid_response"},
    {Phase::after_response, "after_response"},
}};

constexpr NameTable<Label, 20> kLabelNames{{
    {Label::keepalive, "keepalive"},
    {Label::close_after_response, "close_after_response"},
    {Label::reset_after_response, "reset_after_response"},
    {Label::reset_before_response, "reset_before_response"},
    {Label::reset_mid_response, "reset_mid_response"},
    {Label::empty_reply, "empty_reply"},
    {Label::truncated_response, "truncated_response"},
    {Label::upload_aborted, "upload_aborted"},
    {Label::upload_stalled, "upload_stalled"},
    {Label::early_response, "early_response"},
    {Label::timeout_before_response, "timeout_before_response"},
    {Label::timeout_mid_response, "timeout_mid_response"},
    {Label::timeout_after_response, "timeout_after_response"},
    {Label::bad_response, "bad_response"},
    {Label::interrupted, "interrupted"},
    {Label::stream_reset, "stream_reset"},
    {Label::refused_by_goaway, "refused_by_goaway"},
    {Label::connect_failed, "connect_failed"},
    {Label::tls_failed, "tls_failed"},
    {Label::error, "error"},
}};

// One plain-language line per label: what a user would call the ending. The
// probe's human output and the report's summary both read it here.
constexpr NameTable<Label, 20> kLabelMeanings{{
    {Label::keepalive, "normal: a complete response, and the connection was still open when the watch ended"},
    {Label::close_after_response,
     "clean close: the server closed (FIN, or over TLS close_notify or a fatal alert) after a complete "
     "response"},
    {Label::reset_after_response, "the server reset (RST) the connection after a complete response"},
    {Label::reset_before_response,
     "\"connection reset by peer\": an RST before any byte of the final response (a 1xx may have come)"},
    {Label::reset_mid_response, "the server reset (RST) the connection while the response was arriving"},
    {Label::empty_reply,
     "\"empty reply from server\": closed (FIN) before any byte of the final response (a 1xx may have come)"},
    {Label::truncated_response,
     "the response ended before its body was complete: a FIN (HTTP/2: END_STREAM) short of the declared "
     "length, no last chunk, or over TLS no close_notify after a body without length"},
    {Label::upload_aborted,
     "the server ended the connection (RST or FIN) before the request body was all sent, whether or not it "
     "answered first"},
    {Label::upload_stalled, "the server stopped reading the request body and sent no response byte"},
    {Label::early_response,
     "a complete answer arrived before the request body was all sent, and the server had not ended the "
     "connection when the probe stopped (see outcome.announced_close_missed)"},
    {Label::timeout_before_response, "hang: no response byte before the deadline (--timeout)"},
    {Label::timeout_mid_response, "hang: the response stopped arriving before the deadline"},
    {Label::timeout_after_response,
     "announced Connection: close, but neither closed nor reset by the deadline"},
    {Label::bad_response,
     "bytes that are not a valid response: not HTTP, HTTP/2 frames that break the protocol, or over TLS "
     "records the probe cannot read (see response.parse_error)"},
    {Label::interrupted, "Ctrl-C or SIGTERM ended the probe before the server ended the connection"},
    {Label::stream_reset, "HTTP/2: the server reset the stream (RST_STREAM)"},
    {Label::refused_by_goaway, "HTTP/2: a GOAWAY said the stream was not processed (safe to retry)"},
    {Label::connect_failed, "never connected: refused, unreachable, connect timeout or name not resolved"},
    {Label::tls_failed, "the TLS handshake failed (see tls.failure)"},
    {Label::error, "something else went wrong (see ending.error)"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [entry, name] : table) {
    if (name == text) return entry;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(StreamEnd value) { return name_of(kStreamEndNames, value); }
std::string_view to_string(Phase value) { return name_of(kPhaseNames, value); }
std::string_view to_string(Label value) { return name_of(kLabelNames, value); }
std::string_view label_meaning(Label value) { return name_of(kLabelMeanings, value); }

std::optional<StreamEnd> stream_end_from_string(std::string_view text) {
  return value_of(kStreamEndNames, text);
}
std::optional<Phase> phase_from_string(std::string_view text) { return value_of(kPhaseNames, text); }
std::optional<Label> label_from_string(std::string_view text) { return value_of(kLabelNames, text); }

const std::vector<std::string_view>& label_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const auto& [label, name] : kLabelNames) all.push_back(name);
    return all;
  }();
  return names;
}

const std::vector<std::string_view>& tls_ending_kinds() {
  static const std::vector<std::string_view> kinds = {"alert",
                                                      "close_notify_then_fin",
                                                      "close_notify_then_rst",
                                                      "close_notify_open",
                                                      "fin_without_close_notify",
                                                      "rst",
                                                      "open"};
  return kinds;
}

std::string http2_ending(const Observation& o) {
  if (!o.http2) return "";
  if (const auto& reset = o.http2->reset) return "RST_STREAM(" + reset->code_name + ") " + reset->when;
  if (!o.http2->goaways.empty()) {
    const Http2Goaway& first = o.http2->goaways.front();
    return "GOAWAY(" + first.code_name + ", last " + std::to_string(first.last_stream_id) + ")";
  }
  return "none";
}

const std::vector<std::string_view>& reuse_outcome_kinds() {
  static const std::vector<std::string_view> kinds = {"answered",    "stream_reset", "refused_by_goaway",
                                                      "send_failed", "reset",        "empty_reply",
                                                      "truncated",   "timeout",      "error"};
  return kinds;
}

}  // namespace termprobe
