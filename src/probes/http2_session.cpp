#include "probes/http2_session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>

#include "common/ascii_case.h"
#include "probes/http1_response.h"
#include "probes/http2_codes.h"
#include "probes/http2_frames.h"

namespace termprobe {
namespace {

// Out of the way of the probe's measurements: windows large enough that a
// response never waits for the probe's WINDOW_UPDATE, and no server push.
constexpr std::uint32_t kWindow = 16 * 1024 * 1024;
constexpr std::size_t kOutputBatch = 64 * 1024;
// The probe never changes SETTINGS_MAX_FRAME_SIZE, so it stays at its
// initial value (RFC 9113 §6.5.2): a longer frame is a FRAME_SIZE_ERROR.
constexpr std::size_t kMaxFrameSize = 16384;

// A frame's type as RFC 9113 §6 names it; "type N" for an extension's.
std::string frame_type_name(std::uint8_t type) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
      "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};
  return type < kNames.size() ? std::string(kNames[type]) : "type " + std::to_string(type);
}

// Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2); Host becomes :authority.
bool forbidden_in_http2(const std::string& name) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

}  // namespace

std::vector<HeaderField> http2_request_fields(const ProbeSpec& spec, const TargetUrl& url) {
  const std::vector<HeaderField> fields = request_header_fields(spec, url);
  std::string host = url.host_header;
  for (const auto& field : fields) {
    if (equals_ignoring_case(field.name, "host")) host = field.value;
  }
  std::vector<HeaderField> out = {
      {":method", spec.method}, {":scheme", url.scheme}, {":authority", host}, {":path", url.request_target}};
  for (const auto& field : fields) {
    std::string name = ascii_lower(field.name);
    if (!forbidden_in_http2(name)) out.push_back({std::move(name), field.value});
  }
  return out;
}

struct Http2Session::Stream {
  explicit Stream(const ProbeSpec& spec) : body(spec) {}
  std::int32_t id = 0;
  UploadBody body;
  bool deferred = false;          // the body waits for its rate
  std::int64_t head_bytes = 0;    // the request's HEADERS frames, headers included, once serialized
  bool headers_sent = false;      // the kernel took all of them
  std::int64_t body_sent = 0;     // DATA payload bytes the kernel took
  bool end_stream_sent = false;   // the kernel took the whole request
  int status = 0;                 // final status; 0 = none yet
  int interim = 0;                // 1xx responses
  bool in_interim = false;        // the header block being read is a 1xx one
  std::int64_t header_bytes = 0;  // HEADERS frames received, frame headers included
  std::int64_t data_bytes = 0;    // DATA payload received
  std::optional<std::int64_t> declared_length;
  std::string module;       // x-termprobe-module of the final response
  NotedHeaders headers;     // server (connection and keep-alive are not HTTP/2's) of the final response
  ResponseHead head;        // every HEADERS field as received, when the session keeps them
  bool end_stream = false;  // END_STREAM received
  bool closed = false;
  bool refused = false;   // above a GOAWAY's last-stream-id, no response: not processed
  std::string violation;  // the server broke HTTP/2 on this stream (a stream error): what it did
  std::optional<Http2Reset> reset;
  std::optional<std::int64_t> request_sent_us;
  std::optional<std::int64_t> first_interim_us;  // the first 1xx HEADERS
  std::optional<std::int64_t> first_byte_us;
  std::optional<std::int64_t> complete_us;
};

