#include "host_stream.h"

#include <openssl/ssl.h>

#include <algorithm>

namespace termprobe_host {

namespace asio = boost::asio;

HostStream::HostStream(asio::ip::tcp::socket socket, asio::ssl::context* tls) : socket_(std::move(socket)) {
  if (tls != nullptr) tls_.emplace(socket_, *tls);
}

std::string HostStream::alpn() {
  if (!tls_) return {};
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(tls_->native_handle(), &name, &length);
  return name == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(name), length);
}

std::size_t HostStream::ready_bytes() {
  if (tls_) return static_cast<std::size_t>(std::max(0, SSL_pending(tls_->native_handle())));
  error_code error;
  const std::size_t bytes = socket_.available(error);
  return error ? 0 : bytes;
}

void HostStream::cancel_reads() {
  if (tls_writing_) {
    cancel_after_write_ = true;
    return;
  }
  cancel_now();
}

void HostStream::cancel_now() {
  cancel_after_write_ = false;
  error_code ignored;
  socket_.cancel(ignored);
}

void HostStream::shutdown_sending() {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

// SSL_shutdown waits for the client's close_notify once it has sent its
// own; the host does not (a client need never answer), so it takes the
// answer as had: the shutdown completes as soon as close_notify is out.
void HostStream::mark_close_notify_answered() {
  SSL* session = tls_->native_handle();
  SSL_set_shutdown(session, SSL_get_shutdown(session) | SSL_RECEIVED_SHUTDOWN);
}

void HostStream::reset() {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void HostStream::close() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace termprobe_host
