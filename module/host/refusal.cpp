#include "refusal.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string_view>

#include "host_stream.h"

namespace termprobe_host {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::string_view kServiceUnavailable =
    "HTTP/1.1 503 Service Unavailable\r\nServer: termprobe-module-host\r\nContent-Type: text/plain\r\n"
    "Content-Length: 41\r\nConnection: close\r\n\r\ntermprobe host: connection limit reached\n";
static_assert(kServiceUnavailable.size() - kServiceUnavailable.find("\r\n\r\n") - 4 == 41);

constexpr auto kDrainTime = std::chrono::seconds(1);

struct Refused : std::enable_shared_from_this<Refused> {
  Refused(asio::ip::tcp::socket peer, asio::ssl::context* tls)
      : stream(std::move(peer), tls), deadline(stream.get_executor()) {}

  void start() {
    deadline.expires_after(kDrainTime);
    deadline.async_wait([self = shared_from_this()](error_code error) {
      if (!error) self->close();
    });
    stream.async_handshake([self = shared_from_this()](error_code error) {
      if (error) return self->close();
      self->answer();
    });
  }

  void answer() {
    asio::async_write(stream, asio::buffer(kServiceUnavailable.data(), kServiceUnavailable.size()),
                      [self = shared_from_this()](error_code error, std::size_t) {
                        if (error) return self->close();
                        self->stream.async_finish([self] { self->drain(); });
                      });
  }

  // The raw socket: what a client sends after close_notify needs no decrypting.
  void drain() {
    stream.socket().async_read_some(asio::buffer(sink),
                                    [self = shared_from_this()](error_code error, std::size_t) {
                                      if (error) return self->close();
                                      self->drain();
                                    });
  }

  void close() {
    deadline.cancel();
    stream.close();
  }

  HostStream stream;
  asio::steady_timer deadline;
  std::array<char, 1024> sink{};
};

}  // namespace

void refuse(asio::ip::tcp::socket socket, asio::ssl::context* tls) {
  std::make_shared<Refused>(std::move(socket), tls)->start();
}

}  // namespace termprobe_host
