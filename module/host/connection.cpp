#include "connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

namespace termprobe_host {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::beast::error_code;

namespace {

HRESULT hresult_of(const error_code& error) {
  if (!error || error == http::error::need_buffer) return S_OK;
  if (error == asio::error::operation_aborted) return HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED);
  if (error == http::error::end_of_stream || error == asio::error::eof)
    return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
  return HRESULT_FROM_WIN32(ERROR_CONNECTION_INVALID);
}

RequestHead head_of(const http::request<http::buffer_body>& message) {
  RequestHead head;
  head.method = std::string(message.method_string());
  head.target = std::string(message.target());
  for (const auto& field : message)
    head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return head;
}

}  // namespace

Connection::Connection(asio::io_context& context, asio::ip::tcp::socket socket,
                       const ModuleRegistration& module, ConnectionRegistry& registry)
    : context_(context), socket_(std::move(socket)), module_(module), registry_(registry) {
  registry_.add(socket_.native_handle());
}

Connection::~Connection() { close_socket(false); }

void Connection::serve() {
  while (serve_one()) {
  }
  close_socket(false);
}

// Returns true when the connection stays open for another request.
bool Connection::serve_one() {
  parser_.emplace();
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // the module decides what to read
  parser_->header_limit(64 * 1024);
  error_code error;
  http::read_header(socket_, buffer_, *parser_, error);
  if (error) {
    const bool client_left = error == http::error::end_of_stream || error == asio::error::eof ||
                             error == asio::error::connection_reset || error == asio::error::bad_descriptor ||
                             error == asio::error::not_connected || error == asio::error::shut_down;
    if (!client_left) answer_bad_request();
    return false;
  }
  const bool client_keeps_alive = parser_->get().keep_alive();
  HostContext context(head_of(parser_->get()), *this);
  bool closing = false;
  run_request(
      module_, context, [this] { return wait_for_completion(); },
      [&] {
        closing = !client_keeps_alive || !parser_->is_done() || context.response().need_disconnect();
        return closing;
      });
  if (reset_ || closed_) return false;
  if (closing && !parser_->is_done()) {
    // Request body left unread: a plain close() would send FIN or RST
    // depending on whether unread bytes happened to be buffered at that
    // instant. The host resets every time, so its behaviour is one thing.
    // What IIS does here is unverified.
    close_socket(true);
    return false;
  }
  if (closing) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, error);  // FIN after the response
    close_socket(false);
    return false;
  }
  return true;
}

void Connection::answer_bad_request() {
  static constexpr std::string_view kBadRequest =
      "HTTP/1.1 400 Bad Request\r\nServer: termprobe-module-host\r\nContent-Length: 12\r\n"
      "Connection: close\r\n\r\nBad Request\n";
  send(kBadRequest);
}

bool Connection::send(std::string_view bytes) {
  if (reset_ || closed_) return false;
  error_code error;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), error);
  return !error;
}

void Connection::reset() {
  if (reset_ || closed_) return;
  reset_ = true;
  close_socket(true);
}

ReadResult Connection::read_body(void* buffer, DWORD size, bool async) {
  if (!parser_ || parser_->is_done() || reset_ || closed_)
    return {HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), 0, false};
  if (read_pending_) return {HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), 0, false};
  auto& body = parser_->get().body();
  body.data = buffer;
  body.size = size;
  body.more = true;
  error_code error;
  const bool data_waiting = buffer_.size() > 0 || socket_.available(error) > 0;
  if (!async || data_waiting) {
    http::read_some(socket_, buffer_, *parser_, error);
    const auto bytes = static_cast<DWORD>(size - body.size);
    if (bytes == 0 && hresult_of(error) != S_OK) return {hresult_of(error), 0, false};
    return {S_OK, bytes, false};
  }
  read_pending_ = true;
  pending_size_ = size;
  completion_.reset();
  http::async_read_some(socket_, buffer_, *parser_, [this](error_code result, std::size_t) {
    read_pending_ = false;
    const auto bytes = static_cast<DWORD>(pending_size_ - parser_->get().body().size);
    completion_ = ReadResult{bytes > 0 ? S_OK : hresult_of(result), bytes, false};
  });
  return {S_OK, 0, true};
}

std::optional<ReadResult> Connection::wait_for_completion() {
  while (!completion_ && read_pending_) {
    context_.restart();
    if (context_.run_one() == 0) break;
  }
  std::optional<ReadResult> result = std::move(completion_);
  completion_.reset();
  return result;
}

DWORD Connection::remaining_body_bytes() const {
  if (!parser_ || parser_->is_done()) return 0;
  const auto remaining = parser_->content_length_remaining();
  return remaining ? static_cast<DWORD>(std::min<std::uint64_t>(*remaining, 0xffffffffu)) : 0;
}

bool Connection::cancel_pending_io() {
  if (!read_pending_) return false;
  error_code error;
  socket_.cancel(error);
  return true;
}

void Connection::close_socket(bool hard) {
  if (closed_) return;
  closed_ = true;
  // Cancels a pending read first so its handler runs (aborted) and the
  // socket object can be released.
  error_code error;
  socket_.cancel(error);
  registry_.close(socket_.release(error), hard);
}

void ConnectionRegistry::add(int fd) {
  std::lock_guard lock(mutex_);
  fds_.push_back(fd);
}

void ConnectionRegistry::close(int fd, bool hard) {
  std::lock_guard lock(mutex_);
  fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
  if (fd < 0) return;
  if (hard) {
    linger reset_now{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset_now, sizeof(reset_now));
  }
  ::close(fd);
}

void ConnectionRegistry::shutdown_all() {
  std::lock_guard lock(mutex_);
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
}

void ConnectionRegistry::thread_started() {
  std::lock_guard lock(mutex_);
  ++threads_;
}

void ConnectionRegistry::thread_finished() {
  std::lock_guard lock(mutex_);
  --threads_;
  idle_.notify_all();
}

void ConnectionRegistry::wait_for_threads() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return threads_ == 0; });
}

}  // namespace termprobe_host
