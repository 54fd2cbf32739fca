// One probe's libcurl easy handle and the facts its callbacks collect.
// The engine drives it; the transfer never blocks and never closes the
// connected socket: the engine watches that socket after libcurl is done.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <vector>

#include "probes/error.h"
#include "probes/observation.h"
#include "probes/probe_spec.h"

namespace termprobe {

class Transfer {
 public:
  using Clock = std::chrono::steady_clock;

  // closer is handed to libcurl as the close-socket callback's user pointer:
  // it outlives every transfer so that a late close never touches a dead one.
  // adopted_fd: a connected socket to send on instead of opening one (reuse probes).
  static Result<std::unique_ptr<Transfer>> create(const ProbeSpec& spec, void* closer,
                                                  curl_closesocket_callback close_callback,
                                                  int adopted_fd = -1);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* easy() const { return easy_; }
  int connected_fd() const { return connected_fd_; }
  int adopted_fd() const { return adopted_fd_; }
  const ProbeSpec& spec() const { return spec_; }
  Observation& observation() { return observation_; }
  std::int64_t elapsed_us() const;
  Clock::time_point started() const { return started_; }

  // Called once libcurl reports the transfer done: fills the facts only
  // libcurl knows (status, timings, error text).
  void record_curl_result(CURLcode code);

 private:
  explicit Transfer(const ProbeSpec& spec);
  Result<void> configure(void* closer, curl_closesocket_callback close_callback);

  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int on_socket_options(void* self, curl_socket_t fd, curlsocktype purpose);
  static int on_connected(void* self, char* remote_ip, char* local_ip, int remote_port, int local_port);
  static size_t on_header(char* data, size_t size, size_t count, void* self);
  static size_t on_body(char* data, size_t size, size_t count, void* self);
  static size_t on_upload(char* buffer, size_t size, size_t count, void* self);
  static int on_debug(CURL* easy, curl_infotype type, char* data, size_t size, void* self);

  void parse_header_line(std::string_view line);
  void note_request_progress(std::size_t bytes, bool is_header);

  ProbeSpec spec_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  Observation observation_;
  Clock::time_point started_;
  std::vector<int> opened_fds_;          // every socket libcurl asked for (happy eyeballs may open several)
  int connected_fd_ = -1;                // the one that carried the request
  int adopted_fd_ = -1;                  // reuse probes: the earlier connection's socket
  bool headers_sent_ = false;            // the request header block left in full
  std::int64_t body_bytes_offered_ = 0;  // body bytes given to libcurl through the read callback
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace termprobe
