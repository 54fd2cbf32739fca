#include "h2_stream.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "h2_session.h"

namespace termprobe_host {
namespace {

std::optional<std::uint64_t> content_length(const RequestHead& head) {
  for (const auto& [name, value] : head.headers) {
    if (!same_header_name(name, "content-length")) continue;
    std::uint64_t length = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (error == std::errc() && end == value.data() + value.size()) return length;
  }
  return std::nullopt;
}

}  // namespace

H2Stream::H2Stream(H2Session& session, std::int32_t id, RequestHead head, const ModuleRegistration& module)
    : session_(session),
      id_(id),
      declared_length_(content_length(head)),
      context_(std::move(head), *this),
      run_(module, context_, [] { return false; }) {}

H2Stream::~H2Stream() {
  if (!body_in_.empty()) session_.consume_unread(body_in_.size());
}

void H2Stream::start() {
  run_.start();
  session_.pump();
}

void H2Stream::resume(const ReadResult& completion) {
  if (closed_ || !run_.pending()) return;
  run_.resume(completion);
}

bool H2Stream::send_part(ResponsePart part) {
  if (reset_ || closed_) return false;
  body_out_.insert(body_out_.end(), part.body.begin(), part.body.end());
  response_final_ = part.final;
  if (part.head != nullptr) {
    session_.submit_response(*this, part);
  } else {
    session_.resume_data(id_);
  }
  session_.pump();
  return true;
}

// The host's choice for ResetConnection on HTTP/2: the stream alone is
// reset, with INTERNAL_ERROR, what newer HTTP.sys builds are publicly said
// to send (older ones: CANCEL). Unverified on IIS.
void H2Stream::reset() { reset_stream(NGHTTP2_INTERNAL_ERROR); }

bool H2Stream::reset_stream(std::uint32_t code) {
  if (reset_) return true;
  reset_ = true;
  body_out_.clear();
  if (!closed_) session_.reset_stream(id_, code);
  return true;
}

long H2Stream::read_data(std::uint8_t* buffer, std::size_t length, std::uint32_t* flags) {
  std::size_t copied = 0;
  while (copied < length && !body_out_.empty()) {
    std::string_view& piece = body_out_.front();
    const std::size_t take = std::min(piece.size(), length - copied);
    std::memcpy(buffer + copied, piece.data(), take);
    copied += take;
    piece.remove_prefix(take);
    if (piece.empty()) body_out_.pop_front();
  }
  if (body_out_.empty() && response_final_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<long>(copied);
  }
  return copied > 0 ? static_cast<long>(copied) : static_cast<long>(NGHTTP2_ERR_DEFERRED);
}

void H2Stream::on_body_data(std::string_view bytes) {
  body_in_.append(bytes);
  body_received_ += bytes.size();
  if (read_buffer_ != nullptr) {
    session_.defer([id = id_](H2Session& session) {
      if (H2Stream* stream = session.find(id)) stream->complete_read();
    });
  }
}

void H2Stream::on_body_end() {
  body_ended_ = true;
  if (read_buffer_ != nullptr) {
    session_.defer([id = id_](H2Session& session) {
      if (H2Stream* stream = session.find(id)) stream->complete_read();
    });
  }
}

// A pending read completes with what arrived (or end of body), in
// OnAsyncCompletion, as on HTTP/1.1.
void H2Stream::complete_read() {
  if (read_buffer_ == nullptr) return;
  if (body_in_.empty() && !body_ended_) return;
  void* buffer = std::exchange(read_buffer_, nullptr);
  const ReadResult result = read_body(buffer, read_size_, false);
  resume(result);
}

// Synchronous reads never wait on HTTP/2 (the strand must not block): they
// return what has arrived, or a pending read's result for an async one.
ReadResult H2Stream::read_body(void* buffer, DWORD size, bool async) {
  if (reset_ || closed_) return {HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), 0, false};
  if (read_buffer_ != nullptr) return {HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), 0, false};
  if (!body_in_.empty()) {
    const auto bytes = static_cast<DWORD>(std::min<std::size_t>(size, body_in_.size()));
    std::memcpy(buffer, body_in_.data(), bytes);
    body_in_.erase(0, bytes);
    session_.consume(id_, bytes);
    return {S_OK, bytes, false};
  }
  if (body_ended_ || !async) return {HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), 0, false};
  read_buffer_ = buffer;
  read_size_ = size;
  return {S_OK, 0, true};
}

DWORD H2Stream::remaining_body_bytes() const {
  if (body_ended_ || !declared_length_) return 0;
  const std::uint64_t read = body_received_ - body_in_.size();
  const std::uint64_t left = *declared_length_ > read ? *declared_length_ - read : 0;
  return static_cast<DWORD>(std::min<std::uint64_t>(left, 0xffffffffu));
}

bool H2Stream::cancel_pending_io() {
  if (read_buffer_ == nullptr) return false;
  read_buffer_ = nullptr;
  session_.defer([id = id_](H2Session& session) {
    if (H2Stream* stream = session.find(id))
      stream->resume(ReadResult{HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), 0, false});
  });
  return true;
}

void H2Stream::post_completion(DWORD bytes) {
  session_.defer([id = id_, bytes](H2Session& session) {
    if (H2Stream* stream = session.find(id)) stream->resume(ReadResult{S_OK, bytes, false});
  });
}

}  // namespace termprobe_host
