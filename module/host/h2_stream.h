// One HTTP/2 request on the host: the ConnectionIo the module's IIS objects
// use (HEADERS and DATA through the connection's nghttp2 session instead of
// HTTP/1.1 bytes), with the request's HostContext and RequestRun — the same
// ones an HTTP/1.1 request has.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "connection_io.h"
#include "host_request.h"
#include "pipeline.h"

namespace termprobe_host {

class H2Session;

class H2Stream : public ConnectionIo {
 public:
  H2Stream(H2Session& session, std::int32_t id, RequestHead head, const ModuleRegistration& module);
  ~H2Stream() override;
  H2Stream(const H2Stream&) = delete;
  H2Stream& operator=(const H2Stream&) = delete;

  // Runs the module until it finishes or leaves a notification pending.
  void start();
  void resume(const ReadResult& completion);

  bool send_part(ResponsePart part) override;
  // ResetConnection on HTTP/2: RST_STREAM(INTERNAL_ERROR), the stream only.
  void reset() override;
  bool reset_stream(std::uint32_t code) override;
  bool is_reset() const override { return reset_; }
  ReadResult read_body(void* buffer, DWORD size, bool async) override;
  DWORD remaining_body_bytes() const override;
  bool cancel_pending_io() override;
  void post_completion(DWORD bytes) override;

  // The session's side.
  std::int32_t id() const { return id_; }
  // nghttp2's data source: copies queued body bytes; DEFERRED when none yet.
  long read_data(std::uint8_t* buffer, std::size_t length, std::uint32_t* flags);
  void on_body_data(std::string_view bytes);
  void on_body_end();
  void on_closed() { closed_ = true; }
  bool closed() const { return closed_; }
  bool need_disconnect() { return context_.response().need_disconnect(); }

 private:
  void complete_read();

  H2Session& session_;
  const std::int32_t id_;
  std::optional<std::uint64_t> declared_length_;  // the request's content-length
  std::uint64_t body_received_ = 0;
  std::string body_in_;                    // request body received, not yet read by the module
  std::deque<std::string_view> body_out_;  // response body flushed, not yet in DATA frames
  bool body_ended_ = false;                // END_STREAM from the client
  bool response_final_ = false;
  bool reset_ = false;
  bool closed_ = false;          // nghttp2 closed the stream
  void* read_buffer_ = nullptr;  // the module's pending ReadEntityBody
  DWORD read_size_ = 0;
  HostContext context_;
  RequestRun run_;  // last: disposes the module before the context goes
};

}  // namespace termprobe_host
