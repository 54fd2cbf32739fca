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

bool ipv4_loopback(const SocketAddress& address) {
  if (address.ss_family != AF_INET) return false;
  return (ntohl(reinterpret_cast<const sockaddr_in*>(&address)->sin_addr.s_addr) >> 24) == 127;
}

// The address the socket binds to: 127.0.0.N for an IPv4 loopback target
// when sources are spread, else the family's wildcard; port 0 = any.
SocketAddress local_address(const SocketAddress& target, int loopback_source, int port) {
  SocketAddress local{};
  local.ss_family = target.ss_family;
  if (target.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&local)->sin6_port = htons(static_cast<std::uint16_t>(port));
    return local;
  }
  auto* from = reinterpret_cast<sockaddr_in*>(&local);
  from->sin_port = htons(static_cast<std::uint16_t>(port));
  if (loopback_source > 0 && ipv4_loopback(target))
    from->sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(loopback_source));
  return local;
}

bool bind_to(int fd, const SocketAddress& local) {
  return bind(fd, reinterpret_cast<const sockaddr*>(&local), length_of(local)) == 0;
}

// --local-port: the range's ports in turn from first_offset, the first that
// binds; false (errno from the last bind) when none does.
bool bind_local_port(int fd, const SocketAddress& target, const LocalBinding& local) {
  const int count = local.ports.high - local.ports.low + 1;
  for (int i = 0; i < count; ++i) {
    const int port = local.ports.low + (local.first_offset + i) % count;
    if (bind_to(fd, local_address(target, local.loopback_source, port))) return true;
    if (errno != EADDRINUSE && errno != EADDRNOTAVAIL) return false;
  }
  return false;
}

}  // namespace

Result<std::vector<SocketAddress>> resolve(const std::string& host, int port, IpFamily family) {
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_family = family == IpFamily::v4 ? AF_INET : family == IpFamily::v6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int code = getaddrinfo(name.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (code != 0) {
    const char* wanted = family == IpFamily::v4   ? " (-4: IPv4 only)"
                         : family == IpFamily::v6 ? " (-6: IPv6 only)"
                                                  : "";
    return fail(ErrorKind::unreachable,
                "could not resolve host " + name + wanted + ": " + gai_strerror(code));
  }
  std::vector<SocketAddress> addresses;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    SocketAddress address{};
    std::memcpy(&address, a->ai_addr, a->ai_addrlen);
    addresses.push_back(address);
  }
  freeaddrinfo(found);
  return addresses;
}

int start_connect(const SocketAddress& address, const LocalBinding& local, bool& local_port_taken) {
  local_port_taken = false;
  const int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (local.ports.low > 0) {
    if (!bind_local_port(fd, address, local)) {
      const int error = errno;
      close(fd);
      local_port_taken = true;
      errno = error;
      return -1;
    }
  } else if (local.loopback_source > 0 && ipv4_loopback(address)) {
    // A failed bind leaves the kernel's choice, which works too.
    (void)bind_to(fd, local_address(address, local.loopback_source, 0));
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), length_of(address)) == 0 ||
      errno == EINPROGRESS)
    return fd;
  const int error = errno;
  close(fd);
  errno = error;
  return -1;
}

std::string local_ports_text(const LocalPorts& ports) {
  if (ports.low == ports.high) return std::to_string(ports.low);
  return std::to_string(ports.low) + "-" + std::to_string(ports.high);
}

Result<void> local_ports_free(const LocalPorts& ports, int family) {
  SocketAddress any{};
  any.ss_family = static_cast<sa_family_t>(family);
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(ErrorKind::io, std::string("cannot open a socket: ") + std::strerror(errno));
  const bool bound = bind_local_port(fd, any, LocalBinding{0, ports, 0});
  const int error = errno;
  close(fd);
  if (bound) return {};
  return fail(ErrorKind::invalid_input, "--local-port " + local_ports_text(ports) + ": " +
                                            (ports.low == ports.high ? "the port is" : "every port is") +
                                            " in use here (" + std::strerror(error) + "); choose another");
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
