// What one real HTTP client made of a request (`termprobe clients`), beside
// what termprobe saw on the wire of that client's own connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/outcome.h"

namespace termprobe {

// One connection the client opened, as the relay in front of the target saw it.
struct ClientWire {
  // termprobe's label for the connection's last request: from the bytes
  // themselves on cleartext HTTP/1.1; empty where the relay cannot read
  // them (TLS, h2c) and only the TCP ending below is known.
  std::string label;
  StreamEnd ending = StreamEnd::open;  // what the server did: fin, rst, or open when the client closed first
  bool client_closed_first = false;    // the client closed (FIN or RST) before the server ended it
  std::int64_t request_bytes = 0;      // bytes the client sent to the server on this connection
  std::int64_t response_bytes = 0;     // bytes the server sent to the client
  std::optional<int> requests;  // requests the client sent on it; unknown where the bytes are encrypted
};

struct ClientError {
  std::string type;                // CURLcode number, exception class, error code or net::ERR_ name
  std::string message;             // the client's own text
  std::vector<std::string> cause;  // the chain under it, outermost first
};

struct ClientVerdict {
  std::string client;   // curl, python-requests, ..., chromium
  std::string version;  // the client's version (empty when unavailable)
  // response, error, unavailable (not installed: error.message says what to
  // install) or unsupported (it cannot make this request: error.message says why)
  std::string outcome;
  std::optional<int> status;  // the status the application got, also when the body then failed
  std::optional<bool>
      body_complete;  // the body handed to the application was the whole body; null: no way to know
  std::optional<ClientError> error;
  int connections = 0;           // connections it opened for the one request (the relay counted them)
  std::optional<int> requests;   // requests it sent for it: a silent retry shows as 2; null when unknown
  std::vector<ClientWire> wire;  // one per connection, in the order they were opened
};

}  // namespace termprobe