// nghttp2's callbacks, each a few lines that note a fact on the session.
struct Http2Session::Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_size, const std::uint8_t* value, std::size_t value_size, std::uint8_t,
                       void* user_data) {
    Http2Session& session = self(user_data);
    Stream* stream = session.find(frame->hd.stream_id);
    if (frame->hd.type != NGHTTP2_HEADERS || stream == nullptr) return 0;
    const std::string_view key(reinterpret_cast<const char*>(name), name_size);
    const std::string_view text(reinterpret_cast<const char*>(value), value_size);
    if (session.keep_head_) keep_head_line(stream->head, std::string(key) + ": " + std::string(text));
    note_field(stream, key, text);
    return 0;
  }

  static void note_field(Stream* stream, std::string_view key, std::string_view text) {
    if (key == ":status") {
      int code = 0;
      std::from_chars(text.data(), text.data() + text.size(), code);
      stream->in_interim = code >= 100 && code < 200;
      if (stream->in_interim)
        ++stream->interim;
      else
        stream->status = code;
    } else if (key == "content-length" && !stream->in_interim) {
      std::int64_t length = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), length).ec == std::errc())
        stream->declared_length = length;
    } else if (key == "x-termprobe-module" && !stream->in_interim) {
      stream->module = std::string(text);  // HTTP/2 field names are lowercase (RFC 9113 §8.2.1)
    } else if (!stream->in_interim) {
      stream->headers.note(key, text);
    }
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t*,
                           std::size_t size, void* user_data) {
    if (Stream* stream = self(user_data).find(id)) stream->data_bytes += static_cast<std::int64_t>(size);
    return 0;
  }

  // nghttp2's words for what it found wrong in the server's frames, just
  // before it acts on it (a connection error's GOAWAY, a stream's RST_STREAM).
  static int on_error(nghttp2_session*, int, const char* message, std::size_t length, void* user_data) {
    self(user_data).nghttp2_reason_.assign(message, length);  // the frame it queues says why
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    Stream* stream = session.find(frame->hd.stream_id);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: on_headers(session, stream, end_stream(frame)); break;
      case NGHTTP2_DATA: note_end_stream(session, stream, end_stream(frame)); break;
      case NGHTTP2_RST_STREAM: on_reset(session, stream, frame->rst_stream.error_code); break;
      case NGHTTP2_GOAWAY: on_goaway(session, frame->goaway); break;
      case NGHTTP2_SETTINGS: on_settings(session, frame); break;
      default: break;
    }
    return 0;
  }

  static bool end_stream(const nghttp2_frame* frame) {
    return (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  }

  // A whole header block on the stream.
  static void on_headers(Http2Session& session, Stream* stream, bool end_stream) {
    if (stream == nullptr) return;
    stream->header_bytes += session.block_wire_bytes_;
    if (stream->in_interim && !stream->first_interim_us) stream->first_interim_us = session.now_us_;
    if (stream->status != 0 && !stream->first_byte_us) stream->first_byte_us = session.now_us_;
    note_end_stream(session, stream, end_stream);
  }

  static void note_end_stream(Http2Session& session, Stream* stream, bool end_stream) {
    if (stream == nullptr || !end_stream) return;
    stream->end_stream = true;
    stream->complete_us = session.now_us_;
  }

  static void on_reset(Http2Session& session, Stream* stream, std::uint32_t code) {
    if (stream == nullptr || stream->reset) return;  // the first one is the stream's end
    // After END_STREAM the response is whole; the reset only tells the
    // client to stop sending (RFC 9113 §8.1: nginx does this after a 413).
    const char* when = stream->end_stream       ? "after_end_stream"
                       : stream->status == 0    ? "before_headers"
                       : stream->data_bytes > 0 ? "mid_data"
                                                : "after_headers";
    stream->reset = Http2Reset{code, http2_error_name(code), when, stream->data_bytes, session.now_us_};
  }

  static void on_goaway(Http2Session& session, const nghttp2_goaway& goaway) {
    std::string debug(reinterpret_cast<const char*>(goaway.opaque_data), goaway.opaque_data_len);
    Http2Goaway noted{goaway.last_stream_id, goaway.error_code, http2_error_name(goaway.error_code),
                      std::move(debug), session.now_us_};
    ++session.goaways_total_;
    if (session.goaways_.size() < kHttp2GoawaysKept)
      session.goaways_.push_back(std::move(noted));
    else
      session.last_goaway_ = std::move(noted);
    for (const auto& stream : session.streams_) {
      if (stream->id > goaway.last_stream_id && stream->status == 0 && !stream->reset) stream->refused = true;
    }
  }

  static void on_settings(Http2Session& session, const nghttp2_frame* frame) {
    if ((frame->hd.flags & NGHTTP2_FLAG_ACK) != 0 || !session.settings_.empty()) return;
    for (std::size_t i = 0; i < frame->settings.niv; ++i) {
      const nghttp2_settings_entry& entry = frame->settings.iv[i];
      session.settings_.emplace_back(http2_setting_name(entry.settings_id), entry.value);
    }
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user_data) {
    if (Stream* stream = self(user_data).find(id)) stream->closed = true;
    return 0;
  }

  // The probe never resets a stream or closes the connection itself: what
  // its HTTP/2 stack would have sent is noted, and cancelled.
  static int before_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      const std::string code = http2_error_name(frame->rst_stream.error_code);
      session.local_error_ = "the probe's HTTP/2 stack would have reset stream " +
                             std::to_string(frame->hd.stream_id) + " (" + code + "); not sent";
      // A stream error of the server's: the stream gets no more from nghttp2.
      if (Stream* stream = session.still_answering(frame->hd.stream_id); stream && stream->violation.empty())
        stream->violation = session.violation_text(code, "RST_STREAM");
      session.nghttp2_reason_.clear();
      return NGHTTP2_ERR_CANCEL;
    }
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      const std::string code = http2_error_name(frame->goaway.error_code);
      session.local_error_ = "the probe's HTTP/2 stack would have sent GOAWAY (" + code + "); not sent";
      // nghttp2 only says GOAWAY of its own when it ends the connection
      // (a connection error of the server's), and from then on ignores
      // every frame.
      session.nghttp2_ended_ = true;
      // Its GOAWAY's debug data is nghttp2's reason ("WINDOW_UPDATE: window size overflow").
      if (frame->goaway.opaque_data_len > 0)
        session.nghttp2_reason_.assign(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                       frame->goaway.opaque_data_len);
      session.stop_on_violation(session.violation_text(code, "GOAWAY"));
      session.nghttp2_reason_.clear();
      return NGHTTP2_ERR_CANCEL;
    }
    return 0;
  }

  // nghttp2 calls it in the mem_send that returns the frame's last bytes:
  // serialized, not yet sent. serialize() places the frame in the output,
  // output_sent() credits it once the kernel takes it.
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    session.frame_ended_ = true;
    Stream* stream = session.find(frame->hd.stream_id);
    const bool head = frame->hd.type == NGHTTP2_HEADERS;
    if (stream == nullptr || (!head && frame->hd.type != NGHTTP2_DATA)) return 0;
    if (head) stream->body.start(session.now_us_);  // the upload rate's clock
    OutFrame out;
    out.stream = stream;
    out.head = head;
    out.data = head ? 0 : static_cast<std::int64_t>(frame->hd.length);  // the probe never pads
    out.end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    session.out_frames_.push_back(out);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buffer, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void* user_data) {
    auto* stream = static_cast<Stream*>(source->ptr);
    const std::string_view ready = stream->body.ready(self(user_data).now_us_, length);
    if (ready.empty() && !stream->body.complete()) {
      stream->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    std::memcpy(buffer, ready.data(), ready.size());
    stream->body.consumed(ready.size());
    if (stream->body.complete()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(ready.size());
  }
};

Http2Session::Http2Session(const ProbeSpec& spec, std::shared_ptr<const std::vector<HeaderField>> fields,
                           bool keep_head)
    : spec_(spec), keep_head_(keep_head), fields_(std::move(fields)) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_before_frame_send_callback(callbacks, &Callbacks::before_frame_send);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Callbacks::on_frame_send);
  nghttp2_session_callbacks_set_error_callback2(callbacks, &Callbacks::on_error);
  // nghttp2's HTTP messaging checks judge what the server sent (a short
  // END_STREAM against content-length becomes its own PROTOCOL_ERROR and the
  // frame is never reported): off, so every frame reaches the callbacks and
  // the probe accounts each stream itself (record()).
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_http_messaging(option, 1);
  nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  const std::array<nghttp2_settings_entry, 2> settings = {{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindow},
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, static_cast<std::int32_t>(kWindow));
  submit_streams();
}

