#include "refusal.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string_view>

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
  explicit Refused(asio::ip::tcp::socket peer) : socket(std::move(peer)), deadline(socket.get_executor()) {}

  void start() {
    deadline.expires_after(kDrainTime);
    deadline.async_wait([self = shared_from_this()](error_code error) {
      if (!error) self->close();
    });
    asio::async_write(socket, asio::buffer(kServiceUnavailable.data(), kServiceUnavailable.size()),
                      [self = shared_from_this()](error_code error, std::size_t) {
                        if (error) return self->close();
                        self->socket.shutdown(asio::ip::tcp::socket::shutdown_send, error);
                        self->drain();
                      });
  }

  void drain() {
    socket.async_read_some(asio::buffer(sink), [self = shared_from_this()](error_code error, std::size_t) {
      if (error) return self->close();
      self->drain();
    });
  }

  void close() {
    error_code ignored;
    deadline.cancel();
    socket.close(ignored);
  }

  asio::ip::tcp::socket socket;
  asio::steady_timer deadline;
  std::array<char, 1024> sink{};
};

}  // namespace

void refuse(asio::ip::tcp::socket socket) { std::make_shared<Refused>(std::move(socket))->start(); }

}  // namespace termprobe_host
