// One probe's record: its stage, its socket, its protocol driver and what it
// measured. The stage alone says what the socket is waiting for.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "probes/connection_driver.h"
#include "probes/observation.h"
#include "probes/plan.h"
#include "probes/prepared_spec.h"
#include "probes/tcp_socket.h"

namespace termprobe {

enum class Stage {
  connecting,         // connect() under way: waits for writable
  setting_up,         // the driver's own handshake (TLS) going both ways until it is ready (or failed)
  exchanging,         // request going out, response coming in: readable, and writable while output waits
  watching,           // response complete: passive, reads what the server does next (bytes, FIN, RST)
  after_fin,          // the server's FIN seen: waits only for an RST behind it (hang-up/error)
  idle_before_reuse,  // reuse probe between its requests: reads nothing, notes a FIN/RST (read hang-up)
  done,               // concluded; the slot is free
};

struct Probe {
  using Clock = std::chrono::steady_clock;

  std::uint32_t slot = 0;  // index in the loop's slots; epoll events and timers carry it
  ProbeId id;
  const PreparedSpec* prepared = nullptr;
  Stage stage = Stage::done;
  int fd = -1;
  bool registered = false;                   // fd is in the epoll set
  bool holds_slot = false;                   // counts against -c (see ProbeLoop::may_start)
  std::uint64_t serial = 0;                  // this probe's number in its loop (a slot is reused)
  std::uint32_t generation = 0;              // bumped at every new deadline: older timers are stale
  Clock::time_point started;                 // the request's start; timings count from here
  Clock::time_point deadline;                // when the stage's wait ends
  std::size_t address_index = 0;             // the resolved address being tried
  std::unique_ptr<ConnectionDriver> driver;  // set once connected: the protocol, or TLS around it
  Observation observation;
  std::int64_t bytes_read = 0;                   // bytes read from the socket since connect
  std::int64_t bytes_sent = 0;                   // bytes the kernel took from the probe since connect
  std::int64_t payload_before_request = 0;       // payload received before this request (reuse)
  std::int64_t acked_before_request = 0;         // our bytes acknowledged before this request (reuse)
  std::optional<Clock::time_point> fin_at;       // the server's FIN was read
  bool peer_fin = false;                         // the server\'s FIN was read on this connection
  TcpCounters counters_at_fin;                   // the kernel's counts when recv() returned 0
  std::optional<Clock::time_point> response_at;  // the response completed
  bool reuse_pending = false;                    // a reuse probe whose second request is still to come
  int rounds_done = 0;                           // requests answered on this connection (--rounds)
  bool connection_reported = false;              // an entry that opened the connection was reported
  bool close_announced_wait = false;             // watching past the window for an announced close

  const ProbeSpec& spec() const { return *prepared->spec; }
  Clock::time_point request_deadline() const { return started + spec().timeout; }
  // The TCP handshake and the driver's setup share the connect timeout (never past the request's).
  Clock::time_point handshake_deadline() const {
    return started + std::min(spec().connect_timeout, spec().timeout);
  }
  std::int64_t micros(Clock::time_point now) const {
    return std::chrono::duration_cast<std::chrono::microseconds>(now - started).count();
  }
};

}  // namespace termprobe