Http2Session::~Http2Session() { nghttp2_session_del(session_); }

void Http2Session::submit_streams() {
  std::vector<nghttp2_nv> headers;
  for (const auto& field : *fields_) {
    headers.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(field.name.data())),
                                 reinterpret_cast<std::uint8_t*>(const_cast<char*>(field.value.data())),
                                 field.name.size(), field.value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  round_.clear();
  for (int i = 0; i < std::max(1, spec_.streams); ++i) {
    auto stream = std::make_unique<Stream>(spec_);
    nghttp2_data_provider body{};
    body.source.ptr = stream.get();
    body.read_callback = &Callbacks::read_body;
    stream->id = nghttp2_submit_request(session_, nullptr, headers.data(), headers.size(),
                                        stream->body.total() > 0 ? &body : nullptr, stream.get());
    round_.push_back(stream.get());
    streams_.push_back(std::move(stream));
  }
}

void Http2Session::begin_next_request(std::int64_t) { submit_streams(); }

void Http2Session::record_wire(Observation& o, const TcpCounts& tcp) const {
  o.request_bytes_acked = std::min(o.request_bytes_sent, tcp.acked - tcp.acked_before_request);
}

Http2Session::Stream* Http2Session::find(std::int32_t id) const {
  for (auto it = streams_.rbegin(); it != streams_.rend(); ++it) {
    if ((*it)->id == id) return it->get();
  }
  return nullptr;
}

