// One client connection of the Linux host, plain or TLS (HostStream), in
// HTTP/1.1 or HTTP/2 (h2c when the client's first bytes are the HTTP/2
// preface, h2 when TLS's ALPN chose it). Every step is an Asio operation on
// the connection's strand: Boost.Beast parses each HTTP/1.1 request, an
// H2Session the HTTP/2 frames,
// the module runs through a RequestRun, responses go out through a queue of
// non-blocking writes. No thread is ever held by a connection, however long
// its client idles, takes to read, or its request waits (delay_ms).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <memory>
#include <optional>

#include "connection_io.h"
#include "h2_session.h"
#include "host_stream.h"
#include "http1_framing.h"
#include "pipeline.h"

namespace termprobe_host {

class ConnectionRegistry;

class Connection : public ConnectionIo, public H2Output, public std::enable_shared_from_this<Connection> {
 public:
  // socket's executor must be a strand: every handler of this connection runs on it.
  // tls: the host's TLS context, or null for plain HTTP. head_timeout:
  // HostOptions::request_head_timeout.
  Connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls,
             const ModuleRegistration& module, ConnectionRegistry& registry,
             std::chrono::milliseconds head_timeout);
  ~Connection() override;

  // Registers with the registry, completes the TLS handshake (if any) and
  // starts reading the first request.
  void start();
  // The host stops, its threads already joined: ends the request, closes
  // at once (no close_notify: nothing more goes out).
  void stop_now();

  bool send_part(ResponsePart part) override;
  void reset() override;
  bool is_reset() const override { return reset_; }
  ReadResult read_body(void* buffer, DWORD size, bool async) override;
  DWORD remaining_body_bytes() const override;
  bool cancel_pending_io() override;
  void post_completion(DWORD bytes) override;

  // H2Output.
  void queue(WireBytes bytes) override { send(std::move(bytes)); }
  void defer(std::function<void(H2Session&)> task) override;

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
  struct Request;

  bool send(WireBytes bytes);
  void on_handshake(const boost::system::error_code& error);
  void sniff_preface();
  void on_sniffed(const boost::system::error_code& error, std::size_t bytes);
  void start_h2();
  void read_h2();
  void on_h2_read(const boost::system::error_code& error, std::size_t bytes);
  void settle_h2();
  void await_head();
  void head_arrived();
  void on_head_deadline();
  void read_header();
  void on_header(const boost::system::error_code& error);
  void start_request();
  void settle(bool finished);
  void resume(const ReadResult& completion);
  void on_posted_completion(DWORD bytes);
  void on_body_read(const boost::system::error_code& error);
  void end_request();
  void write_next();
  void on_written(const boost::system::error_code& error, std::size_t bytes);
  void on_drained();
  void watch_departure();
  void on_watch(const boost::system::error_code& error, std::size_t bytes);
  void abandon();
  void answer_bad_request();
  void close_socket(bool hard);

  const boost::asio::any_io_executor executor_;  // the strand; fixed, so any thread may post to it
  HostStream stream_;
  const ModuleRegistration& module_;
  ConnectionRegistry& registry_;
  const std::chrono::milliseconds head_timeout_;
  boost::asio::steady_timer head_deadline_;  // on the strand: set while a request head is awaited
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::unique_ptr<Request> request_;
  Http1Framer framer_;
  std::unique_ptr<H2Session> h2_;                   // set once the connection speaks HTTP/2
  std::shared_ptr<Connection> self_while_pending_;  // a pending request keeps its connection alive
  WireQueue outgoing_;
  std::optional<ReadResult> deferred_;  // a completion that waits for the watch to stop
  bool writing_ = false;
  bool reset_ = false;
  bool closed_ = false;
  bool broken_ = false;        // a write failed: the client is gone
  bool request_done_ = false;  // the response is finished; the connection goes on once it is out
  bool close_when_drained_ = false;
  bool read_pending_ = false;
  bool awaiting_head_ = false;  // head_deadline_ runs: no complete request head (or h2c preface) yet
  bool watching_ = false;
  DWORD pending_size_ = 0;  // buffer size of the pending read
};

}  // namespace termprobe_host
