#include "probes/classifier.h"

namespace termprobe {
namespace {

Label connect_or_tls_label(Phase phase) {
  return phase == Phase::tls ? Label::tls_failed : Label::connect_failed;
}

// The request was not fully sent: the server stopped the upload, stalled it,
// or answered early while the client still had body to send.
Label upload_label(const Observation& o) {
  switch (o.end) {
    case StreamEnd::rst:
    case StreamEnd::fin: return Label::upload_aborted;
    case StreamEnd::timeout: return Label::upload_stalled;
    case StreamEnd::open: return o.response_complete ? Label::early_response : Label::error;
    default: return Label::error;
  }
}

Label before_response_label(StreamEnd end) {
  switch (end) {
    case StreamEnd::rst: return Label::reset_before_response;
    case StreamEnd::fin: return Label::empty_reply;
    case StreamEnd::timeout: return Label::timeout_before_response;
    default: return Label::error;
  }
}

Label mid_response_label(StreamEnd end) {
  switch (end) {
    case StreamEnd::rst: return Label::reset_mid_response;
    case StreamEnd::fin: return Label::truncated_response;
    case StreamEnd::timeout: return Label::timeout_mid_response;
    default: return Label::error;
  }
}

Label after_response_label(StreamEnd end) {
  switch (end) {
    case StreamEnd::open: return Label::keepalive;
    case StreamEnd::fin: return Label::close_after_response;
    case StreamEnd::rst: return Label::reset_after_response;
    default: return Label::error;
  }
}

Phase phase_of(const Observation& o) {
  if (!o.connected) return Phase::connect;
  if (o.tls && !o.tls_established) return Phase::tls;
  if (!o.request_complete) return Phase::upload;
  if (o.response_complete) return Phase::after_response;
  // Raw bytes count, not parsed ones: a reset after "HTTP/1.1 2" is mid-response.
  const bool any_response_byte = o.wire_bytes_received > 0 || o.header_bytes > 0;
  return any_response_byte ? Phase::mid_response : Phase::before_response;
}

}  // namespace

Outcome classify(const Observation& o) {
  Outcome outcome;
  outcome.phase = phase_of(o);
  outcome.ending = o.end;
  outcome.announced = o.connection_close;
  switch (outcome.phase) {
    case Phase::connect:
    case Phase::tls: outcome.label = connect_or_tls_label(outcome.phase); break;
    case Phase::upload:
      outcome.label = upload_label(o);
      outcome.response_before_abort = o.status != 0;
      break;
    case Phase::before_response: outcome.label = before_response_label(o.end); break;
    case Phase::mid_response: outcome.label = mid_response_label(o.end); break;
    case Phase::after_response: outcome.label = after_response_label(o.end); break;
  }
  return outcome;
}

std::string_view reuse_outcome(const Observation& o) {
  if (!o.reused) return "";
  if (o.response_complete) return "answered";
  if (!o.request_complete && o.request_bytes_sent == 0) return "send_failed";
  const bool any_byte = o.wire_bytes_received > 0 || o.header_bytes > 0;
  switch (o.end) {
    case StreamEnd::rst: return "reset";
    case StreamEnd::fin: return any_byte ? "truncated" : "empty_reply";
    case StreamEnd::timeout: return "timeout";
    default: return "error";
  }
}

}  // namespace termprobe