std::string_view Http2Session::output(std::int64_t now_us) {
  if (pending_offset_ < pending_.size()) return std::string_view(pending_).substr(pending_offset_);
  pending_.clear();
  pending_offset_ = 0;
  if (!parse_error_.empty() || framing_lost_) return {};
  now_us_ = now_us;
  for (Stream* stream : round_) {
    const auto due = stream->body.resumes_us();
    if (stream->deferred && (!due || *due <= now_us)) {
      stream->deferred = false;
      nghttp2_session_resume_data(session_, stream->id);
    }
  }
  serialize(kOutputBatch);
  return pending_;
}

// What nghttp2 has to send, into pending_ (up to about limit bytes). Each
// mem_send gives one frame, or one frame of a header block, or the magic.
void Http2Session::serialize(std::size_t limit) {
  while (pending_.size() < limit) {
    const std::uint8_t* data = nullptr;
    const std::size_t frames = out_frames_.size();
    frame_ended_ = false;
    const ssize_t size = nghttp2_session_mem_send(session_, &data);
    if (size <= 0) break;
    pending_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    serialized_ += size;
    if (!frame_ended_) {
      if (serialized_ == size) frame_start_ = serialized_;  // the client magic is no frame
      continue;
    }
    for (std::size_t i = frames; i < out_frames_.size(); ++i) {
      OutFrame& out = out_frames_[i];
      out.end = serialized_;
      if (out.head) out.stream->head_bytes = serialized_ - frame_start_;
    }
    frame_start_ = serialized_;
  }
}

std::optional<std::int64_t> Http2Session::output_resumes_us() const {
  std::optional<std::int64_t> earliest;
  for (const Stream* stream : round_) {
    const auto due = stream->deferred ? stream->body.resumes_us() : std::nullopt;
    if (due && (!earliest || *due < *earliest)) earliest = due;
  }
  return earliest;
}

void Http2Session::output_sent(std::size_t bytes, std::int64_t now_us) {
  pending_offset_ += bytes;
  const std::int64_t from = taken_;
  taken_ += static_cast<std::int64_t>(bytes);
  credit_taken(from, now_us);
  if (pending_offset_ < pending_.size()) return;
  pending_.clear();
  pending_offset_ = 0;
}

// The kernel took our output from `from` to taken_. A DATA frame's payload
// counts byte by byte as it goes (as HTTP/1.1's body does); a head, and a
// frame's END_STREAM, once the frame's last byte went.
void Http2Session::credit_taken(std::int64_t from, std::int64_t now_us) {
  while (!out_frames_.empty()) {
    const OutFrame& out = out_frames_.front();
    const std::int64_t data_begin = std::max(from, out.end - out.data);
    out.stream->body_sent += std::max<std::int64_t>(0, std::min(taken_, out.end) - data_begin);
    if (out.end > taken_) return;
    if (out.head) out.stream->headers_sent = true;
    if (out.end_stream) {
      out.stream->end_stream_sent = true;
      out.stream->request_sent_us = now_us;
    }
    out_frames_.pop_front();
  }
}

// A server's first frame must be SETTINGS (RFC 9113 §3.4): anything else
// (an HTTP/1.1 answer, say) is not HTTP/2, said with its first bytes.
void Http2Session::check_server_preface(std::string_view bytes) {
  first_bytes_.append(bytes.substr(0, 64 - std::min<std::size_t>(64, first_bytes_.size())));
  if (first_bytes_.size() < kFrameHeaderBytes) return;
  preface_checked_ = true;
  if (static_cast<std::uint8_t>(first_bytes_[3]) != NGHTTP2_SETTINGS) {
    not_http2_ = true;
    parse_error_ = "not an HTTP/2 server: its first frame is not SETTINGS";
  }
}

