// The bytes of one client connection: plain TCP, or TLS over it. One
// Connection serves both; Beast reads requests from it as from a socket.
// Where the two differ is here: the handshake, how a read is cancelled, and
// how the host ends the connection (TLS: close_notify before the FIN; a
// reset never sends one).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace termprobe_host {

class HostStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using error_code = boost::system::error_code;

  // tls: the host's server context, or null for plain HTTP.
  HostStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  HostStream(const HostStream&) = delete;  // the TLS layer refers to socket_
  HostStream& operator=(const HostStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // The server side of the TLS handshake; plain TCP has none (the handler
  // is posted with no error).
  template <class Handler>
  void async_handshake(Handler&& handler) {
    if (tls_)
      return tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
    boost::asio::post(socket_.get_executor(),
                      [handler = std::forward<Handler>(handler)]() mutable { handler(error_code()); });
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (!tls_) return socket_.async_write_some(buffers, std::forward<Handler>(handler));
    tls_writing_ = true;
    tls_->async_write_some(buffers, [this, handler = std::forward<Handler>(handler)](
                                        const error_code& error, std::size_t bytes) mutable {
      tls_writing_ = false;
      if (cancel_after_write_) cancel_now();
      handler(error, bytes);
    });
  }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& error) {
    return tls_ ? tls_->read_some(buffers, error) : socket_.read_some(buffers, error);
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    return tls_ ? tls_->read_some(buffers) : socket_.read_some(buffers);
  }

  bool is_tls() const { return tls_.has_value(); }
  // The protocol ALPN chose in the handshake ("h2", "http/1.1"), or "".
  std::string alpn();

  // Request bytes a read returns without waiting on the network (TLS:
  // decrypted ones; a partial record would make a synchronous read wait).
  std::size_t ready_bytes();

  // Ends the pending read with operation_aborted. Plain TCP cancels at once
  // (a write cancelled with it goes on from the bytes it reports); a TLS
  // write cut short would cut a record, so with one in flight the cancel
  // waits for it to complete.
  void cancel_reads();

  // The host's orderly end: TLS sends close_notify (once what is queued has
  // gone out), then the FIN. handler() runs after the FIN; the socket stays
  // open until close().
  template <class Handler>
  void async_finish(Handler&& handler) {
    if (!tls_) {
      shutdown_sending();
      return boost::asio::post(socket_.get_executor(), std::forward<Handler>(handler));
    }
    mark_close_notify_answered();
    tls_->async_shutdown([this, handler = std::forward<Handler>(handler)](const error_code&) mutable {
      shutdown_sending();
      handler();
    });
  }

  // TCP RST: SO_LINGER {1,0} then close; data not yet sent is dropped, and
  // TLS sends no close_notify.
  void reset();
  // Closes the socket now: a FIN (or RST, with unread bytes), TLS or not.
  void close();

 private:
  void cancel_now();
  void shutdown_sending();
  void mark_close_notify_answered();

  boost::asio::ip::tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  bool tls_writing_ = false;         // a TLS record is going out
  bool cancel_after_write_ = false;  // cancel_reads() waits for that record
};

}  // namespace termprobe_host
