// A blocking test client on 127.0.0.1 with a deadline on every read: what
// the host sent and how the connection ended.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace termprobe_test {

enum class Ending { open, fin, reset };

class LoopbackClient {
 public:
  // source: the client's address is 127.0.0.source. Clients that connect by
  // the hundred thousand spread over sources, or TIME_WAIT exhausts the ports
  // of one address pair.
  explicit LoopbackClient(unsigned short port, std::uint8_t source = 1)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + source);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0 && connect_to(address);
  }
  ~LoopbackClient() { close(); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }  // for a TLS session over this connection

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // Reads until the host ends the connection, until want bytes arrived, or
  // until the deadline; received keeps everything read so far.
  Ending read(std::chrono::milliseconds deadline, std::size_t want = std::string::npos) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    char buffer[65536];
    while (received.size() < want) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !wait_for(POLLIN, left)) return Ending::open;
      const auto got = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got == 0) return Ending::fin;
      if (got < 0) return errno == ECONNRESET ? Ending::reset : Ending::open;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    return Ending::open;
  }

  // Half-close: the host sees the end of the request stream.
  void finish_sending() { ::shutdown(fd_, SHUT_WR); }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string received;

  // Signals (libFuzzer's timer, for one) interrupt any of these calls: EINTR
  // is never an answer from the host.
  bool wait_for(short events, std::chrono::milliseconds timeout) const {
    pollfd ready{fd_, events, 0};
    int result;
    do {
      result = ::poll(&ready, 1, static_cast<int>(timeout.count()));
    } while (result < 0 && errno == EINTR);
    return result > 0;
  }

 private:
  bool connect_to(const sockaddr_in& address) const {
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) return true;
    if (errno != EINTR || !wait_for(POLLOUT, std::chrono::seconds(5))) return false;
    int error = 0;
    socklen_t length = sizeof(error);
    return ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }

  int fd_;
  bool connected_ = false;
};

inline std::string get(std::string_view target, std::string_view connection = "keep-alive") {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: " + std::string(connection) + "\r\n\r\n";
}

}  // namespace termprobe_test