// Whole frames go to nghttp2 one at a time: once it no longer reads (a
// GOAWAY with no stream left open, or a connection error of its own) it
// drops what follows unparsed, and the probe reads the frames itself.
void Http2Session::input(std::string_view bytes, std::int64_t now_us) {
  now_us_ = now_us;
  if (!preface_checked_) check_server_preface(bytes);
  if (!parse_error_.empty() || framing_lost_) return;
  unframed_.append(bytes);
  std::size_t offset = 0;
  while (unframed_.size() - offset >= kFrameHeaderBytes) {
    const std::string_view header = std::string_view(unframed_).substr(offset, kFrameHeaderBytes);
    if (frame_too_long(header)) {
      unframed_.clear();
      return;
    }
    const std::size_t size = kFrameHeaderBytes + (http2_u32(header) >> 8);
    if (unframed_.size() - offset < size) break;
    feed_frame(std::string_view(unframed_).substr(offset, size));
    offset += size;
    if (!parse_error_.empty()) break;
  }
  unframed_.erase(0, offset);
}

// A frame header declaring more than the probe allows is a connection error
// (RFC 9113 §4.2) the moment it arrives: nothing of the frame is waited for
// or kept, and no later frame can be found, so the probe stops reading.
bool Http2Session::frame_too_long(std::string_view header) {
  const std::size_t length = http2_u32(header) >> 8;
  if (length <= kMaxFrameSize) return false;
  const Http2Frame frame = http2_frame(header.substr(0, kFrameHeaderBytes));
  framing_lost_ = true;
  stop_on_violation("HTTP/2 FRAME_SIZE_ERROR: the server's frame header (type " + std::to_string(frame.type) +
                    ", stream " + std::to_string(frame.stream_id) + ") declares " + std::to_string(length) +
                    " bytes, above SETTINGS_MAX_FRAME_SIZE " + std::to_string(kMaxFrameSize) +
                    "; the probe stopped reading (no GOAWAY sent)");
  return true;
}

// A connection error of the server's ends every stream still waiting for
// its response: that is what each of them met. Streams already answered,
// reset or refused keep their own end.
void Http2Session::stop_on_violation(std::string text) {
  if (!violation_.empty()) return;  // the first one is what happened
  violation_ = std::move(text);
  for (Stream* stream : round_) {
    if (still_answering(stream->id) == stream && !stream->refused && stream->violation.empty())
      stream->violation = violation_;
  }
}

// A violation in words: the error code nghttp2 would have sent in `frame`
// (which the probe never sends), and what it found wrong.
std::string Http2Session::violation_text(const std::string& code, const char* frame) const {
  const std::string what = !nghttp2_reason_.empty() ? nghttp2_reason_
                           : !frame_fed_.empty()    ? "the server's " + frame_fed_ + " broke the protocol"
                                                    : "the server broke the protocol";
  return "HTTP/2 " + code + ": " + what + "; the probe stopped reading (no " + frame + " sent)";
}

void Http2Session::feed_frame(std::string_view bytes) {
  const Http2Frame frame = http2_frame(bytes);
  // nghttp2 reports a header block as one HEADERS frame whose length is the
  // block's: the frame headers of its CONTINUATION frames are only seen here.
  if (frame.type == NGHTTP2_HEADERS) block_wire_bytes_ = 0;
  if (frame.type == NGHTTP2_HEADERS || frame.type == NGHTTP2_CONTINUATION)
    block_wire_bytes_ += static_cast<std::int64_t>(bytes.size());
  if (nghttp2_ended_ || nghttp2_session_want_read(session_) == 0) return read_frame(frame);
  follow_header_block(frame, false);
  // A connection error ends nghttp2's reading without a trace in
  // want_read() (its GOAWAY, cancelled, never counts as sent); the one
  // public trace is that it allows no more requests. A server's GOAWAY
  // does that too, but is then recorded; after one, a connection error
  // shows only when its GOAWAY is serialized (before_frame_send).
  const bool could_request = nghttp2_session_check_request_allowed(session_) != 0;
  frame_fed_ = frame_type_name(frame.type) + " frame on stream " + std::to_string(frame.stream_id);
  const std::int64_t goaways = goaways_total_;
  const ssize_t used =
      nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (used < 0) {
    parse_error_ = std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(used));
    credit_refused_block(frame);
  }
  if (could_request && nghttp2_session_check_request_allowed(session_) == 0 && goaways_total_ == goaways) {
    note_nghttp2_ended();
    // nghttp2 judged this frame before reading its payload: DATA that
    // arrived on a stream of the probe's still counts.
    if (frame.type == NGHTTP2_DATA) read_frame(frame);
  }
}

