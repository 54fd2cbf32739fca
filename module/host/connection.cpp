#include "connection.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

#include "connection_registry.h"

namespace termprobe_host {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::beast::error_code;

namespace {

constexpr std::size_t kHeaderLimit = 64 * 1024;
// While a request waits, the host keeps reading so that it sees the client
// leave; what arrives meanwhile is kept for the parser, up to this much.
constexpr std::size_t kWatchBufferLimit = 64 * 1024;
constexpr std::size_t kWatchReadSize = 4096;
constexpr std::size_t kH2ReadSize = 16 * 1024;

bool client_left(const error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::bad_descriptor ||
         error == asio::error::not_connected || error == asio::error::shut_down ||
         error == asio::error::operation_aborted || error == asio::ssl::error::stream_truncated;
}

// The TLS layer failed (a bad record, an alert from the client): nothing
// more can be read, and a 400 could not be sent.
bool tls_broke(const error_code& error) { return error.category() == asio::error::get_ssl_category(); }

RequestHead head_of(const http::request<http::buffer_body>& message) {
  RequestHead head;
  head.method = std::string(message.method_string());
  head.target = std::string(message.target());
  for (const auto& field : message)
    head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return head;
}

}  // namespace

struct Connection::Request {
  Request(RequestHead head, Connection& connection, bool keep_alive)
      : context(std::move(head), connection),
        run(connection.module_, context, [this, &connection, keep_alive] {
          closing = !keep_alive || !connection.parser_->is_done() || context.response().need_disconnect();
          return closing;
        }) {}

