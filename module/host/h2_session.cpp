#include "h2_session.h"

#include <array>
#include <cctype>
#include <stdexcept>
#include <string>
#include <utility>

namespace termprobe_host {
namespace {

nghttp2_nv header_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// RFC 9113 §8.2.2: connection-specific fields have no place in HTTP/2.
bool connection_specific(const std::string& name) {
  return name == "connection" || name == "transfer-encoding" || name == "keep-alive" ||
         name == "proxy-connection" || name == "upgrade";
}

long read_callback(nghttp2_session*, std::int32_t, std::uint8_t* buffer, std::size_t length,
                   std::uint32_t* flags, nghttp2_data_source* source, void*) {
  return static_cast<H2Stream*>(source->ptr)->read_data(buffer, length, flags);
}

}  // namespace

H2Session::H2Session(const ModuleRegistration& module, H2Output& output) : module_(module), output_(output) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::runtime_error("nghttp2: no memory");
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_option* options = nullptr;
  nghttp2_option_new(&options);
  // The window opens as the module reads the body: a client cannot make the
  // host hold more than a window of unread body per stream.
  nghttp2_option_set_no_auto_window_update(options, 1);
  const int made = nghttp2_session_server_new2(&session_, callbacks, this, options);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);
  if (made != 0) throw std::runtime_error(std::string("nghttp2: ") + nghttp2_strerror(made));
  const std::array<nghttp2_settings_entry, 1> settings{
      {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxStreams}}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
}

// The streams go first: their modules are disposed while nothing can call
// back into them (no nghttp2 call happens here).
H2Session::~H2Session() {
  streams_.clear();
  nghttp2_session_del(session_);
}

bool H2Session::receive(std::string_view bytes) {
  if (failed_) return false;
  const auto used =
      nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (used < 0) {
    failed_ = true;
    // What the client gets for it: GOAWAY(PROTOCOL_ERROR), unless nghttp2
    // already queued its own.
    nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
  }
  return !failed_;
}

void H2Session::settle() {
  while (!ready_.empty()) {
    const std::int32_t id = ready_.front();
    ready_.erase(ready_.begin());
    if (H2Stream* stream = find(id); stream != nullptr && !stream->closed()) stream->start();
  }
  pump();
  sweep();
  // SetNeedDisconnect on HTTP/2 (the host's choice; what HTTP.sys does is
  // unverified): once no stream is left, GOAWAY(last stream, NO_ERROR),
  // then the connection closes.
  if (disconnect_ && !terminated_ && streams_.empty()) {
    terminated_ = true;
    nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
    pump();
  }
}

bool H2Session::alive() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

void H2Session::pump(std::size_t limit) {
  WireBytes out;
  std::size_t total = 0;
  while (total < limit) {
    const std::uint8_t* data = nullptr;
    const auto length = nghttp2_session_mem_send(session_, &data);
    if (length < 0) failed_ = true;
    if (length <= 0) break;
    out.add_text(std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length)));
    total += static_cast<std::size_t>(length);
  }
  if (total > 0) output_.queue(std::move(out));
}

void H2Session::sweep() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (!it->second->closed()) {
      ++it;
      continue;
    }
    if (it->second->need_disconnect()) disconnect_ = true;
    it = streams_.erase(it);
  }
}

H2Stream* H2Session::find(std::int32_t stream) {
  const auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : it->second.get();
}

void H2Session::submit_response(H2Stream& stream, const ResponsePart& part) {
  if (part.goaway_first) shutdown_notice();
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back(":status", std::to_string(part.head->status));
  fields.emplace_back("server", "termprobe-module-host");
  for (const auto& [name, value] : part.head->headers) {
    std::string lower = lowercase(name);
    if (!connection_specific(lower)) fields.emplace_back(std::move(lower), value);
  }
  if (part.final && part.head->find("Content-Length") == nullptr) {
    std::size_t size = 0;
    for (const auto piece : part.body) size += piece.size();
    fields.emplace_back("content-length", std::to_string(size));
  }
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : fields) nva.push_back(header_nv(name, value));
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = read_callback;
  nghttp2_submit_response(session_, stream.id(), nva.data(), nva.size(), &provider);
}

void H2Session::resume_data(std::int32_t stream) { nghttp2_session_resume_data(session_, stream); }

// nghttp2 sends RST_STREAM ahead of DATA still queued and drops that DATA:
// what the module flushed is put on the wire first.
void H2Session::reset_stream(std::int32_t stream, std::uint32_t code) {
  pump(static_cast<std::size_t>(-1));
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, code);
  pump();
}

void H2Session::shutdown_notice() { nghttp2_submit_shutdown_notice(session_); }

void H2Session::consume(std::int32_t stream, std::size_t bytes) {
  nghttp2_session_consume(session_, stream, bytes);
}

void H2Session::consume_unread(std::size_t bytes) { nghttp2_session_consume_connection(session_, bytes); }

int H2Session::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    RequestHead head;
    head.major_version = 2;
    static_cast<H2Session*>(self)->heads_[frame->hd.stream_id] = std::move(head);
  }
  return 0;
}

int H2Session::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                         std::uint8_t, void* self) {
  auto& heads = static_cast<H2Session*>(self)->heads_;
  const auto it = heads.find(frame->hd.stream_id);
  if (it == heads.end()) return 0;
  const std::string key(reinterpret_cast<const char*>(name), name_length);
  std::string text(reinterpret_cast<const char*>(value), value_length);
  RequestHead& head = it->second;
  if (key == ":method")
    head.method = std::move(text);
  else if (key == ":path")
    head.target = std::move(text);
  else if (key == ":authority")
    head.headers.emplace_back("Host", std::move(text));
  else if (key[0] != ':')
    head.headers.emplace_back(key, std::move(text));
  return 0;
}

int H2Session::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto& session = *static_cast<H2Session*>(self);
  const std::int32_t id = frame->hd.stream_id;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    const auto head = session.heads_.find(id);
    if (head == session.heads_.end()) return 0;
    session.streams_[id] = std::make_unique<H2Stream>(session, id, std::move(head->second), session.module_);
    session.heads_.erase(head);
    session.ready_.push_back(id);  // the module runs once nghttp2 has returned (settle)
  }
  const bool ends = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                    (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (ends) {
    if (H2Stream* stream = session.find(id)) stream->on_body_end();
  }
  return 0;
}

int H2Session::on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream, const std::uint8_t* data,
                             std::size_t length, void* self) {
  auto& session = *static_cast<H2Session*>(self);
  if (H2Stream* found = session.find(stream))
    found->on_body_data(std::string_view(reinterpret_cast<const char*>(data), length));
  else
    nghttp2_session_consume_connection(session.session_, length);
  return 0;
}

int H2Session::on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t, void* self) {
  auto& session = *static_cast<H2Session*>(self);
  session.heads_.erase(stream);
  if (H2Stream* found = session.find(stream)) found->on_closed();
  return 0;
}

}  // namespace termprobe_host
