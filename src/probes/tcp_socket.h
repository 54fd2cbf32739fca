// The TCP socket a probe owns: name resolution, a non-blocking connect,
// and what the kernel knows about the connection (TCP_INFO).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "probes/observation.h"
#include "probes/probe_spec.h"

namespace termprobe {

using SocketAddress = sockaddr_storage;

// Every address of host:port (numeric or a name) of the family asked for
// (-4, -6), in the resolver's order.
Result<std::vector<SocketAddress>> resolve(const std::string& host, int port,
                                           IpFamily family = IpFamily::any);

// What the client socket is bound to before connect().
struct LocalBinding {
  int loopback_source = 0;  // IPv4 loopback target: 127.0.0.N (1..254); 0 = the kernel's choice
  LocalPorts ports;         // --local-port: the first free port of the range; none: the kernel's choice
  int first_offset = 0;     // where in the range to start, so that connections take turns
};

// A non-blocking socket with connect() under way. Returns the fd, or -1
// with errno set when the connect failed at once; local_port_taken is set
// when it failed because no port of local.ports could be bound (the
// probe's own port, not anything the server did).
int start_connect(const SocketAddress& address, const LocalBinding& local, bool& local_port_taken);

// "40000" or "40000-40099", as --local-port takes it.
std::string local_ports_text(const LocalPorts& ports);

// Whether some port of `ports` can be bound now for a connection of this
// family (a check before any probe: "--local-port 40000: in use").
Result<void> local_ports_free(const LocalPorts& ports, int family);

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
