// A loopback TCP relay in front of the target: each connection a client
// makes to it is carried to the target byte for byte, and each ending is
// passed on as it came — the server's FIN as a FIN, its RST as an RST, at
// once (after the bytes before it) — so the client meets the server's own
// ending. On the way it counts connections and watches each one (WireWatch).
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "clients/wire_watch.h"
#include "common/error.h"
#include "probes/observation.h"
#include "probes/tcp_socket.h"
#include "report/client_verdict.h"

namespace termprobe {

class Relay {
 public:
  // Listens on an ephemeral port of the upstream's loopback family
  // (127.0.0.1, or [::1] for an IPv6 upstream) and relays on a thread of its own.
  static Result<std::unique_ptr<Relay>> start(const SocketAddress& upstream, WireReading reading);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  Endpoint listening() const { return listening_; }

  // Stops relaying (connections still open are closed, as the client's end)
  // and says what each connection carried, in the order they were accepted.
  std::vector<ClientWire> stop();

 private:
  struct Link;
  Relay(int listener, Endpoint listening, const SocketAddress& upstream, WireReading reading);
  void run();
  void accept_links();
  void connect_upstream(Link& link);
  void pump(Link& link);

  int listener_ = -1;
  int wake_[2] = {-1, -1};  // written by stop(): the loop's poll wakes and returns
  Endpoint listening_;
  SocketAddress upstream_{};
  WireReading reading_;
  std::vector<std::unique_ptr<Link>> links_;
  std::thread thread_;
};

}  // namespace termprobe
