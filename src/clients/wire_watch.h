// What the relay makes of one client connection's bytes: how many requests
// the client sent on it and, on cleartext HTTP/1.1, termprobe's label for
// the last of them, from the same response accounting and classifier the
// probe uses. Pure: bytes and endings in, a ClientWire out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "probes/http1_response.h"
#include "probes/outcome.h"
#include "report/client_verdict.h"

namespace termprobe {

// How the relay can read a connection: cleartext HTTP/1.1 is parsed; TLS
// and h2c are passed on and counted as TCP bytes only.
enum class WireReading { http1, opaque };

class WireWatch {
 public:
  explicit WireWatch(WireReading reading);
  ~WireWatch();
  WireWatch(const WireWatch&) = delete;
  WireWatch& operator=(const WireWatch&) = delete;

  void client_bytes(std::string_view bytes);  // what the client sent, in order
  void server_bytes(std::string_view bytes);  // what the server sent, in order
  void server_ended(StreamEnd how);           // the server's FIN or RST
  void client_ended();                        // the client's FIN or RST came first
  void upstream_refused();                    // the relay could not reach the server for it

  ClientWire result() const;

 private:
  class RequestScanner;
  void start_request(const std::string& method);

  WireReading reading_;
  std::unique_ptr<RequestScanner> requests_;
  std::unique_ptr<Http1Response> response_;  // of the latest request
  std::int64_t request_bytes_ = 0;           // every byte the client sent
  std::int64_t response_bytes_ = 0;          // every byte the server sent
  std::optional<StreamEnd> server_end_;
  bool client_closed_first_ = false;
};

}  // namespace termprobe
