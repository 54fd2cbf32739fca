// One request as every client is asked to make it: the probe's spec, and
// where the relay listens (each client connects there, keeping the URL's
// host for the Host header, the TLS server name and the certificate check).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/observation.h"
#include "probes/probe_spec.h"
#include "report/client_verdict.h"

namespace termprobe {

struct ClientRequest {
  const ProbeSpec& spec;
  Endpoint connect_to;            // the relay
  const std::atomic<bool>& stop;  // Ctrl-C: the client's run is cut short, reported as interrupted
};

// A request's fields as a client is given them: the user's headers (a
// "Name:" that only removes a default is left out), then Content-Type for
// a body when the user gave none.
std::vector<std::pair<std::string, std::string>> client_headers(const ProbeSpec& spec);

// The Content-Type a body goes with when the user's headers name none
// (the probe's own default); nullopt without a body or when they do.
std::optional<std::string> default_content_type(const ProbeSpec& spec);

// The body's bytes: the exact body, else body_bytes of 'x'.
std::string client_body(const ProbeSpec& spec);

// What a client reported of its one request, before the relay's count is added.
struct ClientRun {
  ClientVerdict verdict;                        // connections and wire are the relay's to fill
  std::optional<std::int64_t> body_bytes;       // body bytes handed to the application
  std::optional<std::int64_t> declared_length;  // the response's Content-Length, as the client saw it
};

// A run cut short by a stop request: nothing about the server.
ClientRun interrupted_run(std::string_view client);

}  // namespace termprobe
