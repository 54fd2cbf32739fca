#include "probes/transfer.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace termprobe {
namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

bool icontains(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != text.end();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const std::string& h) {
    return iequals_prefix(h, name) && h.size() > name.size() && h[name.size()] == ':';
  });
}

// Only for IPv4 loopback targets: anything else keeps the kernel's choice.
void bind_loopback_source(int fd, int source, const curl_sockaddr* target) {
  if (source <= 0 || target->family != AF_INET) return;
  const auto* to = reinterpret_cast<const sockaddr_in*>(&target->addr);
  if ((ntohl(to->sin_addr.s_addr) >> 24) != 127) return;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(source));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof(from)) != 0)
    spdlog::debug("bind to 127.0.0.{} failed: {}", source, std::strerror(errno));
}

template <typename Value>
Result<void> set_option(CURL* easy, CURLoption option, Value value) {
  const CURLcode code = curl_easy_setopt(easy, option, value);
  if (code == CURLE_OK) return {};
  return fail(ErrorKind::internal, std::string("libcurl refused an option: ") + curl_easy_strerror(code));
}

}  // namespace

Transfer::Transfer(const ProbeSpec& spec) : spec_(spec), started_(Clock::now()) {
  observation_.method = spec.method;
  observation_.body_bytes_total = spec.body_bytes;
  observation_.tls = spec.url.rfind("https:", 0) == 0;
}

Transfer::~Transfer() {
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  if (header_list_ != nullptr) curl_slist_free_all(header_list_);
}

Result<std::unique_ptr<Transfer>> Transfer::create(const ProbeSpec& spec, void* closer,
                                                   curl_closesocket_callback close_callback, int adopted_fd) {
  std::unique_ptr<Transfer> transfer(new Transfer(spec));
  transfer->adopted_fd_ = adopted_fd;
  transfer->easy_ = curl_easy_init();
  if (transfer->easy_ == nullptr) return fail(ErrorKind::internal, "libcurl could not create a transfer");
  auto configured = transfer->configure(closer, close_callback);
  if (!configured) return tl::unexpected(configured.error());
  return transfer;
}

std::int64_t Transfer::elapsed_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
}

Result<void> Transfer::configure(void* closer, curl_closesocket_callback close_callback) {
  CURL* e = easy_;
  // A fresh connection per probe that libcurl may not reuse: a silent retry on
  // a reused connection would hide exactly the ending we are here to see.
  std::vector<Result<void>> steps = {
      set_option(e, CURLOPT_URL, spec_.url.c_str()),
      set_option(e, CURLOPT_PROTOCOLS_STR, "http,https"),
      set_option(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)),
      set_option(e, CURLOPT_FRESH_CONNECT, 1L),
      set_option(e, CURLOPT_FORBID_REUSE, 1L),
      set_option(e, CURLOPT_NOSIGNAL, 1L),
      // Environment proxies would put another server's ending in the report.
      set_option(e, CURLOPT_PROXY, ""),
      set_option(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec_.connect_timeout.count())),
      set_option(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec_.timeout.count())),
      set_option(e, CURLOPT_ERRORBUFFER, error_buffer_),
      set_option(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::on_open_socket),
      set_option(e, CURLOPT_OPENSOCKETDATA, static_cast<void*>(this)),
      set_option(e, CURLOPT_CLOSESOCKETFUNCTION, close_callback),
      set_option(e, CURLOPT_CLOSESOCKETDATA, closer),
      set_option(e, CURLOPT_PREREQFUNCTION, &Transfer::on_connected),
      set_option(e, CURLOPT_PREREQDATA, static_cast<void*>(this)),
      set_option(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header),
      set_option(e, CURLOPT_HEADERDATA, static_cast<void*>(this)),
      set_option(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body),
      set_option(e, CURLOPT_WRITEDATA, static_cast<void*>(this)),
      // The debug callback is where libcurl says how many request bytes it sent.
      set_option(e, CURLOPT_VERBOSE, 1L),
      set_option(e, CURLOPT_DEBUGFUNCTION, &Transfer::on_debug),
      set_option(e, CURLOPT_DEBUGDATA, static_cast<void*>(this)),
  };
  if (spec_.method == "HEAD") {
    steps.push_back(set_option(e, CURLOPT_NOBODY, 1L));
  } else if (spec_.body_bytes > 0) {
    steps.push_back(set_option(e, CURLOPT_POST, 1L));
    steps.push_back(set_option(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec_.body_bytes)));
    steps.push_back(set_option(e, CURLOPT_READFUNCTION, &Transfer::on_upload));
    steps.push_back(set_option(e, CURLOPT_READDATA, static_cast<void*>(this)));
    if (spec_.upload_rate > 0)
      steps.push_back(
          set_option(e, CURLOPT_MAX_SEND_SPEED_LARGE, static_cast<curl_off_t>(spec_.upload_rate)));
    if (spec_.method != "POST") steps.push_back(set_option(e, CURLOPT_CUSTOMREQUEST, spec_.method.c_str()));
  } else if (spec_.method != "GET") {
    steps.push_back(set_option(e, CURLOPT_CUSTOMREQUEST, spec_.method.c_str()));
  }
  for (const auto& header : spec_.headers) header_list_ = curl_slist_append(header_list_, header.c_str());
  // libcurl would otherwise wait up to a second for "100 Continue" on large bodies.
  if (!has_header(spec_.headers, "Expect")) header_list_ = curl_slist_append(header_list_, "Expect:");
  steps.push_back(set_option(e, CURLOPT_HTTPHEADER, header_list_));
  if (adopted_fd_ >= 0) steps.push_back(set_option(e, CURLOPT_SOCKOPTFUNCTION, &Transfer::on_socket_options));
  steps.push_back(set_option(e, CURLOPT_SOCKOPTDATA, static_cast<void*>(this)));
  for (auto& step : steps) {
    if (!step) return step;
  }
  return {};
}

