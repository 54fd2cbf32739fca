#include "clients/relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace termprobe {
namespace {

// Bytes held per direction: enough to keep the pipe full, small enough that
// a server that stops reading an upload stops the client soon after, as it
// would without the relay.
constexpr std::size_t kBufferLimit = 64 * 1024;
// How long the server's bytes wait for an ending that follows them at once.
constexpr int kCoalesceMs = 1;

void close_with_reset(int fd) {
  const linger abort_close{1, 0};  // SO_LINGER 0: close() sends an RST
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
  close(fd);
}

bool is_reset(int error) { return error == ECONNRESET || error == EPIPE || error == ETIMEDOUT; }

// How one side's byte stream ended, as read (or none yet).
enum class PeerEnd { none, fin, rst };

// Reads fd while `into` has room below kBufferLimit, each chunk to on_bytes,
// until it has nothing more for now or ends. wait_ms: once, when bytes came
// and the socket ran dry, wait that long for what follows them.
template <typename OnBytes>
PeerEnd read_side(int fd, std::string& into, int wait_ms, OnBytes&& on_bytes) {
  char buffer[16 * 1024];
  bool waited = wait_ms == 0;
  while (into.size() < kBufferLimit) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      on_bytes(std::string_view(buffer, static_cast<std::size_t>(n)));
      into.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return PeerEnd::fin;
    } else if (errno != EAGAIN && errno != EINTR) {
      return PeerEnd::rst;
    } else if (errno == EAGAIN && !into.empty() && !waited) {
      waited = true;
      pollfd more{fd, POLLIN, 0};
      if (poll(&more, 1, wait_ms) <= 0) return PeerEnd::none;
    } else if (errno == EAGAIN) {
      return PeerEnd::none;
    }
  }
  return PeerEnd::none;
}

// Sends what `from` holds while fd takes it; false when fd is gone (its
// peer reset it), and then `from` is dropped.
bool write_side(int fd, std::string& from) {
  while (!from.empty()) {
    const ssize_t n = send(fd, from.data(), from.size(), MSG_NOSIGNAL);
    if (n > 0) {
      from.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      from.clear();
      return false;
    } else {
      return true;  // full for now (or interrupted): the next poll says when
    }
  }
  return true;
}

}  // namespace

// One client connection and its upstream. An ending waits in pending_* until
// the bytes before it are delivered, then goes on as it came.
struct Relay::Link {
  explicit Link(WireReading reading) : watch(reading) {}
  int client = -1;
  int server = -1;
  bool connecting = true;
  std::string to_server;
  std::string to_client;
  bool client_read_done = false;  // the client's FIN or RST was read
  bool server_read_done = false;
  using End = PeerEnd;
  End pending_to_client = End::none;
  End pending_to_server = End::none;
  bool client_write_shut = false;
  bool server_write_shut = false;
  WireWatch watch;

  bool finished() const { return client < 0 && server < 0; }
  void close_both() {
    if (client >= 0) close(client);
    if (server >= 0) close(server);
    client = server = -1;
  }
};

Result<std::unique_ptr<Relay>> Relay::start(const SocketAddress& upstream, WireReading reading) {
  const int family = upstream.ss_family == AF_INET6 ? AF_INET6 : AF_INET;
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(ErrorKind::io, std::string("relay socket: ") + std::strerror(errno));
  SocketAddress local{};
  socklen_t length = 0;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&local);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    length = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&local);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof(*a);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), length) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    const int error = errno;
    close(fd);
    return fail(ErrorKind::io, std::string("relay listen on loopback: ") + std::strerror(error));
  }
  return std::unique_ptr<Relay>(new Relay(fd, endpoint_of(local), upstream, reading));
}

Relay::Relay(int listener, Endpoint listening, const SocketAddress& upstream, WireReading reading)
    : listener_(listener), listening_(std::move(listening)), upstream_(upstream), reading_(reading) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { run(); });
}

Relay::~Relay() {
  if (thread_.joinable()) stop();
  for (const int fd : {listener_, wake_[0], wake_[1]})
    if (fd >= 0) close(fd);
}

std::vector<ClientWire> Relay::stop() {
  if (thread_.joinable()) {
    const char byte = 0;
    (void)!write(wake_[1], &byte, 1);
    thread_.join();
  }
  std::vector<ClientWire> wires;
  for (auto& link : links_) {
    // Still open when the client was done: the client's end, not the server's.
    if (!link->finished()) link->watch.client_ended();
    link->close_both();
    wires.push_back(link->watch.result());
  }
  links_.clear();
  return wires;
}

void Relay::accept_links() {
  while (true) {
    const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto link = std::make_unique<Link>(reading_);
    link->client = fd;
    connect_upstream(*link);
    links_.push_back(std::move(link));
  }
}

