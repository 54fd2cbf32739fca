// The TCP socket a probe owns: name resolution, a non-blocking connect,
// and what the kernel knows about the connection (TCP_INFO).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "probes/observation.h"

namespace termprobe {

using SocketAddress = sockaddr_storage;

// Every address of host:port (numeric or a name), in the resolver's order.
Result<std::vector<SocketAddress>> resolve(const std::string& host, int port);

// A non-blocking socket with connect() under way. loopback_source: for an
// IPv4 loopback target, bind to 127.0.0.N first (0 = the kernel's choice).
// Returns the fd, or -1 with errno set when the connect failed at once.
int start_connect(const SocketAddress& address, int loopback_source);

Endpoint endpoint_of(const SocketAddress& address);
// The local address: known as soon as connect() has bound the socket.
Endpoint local_endpoint(int fd);

// The pending socket error (SO_ERROR), consumed by reading it.
int take_socket_error(int fd);

struct TcpCounters {
  std::uint8_t state = 0;              // tcpi_state
  std::int64_t sequence_received = 0;  // payload bytes received, plus one once the peer's FIN arrived
  std::int64_t bytes_acked = 0;        // payload bytes of ours the peer acknowledged
  bool ok = false;                     // TCP_INFO could be read
};
TcpCounters tcp_counters(int fd);

// Bytes waiting in the receive queue (FIONREAD).
std::int64_t unread_bytes(int fd);

// The ending as the TCP state shows it, without reading: rst (CLOSE),
// fin (CLOSE_WAIT) or open.
StreamEnd end_from_tcp_state(std::uint8_t state);

}  // namespace termprobe
