// The host's side of one HTTP/2 connection: nghttp2's server session, fed
// by hand (mem_recv / mem_send) by the Connection that owns the socket, and
// the streams it carries, each running the module as an HTTP/1.1 request
// does (H2Stream). Every call is made on the connection's strand.
//
// Bounded like the HTTP/1.1 path: at most kMaxStreams streams at once
// (SETTINGS_MAX_CONCURRENT_STREAMS), request bodies held only up to the
// stream's flow-control window (the host sends WINDOW_UPDATE as the module
// reads), and response DATA copied from the module's memory a frame at a
// time, at most kPumpBytes per pump, the next pump once those are out.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "h2_stream.h"
#include "wire_bytes.h"

namespace termprobe_host {

// RFC 9113 §3.4: what an h2c client with prior knowledge sends first.
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

class H2Session;

// What the session needs from its connection.
class H2Output {
 public:
  virtual ~H2Output() = default;
  // Queues bytes for the client, in order.
  virtual void queue(WireBytes bytes) = 0;
  // Runs task on the connection's strand later, never inside the caller, and
  // not at all once the connection is gone. Safe from any thread.
  virtual void defer(std::function<void(H2Session&)> task) = 0;
};

class H2Session {
 public:
  static constexpr std::uint32_t kMaxStreams = 100;
  static constexpr std::size_t kPumpBytes = 256 * 1024;

  // Submits the server's SETTINGS. Throws std::runtime_error when nghttp2
  // cannot make a session (out of memory).
  H2Session(const ModuleRegistration& module, H2Output& output);
  ~H2Session();
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // Client bytes. False once nghttp2 refused them (no preface, a protocol
  // error): its GOAWAY is queued by the next settle().
  bool receive(std::string_view bytes);
  // Starts the requests that arrived, sends what is ready, forgets closed
  // streams. Call after every receive() and deferred task, and when the
  // output has drained.
  void settle();
  // Whether the connection has a use left: nghttp2 still reads or writes.
  bool alive() const;

  // The streams' side.
  void submit_response(H2Stream& stream, const ResponsePart& part);
  void resume_data(std::int32_t stream);
  // What is queued for the stream goes out first, then RST_STREAM(code).
  void reset_stream(std::int32_t stream, std::uint32_t code);
  void shutdown_notice();  // GOAWAY(2^31-1, NO_ERROR)
  // Request body bytes the module read (stream open) or that no one will (closed).
  void consume(std::int32_t stream, std::size_t bytes);
  void consume_unread(std::size_t bytes);
  void pump(std::size_t limit = kPumpBytes);
  void defer(std::function<void(H2Session&)> task) { output_.defer(std::move(task)); }
  H2Stream* find(std::int32_t stream);

 private:
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t flags, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_data_chunk(nghttp2_session*, std::uint8_t flags, std::int32_t stream,
                           const std::uint8_t* data, std::size_t length, void* self);
  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t error_code, void* self);

  void sweep();

  const ModuleRegistration& module_;
  H2Output& output_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, RequestHead> heads_;  // request headers still arriving
  std::map<std::int32_t, std::unique_ptr<H2Stream>> streams_;
  std::vector<std::int32_t> ready_;  // request headers complete, module not started
  bool failed_ = false;
  bool disconnect_ = false;  // a stream's module called SetNeedDisconnect
  bool terminated_ = false;  // the final GOAWAY is submitted
};

}  // namespace termprobe_host