void Relay::connect_upstream(Link& link) {
  bool local_port_taken = false;  // never: the relay lets the kernel choose its port
  link.server = start_connect(upstream_, LocalBinding{}, local_port_taken);
  if (link.server >= 0) return;
  // The client's connect already succeeded (to the relay): an RST is the
  // nearest the relay can pass on of a refused one.
  link.watch.upstream_refused();
  close_with_reset(link.client);
  link.client = -1;
}

// Delivers what is buffered, then a pending ending; reads while there is room.
void Relay::pump(Link& link) {
  const auto server_gone = [&](Link::End how) {
    link.server_read_done = true;
    link.pending_to_client = how;
    link.watch.server_ended(how == Link::End::rst ? StreamEnd::rst : StreamEnd::fin);
  };
  const auto client_gone = [&](Link::End how) {
    link.client_read_done = true;
    link.pending_to_server = how;
    link.watch.client_ended();
  };
  if (link.connecting) {
    const int error = take_socket_error(link.server);
    pollfd probe{link.server, POLLOUT, 0};
    if (error == 0 && (poll(&probe, 1, 0) <= 0 || !(probe.revents & POLLOUT))) return;
    link.connecting = false;
    if (error != 0) {
      link.watch.upstream_refused();
      close_with_reset(link.client);
      close(link.server);
      link.client = link.server = -1;
      return;
    }
  }
  // Reads, each side while the other's buffer has room. A server that
  // writes and then resets puts both on the wire back to back; the relay
  // must not hand the client a gap between them that the server never left
  // (a client that wakes in it reports another error), so the server's
  // bytes wait a moment for what follows them.
  if (link.client >= 0 && !link.client_read_done) {
    const PeerEnd end =
        read_side(link.client, link.to_server, 0, [&](std::string_view b) { link.watch.client_bytes(b); });
    if (end != PeerEnd::none) client_gone(end);
  }
  if (link.server >= 0 && !link.server_read_done) {
    const PeerEnd end = read_side(link.server, link.to_client, kCoalesceMs,
                                  [&](std::string_view b) { link.watch.server_bytes(b); });
    if (end != PeerEnd::none) server_gone(end);
  }
  // An RST behind the server's FIN (read as a socket error once reading is done).
  if (link.server >= 0 && link.server_read_done && link.pending_to_client != Link::End::rst &&
      is_reset(take_socket_error(link.server)))
    link.pending_to_client = Link::End::rst;
  // Writes; a side gone while it was written to has reset: that goes on to the other.
  if (link.server >= 0 && !write_side(link.server, link.to_server)) {
    if (!link.server_read_done) server_gone(Link::End::rst);
    link.pending_to_client = Link::End::rst;
  }
  if (link.client >= 0 && !write_side(link.client, link.to_client)) {
    if (!link.client_read_done) client_gone(Link::End::rst);
    link.pending_to_server = Link::End::rst;
  }
  // Endings, once the bytes before them are out.
  if (link.pending_to_client == Link::End::rst && link.to_client.empty() && link.client >= 0) {
    close_with_reset(link.client);
    link.client = -1;
    if (link.server >= 0) close(link.server);
    link.server = -1;
    return;
  }
  if (link.pending_to_server == Link::End::rst && link.to_server.empty() && link.server >= 0) {
    close_with_reset(link.server);
    link.server = -1;
    if (link.client >= 0) close(link.client);
    link.client = -1;
    return;
  }
  if (link.pending_to_client == Link::End::fin && link.to_client.empty() && !link.client_write_shut &&
      link.client >= 0) {
    shutdown(link.client, SHUT_WR);
    link.client_write_shut = true;
  }
  if (link.pending_to_server == Link::End::fin && link.to_server.empty() && !link.server_write_shut &&
      link.server >= 0) {
    shutdown(link.server, SHUT_WR);
    link.server_write_shut = true;
  }
  if (link.client_write_shut && link.server_write_shut) return link.close_both();
  // A side done both ways has nothing left to say; closing it keeps poll
  // from reporting its hang-up again and again while the other side drains.
  if (link.server >= 0 && link.server_read_done && link.server_write_shut) {
    close(link.server);
    link.server = -1;
  }
  if (link.client >= 0 && link.client_read_done && link.client_write_shut) {
    close(link.client);
    link.client = -1;
  }
}

void Relay::run() {
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    for (const auto& link : links_) {
      const auto events = [](bool read, bool write) {
        return static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0));
      };
      if (link->client >= 0)
        fds.push_back({link->client,
                       events(!link->client_read_done && link->to_server.size() < kBufferLimit,
                              !link->to_client.empty()),
                       0});
      if (link->server >= 0)
        fds.push_back({link->server,
                       events(!link->server_read_done && link->to_client.size() < kBufferLimit,
                              link->connecting || !link->to_server.empty()),
                       0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) accept_links();
    // Every link gets a turn: pump only does what its sockets allow.
    for (auto& link : links_)
      if (!link->finished()) pump(*link);
  }
}

}  // namespace termprobe
