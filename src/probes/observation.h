// Raw facts about one connection, as the engine measured them. No judgement
// here: the classifier turns this into an Outcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "probes/outcome.h"

namespace termprobe {

struct Endpoint {
  std::string address;  // numeric IPv4/IPv6 address, empty when unknown
  int port = 0;         // 0 when unknown
};

// Microseconds since the probe started (the transfer was handed to libcurl).
struct Timings {
  std::optional<std::int64_t> connect_us;            // TCP connected (libcurl's measurement)
  std::optional<std::int64_t> tls_us;                // TLS handshake done (https only)
  std::optional<std::int64_t> request_sent_us;       // last request byte handed to the kernel
  std::optional<std::int64_t> first_byte_us;         // first response header line parsed
  std::optional<std::int64_t> response_complete_us;  // libcurl finished the response
  std::optional<std::int64_t> ended_us;              // FIN/RST/timeout/error seen, or watch ended
};

struct Observation {
  Endpoint local;
  Endpoint remote;
  bool connected = false;        // TCP handshake completed
  bool tls = false;              // the URL is https
  bool tls_established = false;  // TLS handshake completed

  std::string method;                   // request method sent
  std::int64_t request_bytes_sent = 0;  // header + body bytes handed to the kernel
  std::int64_t body_bytes_total = 0;    // request body size to send
  std::int64_t body_bytes_sent = 0;     // request body bytes handed to the kernel
  bool request_complete = false;        // headers and the whole body were sent

  int status = 0;                               // final HTTP status; 0 = no status line
  std::int64_t header_bytes = 0;                // response header bytes (all header blocks, 1xx included)
  std::int64_t body_bytes = 0;                  // response body bytes (after chunk decoding)
  std::int64_t wire_bytes_received = 0;         // payload bytes the kernel received (TCP_INFO)
  std::optional<std::int64_t> declared_length;  // Content-Length, when sent
  bool chunked = false;                         // Transfer-Encoding: chunked
  bool response_complete = false;               // length reached / chunked terminator / close-delimited FIN
  bool connection_close = false;                // server announced "Connection: close"
  std::int64_t unread_bytes = 0;    // bytes that reached the kernel but libcurl never read (it failed first)
  bool status_from_unread = false;  // status came from those unread bytes, not from libcurl
  std::int64_t bytes_after_response = 0;  // bytes the server sent after the response ended
  std::string module;                     // X-Termprobe-Module header: the bundled module answered

  StreamEnd end = StreamEnd::error;  // how the byte stream ended
  int end_errno = 0;                 // errno behind the ending, 0 when none
  int curl_code = 0;                 // CURLcode of the transfer
  std::string curl_message;          // libcurl's error text, empty on success
  bool watch_cut_short = false;      // the watch window was ended early (interrupt)

  // Reuse probes: this observation is of the request sent on a reused connection.
  bool reused = false;                                 // the connection carried an earlier request
  std::optional<std::int64_t> reuse_idle_us;           // idle time after the first response
  StreamEnd closed_before_reuse = StreamEnd::open;     // what the server did during the idle time
  std::optional<std::int64_t> closed_before_reuse_us;  // when, after the first response

  Timings timings;
};

}  // namespace termprobe
