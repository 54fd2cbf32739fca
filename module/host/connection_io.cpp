// The ConnectionIo side of Connection: what the module's requests do to the
// socket (writes, reset, body reads, CancelIo).
#include <boost/beast/http/read.hpp>

#include "connection.h"

namespace termprobe_host {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::beast::error_code;

namespace {

HRESULT read_status(const error_code& error) {
  if (!error || error == http::error::need_buffer) return S_OK;
  if (error == asio::error::operation_aborted) return HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED);
  if (error == http::error::end_of_stream || error == asio::error::eof)
    return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
  return HRESULT_FROM_WIN32(ERROR_CONNECTION_INVALID);
}

}  // namespace

bool Connection::send_part(ResponsePart part) { return send(framer_.frame(part)); }

bool Connection::send(WireBytes bytes) {
  if (reset_ || closed_ || broken_) return false;
  if (bytes.pieces().empty()) return true;
  outgoing_.push(std::move(bytes));
  if (!writing_) write_next();
  return true;
}

void Connection::write_next() {
  if (outgoing_.empty()) return on_drained();
  writing_ = true;
  stream_.async_write_some(outgoing_.next_buffers(),
                           [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                             self->on_written(error, bytes);
                           });
}

void Connection::on_written(const error_code& error, std::size_t bytes) {
  writing_ = false;
  outgoing_.consume(bytes);
  if (closed_) return;
  // operation_aborted comes from a cancel meant for a read (CancelIo, the
  // watch): the write goes on, as no send is ever cancelled on the host.
  if (error && error != asio::error::operation_aborted) {
    broken_ = true;
    outgoing_.clear();
  }
  write_next();
}

void Connection::on_drained() {
  if (h2_ && !closed_) return settle_h2();
  if (reset_ && !closed_) close_socket(true);
  if (request_done_) return end_request();
  if (close_when_drained_) close_socket(false);
}

void Connection::reset() {
  if (reset_ || closed_) return;
  reset_ = true;
  if (!writing_) close_socket(true);  // otherwise once what is queued has gone out (on_drained)
}

ReadResult Connection::read_body(void* buffer, DWORD size, bool async) {
  if (!parser_ || parser_->is_done() || reset_ || closed_)
    return {HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), 0, false};
  if (read_pending_ || watching_) return {HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), 0, false};
  auto& body = parser_->get().body();
  body.data = buffer;
  body.size = size;
  body.more = true;
  error_code error;
  const bool data_waiting = buffer_.size() > 0 || stream_.ready_bytes() > 0;
  if (!async || data_waiting) {
    // Blocks only for a synchronous read with nothing received yet, which
    // the termprobe module never asks for.
    http::read_some(stream_, buffer_, *parser_, error);
    const auto bytes = static_cast<DWORD>(size - body.size);
    if (bytes == 0 && read_status(error) != S_OK) return {read_status(error), 0, false};
    return {S_OK, bytes, false};
  }
  read_pending_ = true;
  pending_size_ = size;
  http::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& result, std::size_t) { self->on_body_read(result); });
  return {S_OK, 0, true};
}

void Connection::on_body_read(const error_code& error) {
  read_pending_ = false;
  const auto bytes = static_cast<DWORD>(pending_size_ - parser_->get().body().size);
  resume(ReadResult{bytes > 0 ? S_OK : read_status(error), bytes, false});
}

DWORD Connection::remaining_body_bytes() const {
  if (!parser_ || parser_->is_done()) return 0;
  const auto remaining = parser_->content_length_remaining();
  return remaining ? static_cast<DWORD>(std::min<std::uint64_t>(*remaining, 0xffffffffu)) : 0;
}

bool Connection::cancel_pending_io() {
  if (!read_pending_) return false;
  stream_.cancel_reads();
  return true;
}

}  // namespace termprobe_host
