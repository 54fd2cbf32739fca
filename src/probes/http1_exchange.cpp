#include "probes/http1_exchange.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace termprobe {
namespace {

// Synthetic request bodies are this byte repeated; one shared buffer serves
// every probe.
constexpr std::size_t kBodyChunk = 64 * 1024;
const std::array<char, kBodyChunk>& synthetic_body() {
  static const std::array<char, kBodyChunk> bytes = [] {
    std::array<char, kBodyChunk> filled{};
    filled.fill('x');
    return filled;
  }();
  return bytes;
}

std::string_view header_name(std::string_view header) {
  const auto colon = header.find(':');
  return colon == std::string_view::npos ? header : header.substr(0, colon);
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// As with curl: a user header replaces the default of the same name, and
// "Name:" with nothing after the colon removes it.
bool user_overrides(const std::vector<std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const std::string& h) { return same_name(header_name(h), name); });
}

bool removes_header(std::string_view header) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos) return false;
  return header.find_first_not_of(" \t", colon + 1) == std::string_view::npos;
}

// Pacing granularity for --upload-rate: about twenty sends a second.
std::int64_t rate_quantum(std::int64_t rate) { return std::clamp<std::int64_t>(rate / 20, 1, 16 * 1024); }

}  // namespace

std::string http1_request_head(const ProbeSpec& spec, const std::string& host_header,
                               const std::string& target) {
  const std::int64_t body = spec.body.empty() ? spec.body_bytes : static_cast<std::int64_t>(spec.body.size());
  std::vector<std::pair<std::string, std::string>> defaults = {
      {"Host", host_header}, {"User-Agent", "termprobe/0.1.0"}, {"Accept", "*/*"}};
  if (body > 0) {
    defaults.emplace_back("Content-Length", std::to_string(body));
    defaults.emplace_back("Content-Type", "application/octet-stream");
  }
  std::string head = spec.method + " " + target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : defaults) {
    if (!user_overrides(spec.headers, name)) head += name + ": " + value + "\r\n";
  }
  for (const auto& header : spec.headers) {
    if (!removes_header(header)) head += header + "\r\n";
  }
  head += "\r\n";
  return head;
}

Http1Exchange::Http1Exchange(const ProbeSpec& spec, std::string_view head)
    : spec_(spec),
      head_(head),
      body_total_(spec.body.empty() ? spec.body_bytes : static_cast<std::int64_t>(spec.body.size())),
      response_(spec.method == "HEAD") {}

std::int64_t Http1Exchange::body_bytes_allowed(std::int64_t now_us) const {
  const std::int64_t left = body_total_ - body_sent_;
  if (spec_.upload_rate <= 0) return left;
  const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_us - body_started_us_)) / 1e6;
  const auto earned = static_cast<std::int64_t>(elapsed_s * static_cast<double>(spec_.upload_rate));
  const std::int64_t allowed = std::min(left, earned + rate_quantum(spec_.upload_rate) - body_sent_);
  return std::max<std::int64_t>(0, allowed);
}

std::string_view Http1Exchange::output(std::int64_t now_us) {
  // A complete answer ends the request: like curl, stop sending the rest of
  // the body (the server said what it had to say).
  if (response_.done()) return {};
  if (head_sent_ < head_.size()) return head_.substr(head_sent_);
  const auto allowed =
      static_cast<std::size_t>(std::min<std::int64_t>(body_bytes_allowed(now_us), kBodyChunk));
  if (allowed == 0) return {};
  if (!spec_.body.empty())
    return std::string_view(spec_.body).substr(static_cast<std::size_t>(body_sent_), allowed);
  return std::string_view(synthetic_body().data(), allowed);
}

std::optional<std::int64_t> Http1Exchange::output_resumes_us() const {
  if (spec_.upload_rate <= 0 || head_sent_ < head_.size() || body_sent_ >= body_total_ || response_.done())
    return std::nullopt;
  // The moment the rate has earned the next quantum.
  const double due_s = static_cast<double>(body_sent_) / static_cast<double>(spec_.upload_rate);
  return body_started_us_ + static_cast<std::int64_t>(due_s * 1e6) + 1;
}

void Http1Exchange::output_sent(std::size_t bytes, std::int64_t now_us) {
  if (head_sent_ < head_.size()) {
    head_sent_ += bytes;
    if (head_sent_ == head_.size()) body_started_us_ = now_us;
  } else {
    body_sent_ += static_cast<std::int64_t>(bytes);
  }
  if (!request_sent_us_ && request_complete()) request_sent_us_ = now_us;
}

void Http1Exchange::input(std::string_view bytes, std::int64_t now_us) {
  const bool was_complete = response_.facts().complete;
  response_.feed(bytes);
  if (!first_byte_us_ && response_.first_final_byte_seen()) first_byte_us_ = now_us;
  if (!was_complete && response_.facts().complete) response_complete_us_ = now_us;
}

void Http1Exchange::input_ended(std::int64_t now_us) {
  const bool was_complete = response_.facts().complete;
  response_.end_of_input();
  if (!was_complete && response_.facts().complete) response_complete_us_ = now_us;
}

void Http1Exchange::record(Observation& o) const {
  const ResponseFacts r = response_.settled_facts();
  o.method = spec_.method;
  o.head_bytes = static_cast<std::int64_t>(head_.size());
  o.head_complete = head_sent_ == head_.size();
  o.request_bytes_sent = static_cast<std::int64_t>(head_sent_) + body_sent_;
  o.body_bytes_total = body_total_;
  o.body_bytes_sent = body_sent_;
  o.request_complete = request_complete();
  o.status = r.status;
  o.interim_responses = r.interim_responses;
  o.http_version = r.version;
  o.response_bytes = r.bytes;
  o.final_response_bytes = r.final_bytes;
  o.header_bytes = r.header_bytes;
  o.body_bytes = r.body_bytes;
  o.declared_length = r.declared_length;
  o.chunked = r.chunked;
  o.close_delimited = r.close_delimited;
  o.response_complete = r.complete;
  o.connection_close = r.connection_close;
  o.module = r.module;
  o.parse_error = r.parse_error;
  if (!r.parse_error.empty()) o.first_bytes_hex = r.first_bytes_hex;
  o.bytes_after_response = r.bytes_after_complete;
  o.timings.request_sent_us = request_sent_us_;
  o.timings.first_byte_us = first_byte_us_;
  o.timings.response_complete_us = response_complete_us_;
}

}  // namespace termprobe