  HostContext context;
  bool closing = false;
  RequestRun run;  // last: disposes the module before the context goes
};

Connection::Connection(asio::ip::tcp::socket socket, asio::ssl::context* tls,
                       const ModuleRegistration& module, ConnectionRegistry& registry,
                       std::chrono::milliseconds head_timeout)
    : executor_(socket.get_executor()),
      stream_(std::move(socket), tls),
      module_(module),
      registry_(registry),
      head_timeout_(head_timeout),
      head_deadline_(executor_) {}

Connection::~Connection() { registry_.remove(this); }

void Connection::start() {
  registry_.add(shared_from_this());
  asio::post(executor_, [self = shared_from_this()] {
    self->await_head();  // the handshake counts: a client silent in it holds a slot as well
    self->stream_.async_handshake([self](const error_code& error) { self->on_handshake(error); });
  });
}

void Connection::stop_now() {
  closed_ = true;
  stream_.close();
  abandon();
}

// A failed handshake has sent its alert (OpenSSL's); no HTTP happened.
// Over TLS, ALPN has chosen the protocol; in plain TCP, the first bytes do.
void Connection::on_handshake(const error_code& error) {
  if (closed_) return;
  if (error) {
    closed_ = true;
    return stream_.close();
  }
  if (!stream_.is_tls()) return sniff_preface();
  if (stream_.alpn() == "h2") return start_h2();
  read_header();
}

// Reads until the bytes received either are the HTTP/2 preface or can no
// longer become it; HTTP/1.1's parser then starts from those same bytes.
void Connection::sniff_preface() {
  const auto data = buffer_.data();
  const std::string_view seen(static_cast<const char*>(data.data()), data.size());
  const std::size_t compared = std::min(seen.size(), kH2Preface.size());
  if (seen.substr(0, compared) != kH2Preface.substr(0, compared)) return read_header();
  if (compared == kH2Preface.size()) return start_h2();
  stream_.async_read_some(buffer_.prepare(kH2Preface.size() - seen.size()),
                          [self = shared_from_this()](const error_code& read_error, std::size_t bytes) {
                            self->on_sniffed(read_error, bytes);
                          });
}

void Connection::on_sniffed(const error_code& error, std::size_t bytes) {
  buffer_.commit(bytes);
  if (closed_) return;
  if (error) return close_socket(false);  // gone before a whole request line or preface
  sniff_preface();
}

void Connection::start_h2() {
  head_arrived();
  try {
    h2_ = std::make_unique<H2Session>(module_, *this);
  } catch (const std::exception&) {
    return close_socket(true);
  }
  const auto data = buffer_.data();
  h2_->receive(std::string_view(static_cast<const char*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  settle_h2();
  read_h2();
}

void Connection::read_h2() {
  if (closed_) return;
  stream_.async_read_some(buffer_.prepare(kH2ReadSize),
                          [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                            self->on_h2_read(error, bytes);
                          });
}

// A client that closes (or half-closes) is gone, as on HTTP/1.1: its
// streams' work stops.
void Connection::on_h2_read(const error_code& error, std::size_t bytes) {
  buffer_.commit(bytes);
  if (closed_ || !h2_) return;
  const auto data = buffer_.data();
  const bool accepted = h2_->receive(std::string_view(static_cast<const char*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  if (error) return abandon();
  settle_h2();
  if (accepted && h2_->alive()) read_h2();
}

// Once nghttp2 has nothing left to read or write (a final GOAWAY went out),
// the connection ends in order once its bytes are out.
void Connection::settle_h2() {
  if (!h2_ || closed_) return;
  h2_->settle();
  if (h2_->alive()) return;
  if (!writing_ && outgoing_.empty()) return close_socket(false);
  close_when_drained_ = true;
}

void Connection::defer(std::function<void(H2Session&)> task) {
  auto self = weak_from_this().lock();
  if (!self) return;
  asio::post(executor_, [self, task = std::move(task)] {
    if (self->closed_ || !self->h2_) return;
    task(*self->h2_);
    self->settle_h2();
  });
}

// The clock runs until the request head is complete (or the h2c preface
// is in); it holds no reference, so the connection may go before it fires.
void Connection::await_head() {
  awaiting_head_ = true;
  head_deadline_.expires_after(head_timeout_);
  head_deadline_.async_wait([weak = weak_from_this()](const error_code& error) {
    if (auto self = weak.lock(); self && !error) self->on_head_deadline();
  });
}

void Connection::head_arrived() {
  awaiting_head_ = false;
  head_deadline_.cancel();
}

// Too slow: closed without an answer, the pending read ends with the socket
// (a FIN; the kernel's RST instead if bytes were left unread). A 408 would
// invite the client to go on writing what the host no longer reads.
void Connection::on_head_deadline() {
  if (closed_ || !awaiting_head_) return;  // the head made it while the expiry was queued
  closed_ = true;
  stream_.close();
}

void Connection::read_header() {
  parser_.emplace();
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // the module decides what to read
  parser_->header_limit(kHeaderLimit);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& error, std::size_t) { self->on_header(error); });
}

void Connection::on_header(const error_code& error) {
  if (closed_) return;
  head_arrived();
  if (!error) return start_request();
  if (client_left(error) || tls_broke(error)) return close_socket(false);
  answer_bad_request();
}

void Connection::start_request() {
  request_ = std::make_unique<Request>(head_of(parser_->get()), *this, parser_->get().keep_alive());
  settle(request_->run.start());
}

// A request left pending holds its connection (nothing else may, while it
// waits on a timer) and watches for its client leaving, unless the module
// is reading the body itself.
void Connection::settle(bool finished) {
  if (!finished) {
    self_while_pending_ = shared_from_this();
    watch_departure();
    return;
  }
  self_while_pending_.reset();
  request_done_ = true;
  if (!writing_) end_request();
}

void Connection::resume(const ReadResult& completion) {
  if (!request_ || !request_->run.pending()) return;
  settle(request_->run.resume(completion));
}

void Connection::post_completion(DWORD bytes) {
  auto self = weak_from_this().lock();
  if (!self) return;
  asio::post(executor_, [self, bytes] { self->on_posted_completion(bytes); });
}

void Connection::on_posted_completion(DWORD bytes) {
  if (watching_) {
    // The watch's read must end before the module may read the body itself.
    deferred_.emplace().bytes = bytes;
    stream_.cancel_reads();
    return;
  }
  resume(ReadResult{S_OK, bytes, false});
}

// The response is finished and out: the module's memory is no longer
// referenced, so the module goes; then the connection closes or reads on.
void Connection::end_request() {
  if (read_pending_) close_socket(true);  // the module finished with its own read still pending
  const bool closing = request_ == nullptr || request_->closing;
  request_.reset();
  request_done_ = false;
  if (closed_) return;
  if (broken_) return close_socket(false);
  if (closing && !parser_->is_done()) {
    // Request body left unread: a plain close() would send FIN or RST
    // depending on whether unread bytes happened to be buffered at that
    // instant. The host resets every time, so its behaviour is one thing.
    // What IIS does here is unverified.
    return close_socket(true);
  }
  if (closing) return close_socket(false);  // close_notify (TLS), FIN after the response
  await_head();
  read_header();
}

void Connection::answer_bad_request() {
  static constexpr std::string_view kBadRequest =
      "HTTP/1.1 400 Bad Request\r\nServer: termprobe-module-host\r\nContent-Length: 12\r\n"
      "Connection: close\r\n\r\nBad Request\n";
  WireBytes bytes;
  bytes.add_borrowed(kBadRequest);
  close_when_drained_ = true;
  send(std::move(bytes));
}

void Connection::watch_departure() {
  if (watching_ || closed_ || read_pending_ || buffer_.size() >= kWatchBufferLimit) return;
  watching_ = true;
  stream_.async_read_some(buffer_.prepare(kWatchReadSize),
                          [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                            self->on_watch(error, bytes);
                          });
}

void Connection::on_watch(const error_code& error, std::size_t bytes) {
  watching_ = false;
  buffer_.commit(bytes);
  if (closed_) return;
  if (deferred_) {
    const ReadResult completion = *deferred_;
    deferred_.reset();
    return resume(completion);
  }
  if (error == asio::error::operation_aborted) return;
  // A client that closes (or half-closes) while its request waits is taken
  // as gone: it can no longer be told anything the module decides later.
  if (error) return abandon();
  if (request_ && request_->run.pending()) watch_departure();
}

// The work for the request stops: the socket closes first (no read or write
// touches the module's memory after that), then the module is disposed,
// which cancels its timer.
void Connection::abandon() {
  close_socket(false);
  outgoing_.clear();
  h2_.reset();
  request_.reset();
  request_done_ = false;
  deferred_.reset();
  self_while_pending_.reset();
}

// hard: RST, unsent data dropped, no close_notify. Otherwise the orderly
// end: close_notify over TLS, then FIN, then the socket closes. Over TLS
// both are the host's choice: what IIS (HTTP.sys) sends there is unverified.
void Connection::close_socket(bool hard) {
  if (closed_) return;
  closed_ = true;
  if (hard) return stream_.reset();
  stream_.async_finish([self = shared_from_this()] { self->stream_.close(); });
}

}  // namespace termprobe_host
