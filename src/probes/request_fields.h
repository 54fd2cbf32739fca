// What every request of a spec carries, whatever the protocol: its header
// fields (defaults, then the user's) and its body, paced at an optional
// rate. HTTP/1.1 writes the fields as a head, HTTP/2 as a HEADERS frame;
// both send the body through one UploadBody.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/target_url.h"
#include "probes/header_field.h"
#include "probes/probe_spec.h"

namespace termprobe {

// The user's headers ("Name: value", or "Name:" that removes a default)
// name this field, in any case: theirs replaces the default.
bool user_overrides(const std::vector<std::string>& headers, std::string_view name);

// RFC 7617's credentials for "user:password" (-u, or a URL's user and
// password), as curl sends them: "Basic dXNlcjpwYXNz".
std::string basic_credentials(std::string_view user_password);

// Request body size in bytes: the exact body, else the synthetic size.
std::int64_t request_body_size(const ProbeSpec& spec);

// Host, Authorization (Basic, from -u, else from the URL's user and
// password, as curl sends them), User-Agent, Accept (and Content-Length, and Content-Type:
// the spec's body_type or application/octet-stream, with a body) unless
// the user's headers replace them, then the user's; as with curl, "Name:"
// with nothing after the colon removes a default and is not sent.
std::vector<HeaderField> request_header_fields(const ProbeSpec& spec, const TargetUrl& url);

// A request body going out, at the spec's rate when it has one.
class UploadBody {
 public:
  explicit UploadBody(const ProbeSpec& spec);

  std::int64_t total() const { return total_; }
  std::int64_t sent() const { return sent_; }
  bool complete() const { return sent_ == total_; }
  // The head is out: the body (and its rate's clock) may start.
  void start(std::int64_t now_us);
  // Bytes that may go at now_us, at most max; empty when the rate holds them back.
  std::string_view ready(std::int64_t now_us, std::size_t max) const;
  // When held-back bytes may go; nullopt when nothing is held back.
  std::optional<std::int64_t> resumes_us() const;
  void consumed(std::size_t bytes) { sent_ += static_cast<std::int64_t>(bytes); }

 private:
  const ProbeSpec* spec_;  // a pointer, not a reference: a reused connection assigns a fresh body
  std::int64_t total_ = 0;
  std::int64_t sent_ = 0;
  std::int64_t started_us_ = 0;
  bool started_ = false;
};

}  // namespace termprobe
