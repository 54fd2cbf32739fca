#include "clients/wire_watch.h"

#include <algorithm>
#include <cctype>

#include "common/ascii_case.h"
#include "probes/classifier.h"
#include "probes/http1_exchange.h"
#include "probes/observation.h"

namespace termprobe {
namespace {

constexpr std::size_t kHeadLimit = 64 * 1024;  // a longer head is not scanned further

// The value of a header field in a request head, lower-cased; empty when absent.
std::string field_value(std::string_view head, std::string_view name) {
  const std::string text = ascii_lower(head);
  const std::string key = "\r\n" + std::string(name) + ":";
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return "";
  std::size_t from = at + key.size();
  const std::size_t end = text.find("\r\n", from);
  while (from < end && (text[from] == ' ' || text[from] == '\t')) ++from;
  std::string value = text.substr(from, end - from);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return value;
}

}  // namespace

// Finds the requests in the client's byte stream: a head up to its blank
// line, then a Content-Length body or a chunked one (read to its last-chunk
// line), then the next head. Enough to count requests and to know whether
// the last one got out whole; not a validator.
class WireWatch::RequestScanner {
 public:
  struct Request {
    std::string method;
    std::int64_t head_bytes = 0;
    bool head_complete = false;
    std::int64_t body_total = 0;  // Content-Length; 0 for chunked or none
    std::int64_t body_sent = 0;
    bool complete = false;
    std::int64_t bytes = 0;  // head and body bytes seen
  };

  // Calls on_start(method) when a request's head begins.
  template <typename OnStart>
  void feed(std::string_view bytes, OnStart&& on_start) {
    while (!bytes.empty()) {
      if (!in_request_ || last_.complete) {
        in_request_ = true;
        last_ = Request{};
        head_.clear();
        ++count_;
        pending_start_ = true;
      }
      const std::size_t used = last_.head_complete ? take_body(bytes) : take_head(bytes, on_start);
      last_.bytes += static_cast<std::int64_t>(used);
      bytes.remove_prefix(used);
    }
  }

  int count() const { return count_; }
  const Request& last() const { return last_; }

 private:
  template <typename OnStart>
  std::size_t take_head(std::string_view bytes, OnStart&& on_start) {
    const std::size_t before = head_.size();
    head_.append(bytes.substr(0, kHeadLimit + 4 - std::min(before, kHeadLimit + 4)));
    const std::size_t end = head_.find("\r\n\r\n");
    if (pending_start_ && (head_.find(' ') != std::string::npos || end != std::string::npos)) {
      last_.method = head_.substr(0, head_.find(' '));
      pending_start_ = false;
      on_start(last_.method);
    }
    if (end == std::string::npos) {
      last_.head_bytes += static_cast<std::int64_t>(bytes.size());
      return bytes.size();
    }
    const std::size_t used = end + 4 - before;
    head_.resize(end + 4);  // the bytes after it are the body's or the next request's
    last_.head_bytes += static_cast<std::int64_t>(used);
    last_.head_complete = true;
    chunked_ = field_value(head_, "transfer-encoding").find("chunked") != std::string::npos;
    const std::string length = field_value(head_, "content-length");
    last_.body_total = chunked_ || length.empty() ? 0 : std::stoll("0" + length);
    last_.complete = !chunked_ && last_.body_total == 0;
    chunk_tail_ = "\r\n";  // the head's own CRLF, for a body that is the last chunk alone
    return used;
  }

  std::size_t take_body(std::string_view bytes) {
    if (chunked_) {
      // The body ends with the last-chunk line after a CRLF (no trailers:
      // enough for clients' requests); the bytes after it are the next request.
      constexpr std::string_view kLastChunk = "\r\n0\r\n\r\n";
      const std::size_t kept = chunk_tail_.size();
      chunk_tail_.append(bytes);
      const std::size_t end = chunk_tail_.find(kLastChunk);
      std::size_t used = bytes.size();
      if (end != std::string::npos) {
        used = end + kLastChunk.size() - kept;
        last_.complete = true;
      }
      if (chunk_tail_.size() > kLastChunk.size())
        chunk_tail_.erase(0, chunk_tail_.size() - kLastChunk.size());
      last_.body_sent += static_cast<std::int64_t>(used);
      return used;
    }
    const std::size_t used =
        static_cast<std::size_t>(std::min<std::int64_t>(last_.body_total - last_.body_sent, bytes.size()));
    last_.body_sent += static_cast<std::int64_t>(used);
    last_.complete = last_.body_sent == last_.body_total;
    return used;
  }

  int count_ = 0;
  bool in_request_ = false;
  bool pending_start_ = false;
  bool chunked_ = false;
  Request last_;
  std::string head_;
  std::string chunk_tail_;
};

WireWatch::WireWatch(WireReading reading) : reading_(reading) {
  if (reading_ == WireReading::http1) requests_ = std::make_unique<RequestScanner>();
}

WireWatch::~WireWatch() = default;

void WireWatch::start_request(const std::string& method) {
  response_ = std::make_unique<Http1Response>(method == "HEAD");
}

void WireWatch::client_bytes(std::string_view bytes) {
  request_bytes_ += static_cast<std::int64_t>(bytes.size());
  if (requests_) requests_->feed(bytes, [this](const std::string& method) { start_request(method); });
}

void WireWatch::server_bytes(std::string_view bytes) {
  response_bytes_ += static_cast<std::int64_t>(bytes.size());
  if (reading_ != WireReading::http1) return;
  if (!response_) start_request("GET");  // the server spoke first: read it as a response
  response_->feed(bytes);
}

void WireWatch::server_ended(StreamEnd how) {
  if (server_end_ || client_closed_first_) return;
  server_end_ = how;
  if (response_ && how == StreamEnd::fin) response_->end_of_input();
}

void WireWatch::client_ended() {
  if (!server_end_) client_closed_first_ = true;
}

void WireWatch::upstream_refused() { server_end_ = StreamEnd::refused; }

ClientWire WireWatch::result() const {
  ClientWire wire;
  wire.ending = server_end_.value_or(StreamEnd::open);
  wire.client_closed_first = client_closed_first_;
  wire.request_bytes = request_bytes_;
  wire.response_bytes = response_bytes_;
  if (!requests_) return wire;
  wire.requests = requests_->count();
  // A connection that carried no request (a browser's spare one) has nothing to judge.
  if (wire.ending == StreamEnd::refused || requests_->count() == 0) return wire;
  Observation o;
  o.connected = true;
  const auto& request = requests_->last();
  o.method = request.method;
  o.head_bytes = request.head_bytes;
  o.head_complete = request.head_complete;
  o.request_bytes_sent = request.bytes;
  o.body_bytes_total = request.body_total;
  o.body_bytes_sent = request.body_sent;
  o.request_complete = request.complete;
  if (response_) record_response(o, response_->settled_facts());
  o.reused = requests_->count() > 1;
  // The client stopping first before a whole response is its deadline, not
  // the server's ending: read as a timeout. After a whole one it is the
  // connection the server left open.
  o.end = wire.ending;
  if (client_closed_first_ && !o.response_complete) o.end = StreamEnd::timeout;
  wire.label = std::string(to_string(classify(o).label));
  return wire;
}

}  // namespace termprobe
