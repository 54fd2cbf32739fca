#include "probes/classifier.h"

namespace termprobe {
namespace {

Label connect_or_tls_label(Phase phase) {
  return phase == Phase::tls ? Label::tls_failed : Label::connect_failed;
}

bool final_response_started(const Observation& o) {
  // Raw bytes count, not parsed ones: a reset after "HTTP/1.1 2" is
  // mid-response; a 100 Continue alone is not (no final response started).
  return o.final_response_bytes > 0 || o.wire_bytes_received > o.response_bytes;
}

// The request was not fully sent. Whoever noticed first, a server that
// ended the connection cut the body off; one that answered in full and
// left the connection open (past an announced close too: the deadline
// came first) answered early; only one that sent nothing stalled it.
Label upload_label(const Observation& o, StreamEnd end) {
  switch (end) {
    case StreamEnd::rst:
    case StreamEnd::fin: return Label::upload_aborted;
    case StreamEnd::open:
    case StreamEnd::timeout:
      if (o.response_complete) return Label::early_response;
      if (end == StreamEnd::open) return Label::error;
      return final_response_started(o) ? Label::timeout_mid_response : Label::upload_stalled;
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

// The watch after a complete response ends in a timeout only when the
// server announced a close it did not make; anything else is not a label's.
Label after_response_label(const Observation& o, StreamEnd end) {
  switch (end) {
    case StreamEnd::open: return Label::keepalive;
    case StreamEnd::fin: return Label::close_after_response;
    case StreamEnd::rst: return Label::reset_after_response;
    case StreamEnd::timeout: return o.connection_close ? Label::timeout_after_response : Label::error;
    default: return Label::error;
  }
}

// "Upload" needs a body: a request whose head did not get out in full is
// not an upload, whatever its method.
bool uploading(const Observation& o) {
  return o.head_complete && !o.request_complete && o.body_bytes_total > 0;
}

Phase phase_of(const Observation& o) {
  if (!o.connected) return Phase::connect;
  if (o.tls && !o.tls_established) return Phase::tls;
  if (uploading(o)) return Phase::upload;
  if (o.response_complete) return Phase::after_response;
  return final_response_started(o) ? Phase::mid_response : Phase::before_response;
}

// A close_notify (or a fatal alert) ends the server's data as a FIN does,
// even when the TCP connection stays open until the watch or the deadline
// ends: for the label, it is the close.
StreamEnd ending_for_label(const Observation& o) {
  const bool tls_closed = o.tls_facts.close_notify_us || (o.tls_facts.alert && o.tls_facts.alert->fatal);
  const bool tcp_still_open = o.end == StreamEnd::open || o.end == StreamEnd::timeout;
  return tcp_still_open && tls_closed ? StreamEnd::fin : o.end;
}

// The server said it would close after a complete response, and the
// connection was still open when the probe stopped (at the deadline, or
// when a --watch longer than the time left ended first).
bool announced_close_missed(const Observation& o) {
  const StreamEnd end = ending_for_label(o);  // a close_notify is its close
  const bool still_open = end == StreamEnd::timeout || end == StreamEnd::open;
  return o.connection_close && o.response_complete && still_open && !o.interrupted;
}

Label label_of(Phase phase, const Observation& o) {
  const StreamEnd end = ending_for_label(o);
  // The probe's own stop is never the server's ending, in any phase.
  const bool server_ended_it = end != StreamEnd::open;
  if (o.interrupted && !server_ended_it) return Label::interrupted;
  if (phase == Phase::connect || phase == Phase::tls) return connect_or_tls_label(phase);
  if (!o.parse_error.empty()) return Label::bad_response;
  if (o.http2 && o.http2->reset) {
    // A reset after the whole response is "stop sending", not a lost answer:
    // during an upload it is the server ending the upload; else the stream
    // was already done and the connection's ending decides.
    if (o.http2->reset->when != "after_end_stream") return Label::stream_reset;
    if (phase == Phase::upload) return Label::upload_aborted;
  }
  if (o.http2 && o.http2->refused_by_goaway) return Label::refused_by_goaway;
  // END_STREAM is the stream's own end of data: one that came before the
  // response was whole (fewer DATA bytes than content-length) cut it short,
  // as a FIN does a short HTTP/1.1 body, whatever the connection did after.
  if (o.http2 && o.http2->end_stream && phase == Phase::mid_response) return Label::truncated_response;
  switch (phase) {
    case Phase::upload: return upload_label(o, end);
    case Phase::before_response: return before_response_label(end);
    case Phase::mid_response: return mid_response_label(end);
    default: return after_response_label(o, end);
  }
}

}  // namespace

Outcome classify(const Observation& o) {
  Outcome outcome;
  outcome.phase = phase_of(o);
  outcome.ending = o.end;
  outcome.announced = o.connection_close;
  outcome.announced_close_missed = announced_close_missed(o);
  outcome.label = label_of(outcome.phase, o);
  if (outcome.phase == Phase::upload) outcome.response_before_abort = o.status != 0;
  outcome.reuse = reuse_outcome(o);
  outcome.tls_ending = tls_ending(o);
  return outcome;
}

std::string_view reuse_outcome(const Observation& o) {
  if (!o.reused) return "";
  if (o.response_complete) return "answered";
  // On HTTP/2 the server says why the new stream failed: its frames come
  // before whatever TCP did under them.
  if (o.http2 && o.http2->reset) return "stream_reset";
  if (o.http2 && o.http2->refused_by_goaway) return "refused_by_goaway";
  if (!o.request_complete && o.request_bytes_sent == 0) return "send_failed";
  const bool any_byte = o.wire_bytes_received > 0 || o.response_bytes > 0;
  switch (ending_for_label(o)) {
    case StreamEnd::rst: return "reset";
    case StreamEnd::fin: return any_byte ? "truncated" : "empty_reply";
    case StreamEnd::timeout: return "timeout";
    default: return "error";
  }
}

std::string_view tls_ending(const Observation& o) {
  if (!o.tls || !o.tls_established) return "";
  const TlsFacts& tls = o.tls_facts;
  if (tls.alert && tls.alert->fatal) return "alert";
  if (tls.close_notify_us) {
    switch (o.end) {
      case StreamEnd::fin: return "close_notify_then_fin";
      case StreamEnd::rst: return "close_notify_then_rst";
      default: return "close_notify_open";
    }
  }
  switch (o.end) {
    case StreamEnd::fin: return "fin_without_close_notify";
    case StreamEnd::rst: return "rst";
    default: return "open";
  }
}

}  // namespace termprobe
