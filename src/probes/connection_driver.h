// The seam between the engine and a protocol. The engine owns the socket,
// the clock and each probe's stage; a driver owns one protocol's view of the
// bytes: whether the connection is set up, what to send next, what the bytes
// received mean, how the kernel's byte counts map onto its requests, and the
// next request on the same connection. HTTP/1.1 (http1_exchange.h), HTTP/2
// (http2_session.h) and TLS around either (tls_layer.h) are drivers; the
// loop (probe_loop.cpp) asks only this interface, so another protocol plugs
// in beside them while the observation, the classifier and the report stay
// shared. driver_factory.h picks a connection's driver.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probes/observation.h"

namespace termprobe {

// The kernel's byte counts for the whole connection, and where the current
// request began in them (a reused connection's second request).
struct TcpCounts {
  std::int64_t received = 0;                 // the server's payload bytes received (FIN excluded)
  std::int64_t acked = 0;                    // our payload bytes the server acknowledged
  std::int64_t received_before_request = 0;  // of received, before the current request
  std::int64_t acked_before_request = 0;     // of acked, before the current request
};

// Where the connection's own setup stands: a handshake below the request
// (TLS) before the first byte of it may go.
enum class DriverSetup { in_progress, ready, failed };

class ConnectionDriver {
 public:
  virtual ~ConnectionDriver() = default;

  virtual DriverSetup setup() const { return DriverSetup::ready; }
  // Why setup failed (setup() == failed), in the report's words.
  virtual std::string setup_failure() const { return {}; }
  // What the setup is called in a timeout's reason ("the TLS handshake").
  virtual std::string setup_name() const { return "the connection setup"; }

  // Bytes ready to send at now_us (µs since the request started); empty when
  // there is nothing to send or a send rate holds the rest back.
  virtual std::string_view output(std::int64_t now_us) = 0;
  // When held-back output may go (µs since the request started); nullopt = not held.
  virtual std::optional<std::int64_t> output_resumes_us() const = 0;
  // The kernel took `bytes` of what output() returned.
  virtual void output_sent(std::size_t bytes, std::int64_t now_us) = 0;
  // Bytes read from the server, in order.
  virtual void input(std::string_view bytes, std::int64_t now_us) = 0;
  // The server's FIN (or close_notify): no more bytes will come.
  virtual void input_ended(std::int64_t now_us) = 0;

  // No more response bytes to wait for: complete, or unparseable (the
  // probe then watches how the server ends the connection).
  virtual bool response_done() const = 0;
  // The server said it will close the connection after this response.
  virtual bool close_announced() const = 0;
  // Requests this driver answers for: 1 for HTTP/1.1, the streams of the
  // current round for HTTP/2. Each is one report entry.
  virtual std::size_t exchange_count() const { return 1; }
  // The protocol's facts (request, response, timings) of one exchange written into o.
  virtual void record(Observation& o, std::size_t exchange) const = 0;
  // The kernel's counts as o's request and response bytes (o already
  // holds record()'s facts): the bytes of the current request.
  virtual void record_wire(Observation& o, const TcpCounts& tcp) const {
    o.wire_bytes_received = tcp.received - tcp.received_before_request;
    o.request_bytes_acked = std::min(o.request_bytes_sent, tcp.acked - tcp.acked_before_request);
  }

  // The connection may carry another request after this response: the
  // server neither announced a close (HTTP/1.1) nor sent GOAWAY (HTTP/2).
  virtual bool accepts_next_request() const { return !close_announced(); }
  // The same request again on this connection, after the previous one's
  // response (a reuse probe); record() then describes the new one.
  virtual void begin_next_request(std::int64_t now_us) = 0;
};

}  // namespace termprobe
