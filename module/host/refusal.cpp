#include "refusal.h"

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "h2_session.h"
#include "host_stream.h"

namespace termprobe_host {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::string_view kServiceUnavailable =
    "HTTP/1.1 503 Service Unavailable\r\nServer: termprobe-module-host\r\nContent-Type: text/plain\r\n"
    "Content-Length: 41\r\nConnection: close\r\n\r\ntermprobe host: connection limit reached\n";
static_assert(kServiceUnavailable.size() - kServiceUnavailable.find("\r\n\r\n") - 4 == 41);

// The server's preface (an empty SETTINGS) and a GOAWAY: last-stream-id 0,
// REFUSED_STREAM (0x7), debug data saying why (RFC 9113 §6.5, §6.8).
constexpr char kH2RefusalFrames[] =
    "\x00\x00\x00\x04\x00\x00\x00\x00\x00"  // SETTINGS, no parameters, stream 0
    "\x00\x00\x20\x07\x00\x00\x00\x00\x00"  // GOAWAY of 32 bytes, stream 0
    "\x00\x00\x00\x00"                      // last stream id: 0
    "\x00\x00\x00\x07"                      // REFUSED_STREAM
    "connection limit reached";
constexpr std::string_view kH2Refusal(kH2RefusalFrames, sizeof(kH2RefusalFrames) - 1);
static_assert(kH2Refusal.size() == 9 + 9 + 8 + 24);

constexpr auto kDrainTime = std::chrono::seconds(1);
constexpr std::size_t kTellingBytes = 4;  // "PRI "

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
      if (self->stream.is_tls())
        return self->answer(self->stream.alpn() == "h2" ? kH2Refusal : kServiceUnavailable);
      self->answer_by_first_bytes();
    });
  }

  // Plain TCP: HTTP/1.1 or h2c, as the client's first bytes say. "PRI " is
  // enough to tell (no HTTP/1.1 method is PRI, RFC 9113 §3.4); fewer bytes
  // that could still be it ("P" of a POST too) wait for more.
  void answer_by_first_bytes() {
    stream.async_read_some(asio::buffer(sink), [self = shared_from_this()](error_code error,
                                                                           std::size_t bytes) {
      if (error) return self->close();
      self->first_bytes.append(self->sink.data(), std::min(bytes, kTellingBytes - self->first_bytes.size()));
      const std::string_view seen = self->first_bytes;
      if (seen != kH2Preface.substr(0, seen.size())) return self->answer(kServiceUnavailable);
      if (seen.size() < kTellingBytes) return self->answer_by_first_bytes();
      self->answer(kH2Refusal);
    });
  }

  void answer(std::string_view answer) {
    asio::async_write(stream, asio::buffer(answer.data(), answer.size()),
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
  std::string first_bytes;  // plain TCP: the client's first bytes, up to kTellingBytes
};

}  // namespace

void refuse(asio::ip::tcp::socket socket, asio::ssl::context* tls) {
  std::make_shared<Refused>(std::move(socket), tls)->start();
}

}  // namespace termprobe_host