// A reuse probe hands libcurl the earlier connection's socket, marked as
// already connected: libcurl sees a new connection, so it cannot retry.
int Transfer::on_socket_options(void* self, curl_socket_t fd, curlsocktype) {
  auto* transfer = static_cast<Transfer*>(self);
  return fd == transfer->adopted_fd_ ? CURL_SOCKOPT_ALREADY_CONNECTED : CURL_SOCKOPT_OK;
}

curl_socket_t Transfer::on_open_socket(void* self, curlsocktype, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(self);
  if (transfer->adopted_fd_ >= 0 && transfer->opened_fds_.empty()) {
    transfer->opened_fds_.push_back(transfer->adopted_fd_);
    return transfer->adopted_fd_;
  }
  const int fd = socket(address->family, address->socktype, address->protocol);
  if (fd >= 0) transfer->opened_fds_.push_back(fd);
  if (fd >= 0) bind_loopback_source(fd, transfer->spec_.loopback_source, address);
  return fd >= 0 ? fd : CURL_SOCKET_BAD;
}

// libcurl calls this once the connection is up, right before the request:
// the socket whose local port matches is the one to keep and watch.
int Transfer::on_connected(void* self, char* remote_ip, char* local_ip, int remote_port, int local_port) {
  auto* transfer = static_cast<Transfer*>(self);
  auto& o = transfer->observation_;
  o.connected = true;
  o.remote = Endpoint{remote_ip, remote_port};
  o.local = Endpoint{local_ip, local_port};
  for (int fd : transfer->opened_fds_) {
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(&local);  // port sits at the same offset for v6
    if (ntohs(in->sin_port) == local_port) transfer->connected_fd_ = fd;
  }
  return CURL_PREREQFUNC_OK;
}

size_t Transfer::on_header(char* data, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  const size_t bytes = size * count;
  auto& o = transfer->observation_;
  if (!o.timings.first_byte_us) o.timings.first_byte_us = transfer->elapsed_us();
  o.header_bytes += static_cast<std::int64_t>(bytes);
  transfer->parse_header_line(std::string_view(data, bytes));
  return bytes;
}

void Transfer::parse_header_line(std::string_view line) {
  auto& o = observation_;
  if (line.rfind("HTTP/", 0) == 0) {
    // A new header block (after a 1xx): its framing facts start over.
    o.declared_length.reset();
    o.chunked = false;
    o.connection_close = false;
    o.module.clear();
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (name.size() == 14 && iequals_prefix(name, "content-length")) {
    std::int64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && end == value.data() + value.size()) o.declared_length = length;
  } else if (name.size() == 17 && iequals_prefix(name, "transfer-encoding")) {
    o.chunked = icontains(value, "chunked");
  } else if (name.size() == 10 && iequals_prefix(name, "connection")) {
    o.connection_close = icontains(value, "close");
  } else if (name.size() == 18 && iequals_prefix(name, "x-termprobe-module")) {
    o.module = std::string(value);
  }
}

size_t Transfer::on_body(char*, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  transfer->observation_.body_bytes += static_cast<std::int64_t>(size * count);
  return size * count;
}

size_t Transfer::on_upload(char* buffer, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  const std::int64_t left = transfer->spec_.body_bytes - transfer->body_bytes_offered_;
  const auto bytes =
      static_cast<size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(size * count)));
  std::memset(buffer, 'x', bytes);
  transfer->body_bytes_offered_ += static_cast<std::int64_t>(bytes);
  return bytes;
}

int Transfer::on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  switch (type) {
    case CURLINFO_HEADER_OUT: transfer->note_request_progress(size, true); break;
    case CURLINFO_DATA_OUT: transfer->note_request_progress(size, false); break;
    case CURLINFO_TEXT:
      if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("curl: {}", trim(std::string_view(data, size)));
      break;
    default: break;
  }
  return 0;
}

// libcurl reports header and body bytes here only after the kernel took them.
void Transfer::note_request_progress(std::size_t bytes, bool is_header) {
  auto& o = observation_;
  o.request_bytes_sent += static_cast<std::int64_t>(bytes);
  if (is_header)
    headers_sent_ = true;
  else
    o.body_bytes_sent += static_cast<std::int64_t>(bytes);
  if (!o.request_complete && headers_sent_ && o.body_bytes_sent >= o.body_bytes_total) {
    o.request_complete = true;
    o.timings.request_sent_us = elapsed_us();
  }
}

void Transfer::record_curl_result(CURLcode code) {
  auto& o = observation_;
  o.curl_code = static_cast<int>(code);
  if (code != CURLE_OK) o.curl_message = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  o.status = static_cast<int>(status);
  curl_off_t connect_us = 0;
  curl_off_t tls_us = 0;
  curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &connect_us);
  curl_easy_getinfo(easy_, CURLINFO_APPCONNECT_TIME_T, &tls_us);
  if (connect_us > 0) {
    o.connected = true;
    o.timings.connect_us = connect_us;
  }
  if (o.tls && tls_us > 0) {
    o.tls_established = true;
    o.timings.tls_us = tls_us;
  }
  if (o.remote.address.empty()) {
    char* ip = nullptr;
    long port = 0;
    if (curl_easy_getinfo(easy_, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr)
      o.remote.address = ip;
    if (curl_easy_getinfo(easy_, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
      o.remote.port = static_cast<int>(port);
  }
  o.response_complete = code == CURLE_OK && o.status != 0;
  if (o.response_complete) o.timings.response_complete_us = elapsed_us();
}

}  // namespace termprobe
