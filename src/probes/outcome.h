// The closed sets a probe's result is expressed in, and the outcome the
// classifier derives. String forms are for the report layer only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace termprobe {

// How the byte stream of one connection ended, as seen by the client.
enum class StreamEnd { rst, fin, open, timeout, refused, error };

// Where in the exchange the connection ended.
enum class Phase { connect, tls, upload, before_response, mid_response, after_response };

// What a user would call the outcome: docs/outcomes.md gives, for each, the
// phase and ending it names, what a capture shows and what clients report.
enum class Label {
  keepalive,
  close_after_response,
  reset_after_response,
  reset_before_response,
  reset_mid_response,
  empty_reply,
  truncated_response,
  upload_aborted,
  upload_stalled,
  early_response,
  timeout_before_response,
  timeout_mid_response,
  timeout_after_response,  // the server announced Connection: close, then neither closed nor reset by the
                           // deadline
  bad_response,       // bytes that are not an HTTP/1.x response (h2c SETTINGS, garbage, a bad chunk size)
  interrupted,        // a stop request (Ctrl-C) ended the probe before the server ended the connection
  stream_reset,       // HTTP/2: the server sent RST_STREAM for the stream (the phase says when)
  refused_by_goaway,  // HTTP/2: a GOAWAY's last-stream-id is below the stream: not processed, safe to retry
  connect_failed,
  tls_failed,
  error,
};

struct Outcome {
  Phase phase = Phase::connect;
  StreamEnd ending = StreamEnd::error;
  Label label = Label::error;
  bool announced = false;              // server sent "Connection: close"
  bool response_before_abort = false;  // upload_* only: a status line arrived before the upload was cut
  // Reused connections: answered, send_failed, reset, empty_reply, truncated,
  // timeout or error; empty for a fresh connection.
  std::string_view reuse;
  // https with a completed handshake: how the server ended the TLS session
  // (classifier.h's tls_ending); empty otherwise.
  std::string_view tls_ending;
  // It announced its close after a complete response and had not closed or
  // reset (TCP or TLS) when the probe stopped (timeout_after_response, or
  // early_response during an upload): a fact of its own, whatever the label.
  bool announced_close_missed = false;
};

std::string_view to_string(StreamEnd value);
std::string_view to_string(Phase value);
std::string_view to_string(Label value);

std::optional<StreamEnd> stream_end_from_string(std::string_view text);
std::optional<Phase> phase_from_string(std::string_view text);
std::optional<Label> label_from_string(std::string_view text);

// The label in one plain-language line ("clean close: the server closed
// (FIN) after a complete response"), for people reading the output or the report.
std::string_view label_meaning(Label value);

// Every label's name, in the enum's order.
const std::vector<std::string_view>& label_names();

// Every Outcome::tls_ending but "": alert, close_notify_then_fin, ...
const std::vector<std::string_view>& tls_ending_kinds();

struct Observation;

// HTTP/2 only: the frame that ended the stream or spoke for its connection,
// as profiles name it: "RST_STREAM(CODE) WHEN" (WHEN: before_headers,
// after_headers, mid_data; CODE: the RFC 9113 name, or 0x... for others),
// else the first GOAWAY, "GOAWAY(CODE, last ID)", else "none". Empty for
// HTTP/1.x.
std::string http2_ending(const Observation& observation);

// Every Outcome::reuse but "": answered, send_failed, reset, ...
const std::vector<std::string_view>& reuse_outcome_kinds();

}  // namespace termprobe
