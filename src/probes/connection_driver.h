// The seam between the engine and a protocol. The engine owns the socket,
// the clock and each probe's stage; a driver owns one protocol's view of the
// bytes: what to send next and what the bytes received mean. HTTP/1.1 is
// one driver (http1_exchange.h); another protocol plugs in beside it while
// the observation, the classifier and the report stay shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "probes/observation.h"

namespace termprobe {

class ConnectionDriver {
 public:
  virtual ~ConnectionDriver() = default;

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
};

}  // namespace termprobe
