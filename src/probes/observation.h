// Raw facts about one connection, as the engine measured them. No judgement
// here: the classifier turns this into an Outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/header_field.h"
#include "probes/noted_headers.h"
#include "probes/outcome.h"
#include "probes/response_head.h"

namespace termprobe {

struct Endpoint {
  std::string address;  // numeric IPv4/IPv6 address, empty when unknown
  int port = 0;         // 0 when unknown
};

// A TLS alert the server sent (RFC 8446 §6).
struct TlsAlert {
  bool fatal = true;
  int code = 0;             // the alert's description number
  std::string description;  // its RFC name: handshake_failure, bad_record_mac, ...
  std::int64_t at_us = 0;   // when it was read, µs since the request started
};

// What the TLS layer saw (https only). Connection-level facts first, then
// how the server ended the TLS session, then why a handshake failed.
struct TlsFacts {
  std::string version;                    // "TLSv1.3", "TLSv1.2"; empty before the handshake completed
  std::string cipher;                     // the negotiated cipher suite, OpenSSL's name
  std::vector<std::string> alpn_offered;  // the protocols the ClientHello offered, in order
  std::string alpn;                       // the protocol the server chose by ALPN; empty = it chose none
  bool resumed = false;                   // the session was resumed, not a full handshake
  std::string certificate_subject;        // the server certificate's subject, RFC 2253 form
  std::string certificate_issuer;         // its issuer
  std::string certificate_not_after;      // its expiry, UTC, e.g. 2027-01-31T12:00:00Z
  std::optional<bool> name_matched;       // the certificate is valid for the URL's host (or IP)
  std::string verify_result;              // OpenSSL's verification result, in words ("ok" when trusted)
  bool verified = false;                  // the chain was checked and trusted (false with -k)

  std::optional<std::int64_t>
      close_notify_us;                        // the server's close_notify read, µs since the request started
  std::optional<TlsAlert> alert;              // a fatal or warning alert other than close_notify
  std::int64_t bytes_after_close_notify = 0;  // raw bytes the server sent after its close_notify
  std::string local_error;  // the probe could not read the server's records (bad MAC, bad record): why

  // Handshake failures: alert, certificate, fin, rst, timeout or protocol.
  std::string failure_kind;
  std::string failure;  // the reason in words, e.g. "certificate verify failed: self-signed certificate"
};

// A GOAWAY the server sent (RFC 9113 §6.8).
struct Http2Goaway {
  std::int32_t last_stream_id = 0;  // the highest stream the server says it processed (2^31-1: "soon")
  std::uint32_t code = 0;           // error code
  std::string code_name;            // NO_ERROR, PROTOCOL_ERROR, ... or "0x1111" for codes no RFC names
  std::string debug;                // opaque debug data, as text (non-printable bytes escaped by the report)
  std::int64_t at_us = 0;           // µs since the request started
};

// An RST_STREAM the server sent for this stream (RFC 9113 §6.4).
struct Http2Reset {
  std::uint32_t code = 0;
  std::string code_name;
  std::string when;                    // before_headers, after_headers, mid_data or after_end_stream
  std::int64_t body_bytes_before = 0;  // DATA bytes received on the stream before it
  std::int64_t at_us = 0;
};

// A connection's GOAWAYs kept whatever the server sends: the first ones, and
// the latest besides (goaways_total counts them all).
inline constexpr std::size_t kHttp2GoawaysKept = 8;

// HTTP/2: one stream's facts, and the connection's frames that concern every stream.
struct Http2Facts {
  std::int32_t stream_id = 0;
  int streams_on_connection = 0;    // streams this probe opened on the connection so far
  bool end_stream = false;          // END_STREAM received: the response is complete
  std::optional<Http2Reset> reset;  // the server reset this stream
  bool refused_by_goaway = false;   // a GOAWAY's last-stream-id is below this stream: not processed
  // The connection's GOAWAYs in order: the first kHttp2GoawaysKept and, when
  // more came, the latest; goaways_dropped of goaways_total are not kept.
  std::vector<Http2Goaway> goaways;
  std::int64_t goaways_total = 0;
  std::int64_t goaways_dropped = 0;
  std::vector<std::pair<std::string, std::uint32_t>> settings;  // the server's first SETTINGS
  std::string local_error;  // the probe's HTTP/2 stack wanted to reset or close (it never does): why
};

// Microseconds since the request started (the probe began connecting; for the
// second request of a reuse probe, the moment it was sent).
struct Timings {
  std::optional<std::int64_t> connect_us;            // TCP handshake completed
  std::optional<std::int64_t> tls_us;                // TLS handshake done (https only)
  std::optional<std::int64_t> request_sent_us;       // last request byte handed to the kernel
  std::optional<std::int64_t> first_byte_us;         // first byte of the final response read
  std::optional<std::int64_t> response_complete_us;  // the response's last byte read
  std::optional<std::int64_t> ended_us;              // FIN/RST/timeout/error seen, or watch ended
  std::optional<std::int64_t>
      first_interim_us;  // first byte of a 1xx interim response read (HTTP/2: its HEADERS)
};

struct Observation {
  // Wall clock when the probe started (its timings count from here): UTC,
  // microseconds since the Unix epoch, to match entries with server logs.
  std::int64_t started_unix_us = 0;
  Endpoint local;  // read with getsockname as soon as connect() bound the socket
  Endpoint remote;
  bool connected = false;        // TCP handshake completed (a reset right after it counts)
  bool tls = false;              // the URL is https
  bool tls_established = false;  // TLS handshake completed

