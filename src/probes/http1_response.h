// HTTP/1.1 response accounting on raw bytes: the engine feeds every byte it
// reads, in the order it read them, and this says what they were. Pure: no
// socket, no clock (times come in with the bytes), so the same bytes always
// give the same facts — and it can be fuzzed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "probes/noted_headers.h"
#include "probes/response_head.h"

namespace termprobe {

// What the response bytes said, so far.
struct ResponseFacts {
  int status = 0;                               // final status; 0 until a final status line parsed
  int interim_responses = 0;                    // 1xx header blocks before the final one
  int version = 0;                              // 10 or 11 (HTTP/1.x) of the final response; 0 = unknown
  std::int64_t bytes = 0;                       // every byte fed, interim responses included
  std::int64_t final_bytes = 0;                 // bytes from the final response's first byte on
  std::int64_t header_bytes = 0;                // header bytes of all blocks (1xx included)
  std::int64_t body_bytes = 0;                  // body bytes after chunk decoding
  std::optional<std::int64_t> declared_length;  // Content-Length of the final response
  bool chunked = false;                         // Transfer-Encoding: chunked
  bool close_delimited = false;                 // no length: the body ends at the server's FIN
  bool complete = false;                  // length reached, last chunk, or FIN of a close-delimited body
  bool connection_close = false;          // "Connection: close" in the final header block
  std::string module;                     // X-Termprobe-Module header value
  NotedHeaders headers;                   // Server, Connection, Keep-Alive of the final response
  std::string parse_error;                // why the bytes are not an HTTP/1.x response; empty = none
  std::string first_bytes_hex;            // first bytes received (up to kFirstBytes), for bad responses
  std::int64_t bytes_after_complete = 0;  // bytes that came after the response ended
  // Kept only when asked: every header block's bytes as they arrived (1xx
  // included, up to the blank line ending the final one), at most
  // kResponseHeadKept; head_cut when more came.
  std::string head;
  bool head_cut = false;
};

inline constexpr std::size_t kFirstBytes = 64;
// Header blocks larger than this are refused as a bad response (curl allows
// 100 KiB per header line; a limit keeps a hostile server from growing memory).
inline constexpr std::uint32_t kHeaderLimit = 256 * 1024;

class Http1Response {
 public:
  // head_request: a response to HEAD has no body, whatever its headers say.
  // keep_head: keep the head's bytes (facts().head), for -v.
  explicit Http1Response(bool head_request, bool keep_head = false);
  ~Http1Response();
  // Not movable: the parser holds a reference to the facts it fills in.
  Http1Response(const Http1Response&) = delete;
  Http1Response& operator=(const Http1Response&) = delete;

  // Feeds bytes as they arrived. After a parse error, or once the response is
  // complete, further bytes are only counted.
  void feed(std::string_view bytes);
  // The server's FIN: completes a close-delimited body.
  void end_of_input();

  const ResponseFacts& facts() const { return facts_; }
  // The facts as final: a header block that never completed is judged as a
  // whole, as if its bytes had come in one read. (Beast checks a start line
  // early only on a fresh parser's first call, so without this, bytes split
  // across reads could end as "truncated" where one read gives "bad".)
  ResponseFacts settled_facts() const;
  // Nothing more to wait for: complete, or not an HTTP/1.x response at all.
  bool done() const { return facts_.complete || !facts_.parse_error.empty(); }
  bool first_final_byte_seen() const { return facts_.final_bytes > 0; }

 private:
  class Parser;
  void feed_parser(std::string_view bytes);
  void start_next_block();
  void note_first_bytes(std::string_view bytes);
  void keep_head_bytes(std::string_view bytes);

  bool head_request_ = false;
  bool keep_head_ = false;
  bool block_start_checked_ = false;  // the current header block starts like a status line
  ResponseFacts facts_;
  std::unique_ptr<Parser> parser_;
  std::string pending_;      // bytes the parser has not taken yet (an incomplete header or chunk line)
  std::string block_bytes_;  // every byte of the current header block while it is incomplete
  std::int64_t block_header_bytes_ = 0;  // of those, what the parser took
};

std::string to_hex(std::string_view bytes);

}  // namespace termprobe