// nghttp2 refused a header block before its end (the 9th CONTINUATION
// frame of a flood): the block never reaches on_headers, but its bytes
// arrived on the stream and count there.
void Http2Session::credit_refused_block(const Http2Frame& frame) {
  if (frame.type != NGHTTP2_HEADERS && frame.type != NGHTTP2_CONTINUATION) return;
  if (Stream* stream = still_answering(block_stream_)) stream->header_bytes += block_wire_bytes_;
}

// nghttp2 ended the connection: its GOAWAY waits to be serialized, where
// before_frame_send names the violation and cancels it. That happens now,
// as the probe stops here (response_done()) and may never ask for output again.
void Http2Session::note_nghttp2_ended() {
  nghttp2_ended_ = true;
  serialize(std::numeric_limits<std::size_t>::max());
}

// The header block a frame belongs to, through the probe's own HPACK
// decoder (the connection's table needs every block); record: its fields
// are the stream's facts (nghttp2 no longer gives them).
void Http2Session::follow_header_block(const Http2Frame& frame, bool record) {
  if (frame.type == NGHTTP2_HEADERS || frame.type == NGHTTP2_PUSH_PROMISE) {
    block_stream_ = frame.type == NGHTTP2_HEADERS ? frame.stream_id : 0;  // a push is no response of ours
    block_end_stream_ = (frame.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  } else if (frame.type != NGHTTP2_CONTINUATION) {
    return;
  }
  const auto fragment = header_block_fragment(frame);
  if (!fragment) hpack_.lose_track();
  Stream* stream = record ? still_answering(block_stream_) : nullptr;
  const bool last = (frame.flags & NGHTTP2_FLAG_END_HEADERS) != 0;
  hpack_.decode(fragment.value_or(std::string_view()), last,
                [stream](std::string_view name, std::string_view value) {
                  if (stream != nullptr) Callbacks::note_field(stream, name, value);
                });
  if (last && stream != nullptr) Callbacks::on_headers(*this, stream, block_end_stream_);
}

// The facts nghttp2's callbacks would have given for a frame it no longer reads.
void Http2Session::read_frame(const Http2Frame& frame) {
  const std::string_view payload = frame.payload;
  switch (frame.type) {
    case NGHTTP2_HEADERS:
    case NGHTTP2_PUSH_PROMISE:
    case NGHTTP2_CONTINUATION: return follow_header_block(frame, true);
    case NGHTTP2_DATA: {
      Stream* stream = still_answering(frame.stream_id);
      const auto data = data_payload(frame);
      if (stream == nullptr || !data) return;
      stream->data_bytes += static_cast<std::int64_t>(data->size());
      return Callbacks::note_end_stream(*this, stream, (frame.flags & NGHTTP2_FLAG_END_STREAM) != 0);
    }
    case NGHTTP2_RST_STREAM:
      if (payload.size() == 4) Callbacks::on_reset(*this, find(frame.stream_id), http2_u32(payload));
      return;
    case NGHTTP2_GOAWAY: {
      if (payload.size() < 8) return;
      constexpr std::uint32_t kStreamIdMask = 0x7fffffff;  // the reserved top bit is not part of an id
      nghttp2_goaway goaway{};
      goaway.last_stream_id = static_cast<std::int32_t>(http2_u32(payload) & kStreamIdMask);
      goaway.error_code = http2_u32(payload.substr(4));
      goaway.opaque_data = reinterpret_cast<std::uint8_t*>(const_cast<char*>(payload.data() + 8));
      goaway.opaque_data_len = payload.size() - 8;
      return Callbacks::on_goaway(*this, goaway);
    }
    default: return;
  }
}

// A stream whose response may still come: nghttp2 would drop a closed
// stream's frames, and so does the probe.
Http2Session::Stream* Http2Session::still_answering(std::int32_t id) const {
  Stream* stream = find(id);
  if (stream == nullptr || stream->end_stream || stream->reset || stream->closed) return nullptr;
  return stream;
}

void Http2Session::input_ended(std::int64_t now_us) { now_us_ = now_us; }

bool Http2Session::response_done() const {
  // After a violation of the server's the probe still records what comes,
  // but waits for nothing: it watches how the server ends the connection.
  if (!parse_error_.empty() || !violation_.empty() || nghttp2_ended_) return true;
  if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) return true;
  return std::all_of(round_.begin(), round_.end(), [this](const Stream* s) {
    return s->closed || s->end_stream || s->reset || s->refused || !s->violation.empty() ||
           declared_length_problem(*s) == LengthProblem::longer;
  });
}

