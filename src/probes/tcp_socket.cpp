#include "probes/tcp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace termprobe {
namespace {

// tcpi_state values (the kernel's include/net/tcp_states.h, a stable ABI that
// <linux/tcp.h> does not export).
enum TcpState : std::uint8_t { kClose = 7, kCloseWait = 8 };

socklen_t length_of(const SocketAddress& address) {
  return address.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

// Only for IPv4 loopback targets: anything else keeps the kernel's choice.
void bind_loopback_source(int fd, int source, const SocketAddress& target) {
  if (source <= 0 || target.ss_family != AF_INET) return;
  const auto* to = reinterpret_cast<const sockaddr_in*>(&target);
  if ((ntohl(to->sin_addr.s_addr) >> 24) != 127) return;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(source));
  // A failed bind leaves the kernel's choice, which works too.
  (void)bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof(from));
}

}  // namespace

Result<std::vector<SocketAddress>> resolve(const std::string& host, int port) {
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int code = getaddrinfo(name.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (code != 0)
    return fail(ErrorKind::unreachable, "could not resolve host " + name + ": " + gai_strerror(code));
  std::vector<SocketAddress> addresses;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    SocketAddress address{};
    std::memcpy(&address, a->ai_addr, a->ai_addrlen);
    addresses.push_back(address);
  }
  freeaddrinfo(found);
  return addresses;
}

int start_connect(const SocketAddress& address, int loopback_source) {
  const int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  bind_loopback_source(fd, loopback_source, address);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), length_of(address)) == 0 ||
      errno == EINPROGRESS)
    return fd;
  const int error = errno;
  close(fd);
  errno = error;
  return -1;
}

Endpoint endpoint_of(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return Endpoint{text, ntohs(v6->sin6_port)};
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
  inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  return Endpoint{text, ntohs(v4->sin_port)};
}

Endpoint local_endpoint(int fd) {
  SocketAddress local{};
  socklen_t length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return {};
  Endpoint endpoint = endpoint_of(local);
  if (endpoint.port == 0) return {};  // not bound yet
  return endpoint;
}

int take_socket_error(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

TcpCounters tcp_counters(int fd) {
  tcp_info info{};
  socklen_t length = sizeof(info);
  TcpCounters counters;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return counters;
  counters.ok = true;
  counters.state = info.tcpi_state;
  // bytes_received advances with rcv_nxt, which also counts the peer's FIN.
  counters.sequence_received = static_cast<std::int64_t>(info.tcpi_bytes_received);
  counters.bytes_acked = static_cast<std::int64_t>(info.tcpi_bytes_acked);
  return counters;
}

std::int64_t unread_bytes(int fd) {
  int queued = 0;
  if (ioctl(fd, FIONREAD, &queued) != 0) return 0;
  return queued;
}

StreamEnd end_from_tcp_state(std::uint8_t state) {
  if (state == kClose) return StreamEnd::rst;
  if (state == kCloseWait) return StreamEnd::fin;
  return StreamEnd::open;
}

}  // namespace termprobe