  std::string method;  // request method sent
  // The request's header fields as this connection's protocol carried them
  // (HTTP/2: pseudo-headers first); null when no connection was made.
  // Shared: every connection of a spec sends the same fields.
  std::shared_ptr<const std::vector<HeaderField>> request_headers;
  std::int64_t head_bytes = 0;           // size of the request head (request line and headers)
  bool head_complete = false;            // the whole head was handed to the kernel
  std::int64_t request_bytes_sent = 0;   // head + body bytes handed to the kernel
  std::int64_t request_bytes_acked = 0;  // of those, bytes the server's TCP acknowledged (TCP_INFO)
  std::int64_t body_bytes_total = 0;     // request body size to send
  std::int64_t body_bytes_sent = 0;      // request body bytes handed to the kernel
  bool request_complete = false;         // head and the whole body were handed to the kernel

  int status = 0;                         // final HTTP status; 0 = no final status line
  int interim_responses = 0;              // 1xx responses before the final one
  int http_version = 0;                   // 10 or 11 from the final status line, 20 for HTTP/2; 0 = none
  std::int64_t response_bytes = 0;        // bytes read for this request (interim responses included)
  std::int64_t final_response_bytes = 0;  // of those, bytes from the final response's first byte on
  std::int64_t header_bytes = 0;          // response header bytes (all header blocks, 1xx included)
  std::int64_t body_bytes = 0;            // response body bytes (after chunk decoding)
  std::int64_t wire_bytes_received = 0;   // payload bytes the kernel received for this request (TCP_INFO)
  std::optional<std::int64_t> declared_length;  // Content-Length, when sent
  bool chunked = false;                         // Transfer-Encoding: chunked
  bool close_delimited = false;                 // no length: the body ends with the server's FIN
  bool response_complete = false;               // length reached / last chunk / close-delimited FIN
  bool connection_close = false;                // server announced the close (Connection: close, or HTTP/1.0)
  std::string parse_error;                      // the bytes are not an HTTP/1.x response: why
  std::string first_bytes_hex;                  // with parse_error: the first bytes received, hex (<= 64 B)
  std::int64_t bytes_after_response = 0;        // bytes the server sent after the response ended
  std::string module;                           // X-Termprobe-Module header: the bundled module answered
  NotedHeaders response_headers;                // Server, Connection, Keep-Alive of the final response
  std::optional<ResponseHead> response_head;    // the head as received, only when the engine was asked (-v)

  StreamEnd end = StreamEnd::error;              // how the byte stream ended
  int end_errno = 0;                             // errno behind the ending, 0 when none
  std::string error;                             // what went wrong, in words; empty when nothing did
  std::optional<std::int64_t> rst_after_fin_us;  // an RST that followed the server's FIN: µs after the FIN
  std::int64_t fin_watch_us = 0;                 // how long the probe watched for an RST after the FIN
  bool watch_cut_short = false;                  // the watch window was ended early (interrupt)
  bool interrupted = false;                      // a stop request ended the probe before the server did

  // Reuse probes: this observation is of the request sent on a reused connection.
  bool reused = false;                                 // the connection carried an earlier request
  std::optional<std::int64_t> reuse_idle_us;           // idle time after the first response
  StreamEnd closed_before_reuse = StreamEnd::open;     // what the server did during the idle time
  std::optional<std::int64_t> closed_before_reuse_us;  // when, after the first response

  // The first exchange its probe reports: one per connection (attempt).
  // HTTP/2's further streams on the same connection are not.
  bool opens_connection = true;

  TlsFacts tls_facts;               // https only
  std::optional<Http2Facts> http2;  // HTTP/2 only
  Timings timings;
};

// Request body bytes the server's TCP acknowledged: what got through, as
// opposed to what sat in the client's send buffer when the connection died.
inline std::int64_t body_bytes_acked(const Observation& o) {
  const std::int64_t acked = o.request_bytes_acked - o.head_bytes;
  return acked < 0 ? 0 : (acked > o.body_bytes_sent ? o.body_bytes_sent : acked);
}

}  // namespace termprobe