// Without nghttp2's messaging checks the probe compares a finished
// stream's DATA with its content-length itself (RFC 9113 §8.1.1). A response
// to HEAD, a 204 and a 304 declare a length they never send.
// More DATA than declared is malformed the moment the excess arrives: the
// probe waits for no END_STREAM to say so.
std::optional<Http2Session::LengthProblem> Http2Session::declared_length_problem(const Stream& s) const {
  if (!s.declared_length) return std::nullopt;
  if (spec_.method == "HEAD" || s.status == 204 || s.status == 304) return std::nullopt;
  if (s.data_bytes > *s.declared_length) return LengthProblem::longer;
  if (s.end_stream && s.data_bytes < *s.declared_length) return LengthProblem::shorter;
  return std::nullopt;
}

std::vector<Http2Goaway> Http2Session::kept_goaways() const {
  std::vector<Http2Goaway> kept = goaways_;
  if (last_goaway_) kept.push_back(*last_goaway_);
  return kept;
}

void Http2Session::record(Observation& o, std::size_t exchange) const {
  const Stream& s = *round_.at(exchange);
  o.method = spec_.method;
  o.request_headers = fields_;
  o.head_bytes = s.head_bytes;
  o.head_complete = s.headers_sent;
  o.body_bytes_total = s.body.total();
  o.body_bytes_sent = s.body_sent;
  o.request_bytes_sent = (s.headers_sent ? s.head_bytes : 0) + s.body_sent;
  o.request_complete = s.end_stream_sent;
  o.status = s.status;
  o.interim_responses = s.interim;
  o.http_version = s.status != 0 ? 20 : 0;
  o.header_bytes = s.header_bytes;
  o.body_bytes = s.data_bytes;
  o.response_bytes = o.final_response_bytes = o.wire_bytes_received = s.header_bytes + s.data_bytes;
  if (s.status == 0) o.final_response_bytes = 0;
  o.declared_length = s.declared_length;
  o.module = s.module;
  o.response_headers = s.headers;
  if (keep_head_) o.response_head = s.head;
  const auto length_problem = declared_length_problem(s);
  // A later RST_STREAM does not take a whole response back; a short one
  // (END_STREAM before content-length) is not whole.
  o.response_complete = s.end_stream && !length_problem;
  // What the server did wrong: bytes that are not HTTP/2, or on this stream
  // more DATA than declared, or a violation that ended it.
  o.parse_error = parse_error_;
  if (o.parse_error.empty() && length_problem == LengthProblem::longer) {
    o.parse_error = "HTTP/2: " + std::to_string(s.data_bytes) + " DATA bytes for content-length " +
                    std::to_string(*s.declared_length);
  }
  if (o.parse_error.empty()) o.parse_error = s.violation;
  // An HTTP/2 server that nghttp2 refused (a flood) is still HTTP/2: its first bytes say nothing.
  if (not_http2_) o.first_bytes_hex = to_hex(first_bytes_);
  o.timings.request_sent_us = s.request_sent_us;
  o.timings.first_interim_us = s.first_interim_us;
  o.timings.first_byte_us = s.first_byte_us;
  o.timings.response_complete_us = o.response_complete ? s.complete_us : std::nullopt;
  Http2Facts facts;
  facts.stream_id = s.id;
  facts.streams_on_connection = static_cast<int>(streams_.size());
  facts.end_stream = s.end_stream;
  facts.reset = s.reset;
  facts.refused_by_goaway = s.refused;
  facts.goaways = kept_goaways();
  facts.goaways_total = goaways_total_;
  facts.goaways_dropped = goaways_total_ - static_cast<std::int64_t>(facts.goaways.size());
  facts.settings = settings_;
  facts.local_error = local_error_;
  o.http2 = std::move(facts);
  if (s.reset)
    o.error = "the server reset stream " + std::to_string(s.id) + ": " + s.reset->code_name;
  else if (s.refused)
    o.error = "GOAWAY: stream " + std::to_string(s.id) + " was not processed (safe to retry)";
}

}  // namespace termprobe
