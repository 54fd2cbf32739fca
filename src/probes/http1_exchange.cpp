#include "probes/http1_exchange.h"

#include <limits>

namespace termprobe {

std::string http1_request_head(const std::string& method, const std::vector<HeaderField>& fields,
                               const std::string& target) {
  std::string head = method + " " + target + " HTTP/1.1\r\n";
  for (const auto& field : fields) head += field.name + ": " + field.value + "\r\n";
  head += "\r\n";
  return head;
}

void record_response(Observation& o, const ResponseFacts& r) {
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
  o.response_headers = r.headers;
  o.parse_error = r.parse_error;
  if (!r.parse_error.empty()) o.first_bytes_hex = r.first_bytes_hex;
  o.bytes_after_response = r.bytes_after_complete;
}

Http1Exchange::Http1Exchange(const ProbeSpec& spec, std::string_view head,
                             std::shared_ptr<const std::vector<HeaderField>> fields, bool keep_head)
    : spec_(spec), head_(head), fields_(std::move(fields)), keep_head_(keep_head), body_(spec) {
  response_.emplace(spec.method == "HEAD", keep_head_);
}

void Http1Exchange::begin_next_request(std::int64_t) {
  head_sent_ = 0;
  body_ = UploadBody(spec_);
  response_.emplace(spec_.method == "HEAD", keep_head_);
  request_sent_us_.reset();
  first_byte_us_.reset();
  first_interim_us_.reset();
  response_complete_us_.reset();
}

std::string_view Http1Exchange::output(std::int64_t now_us) {
  // A complete answer ends the request: like curl, stop sending the rest of
  // the body (the server said what it had to say).
  if (response_->done()) return {};
  if (head_sent_ < head_.size()) return head_.substr(head_sent_);
  return body_.ready(now_us, std::numeric_limits<std::size_t>::max());
}

std::optional<std::int64_t> Http1Exchange::output_resumes_us() const {
  if (head_sent_ < head_.size() || response_->done()) return std::nullopt;
  return body_.resumes_us();
}

void Http1Exchange::output_sent(std::size_t bytes, std::int64_t now_us) {
  if (head_sent_ < head_.size()) {
    head_sent_ += bytes;
    if (head_sent_ == head_.size()) body_.start(now_us);
  } else {
    body_.consumed(bytes);
  }
  if (!request_sent_us_ && request_complete()) request_sent_us_ = now_us;
}

void Http1Exchange::input(std::string_view bytes, std::int64_t now_us) {
  const bool was_complete = response_->facts().complete;
  const int interim_before = response_->facts().interim_responses;
  response_->feed(bytes);
  // A header block counts as final until it turns out to be a 1xx: its
  // first byte's time was a guess, and the next block's first byte is the
  // final response's (already here when the same read goes on past the 1xx).
  if (response_->facts().interim_responses != interim_before) {
    if (!first_interim_us_) first_interim_us_ = first_byte_us_.value_or(now_us);
    first_byte_us_.reset();
  }
  if (!first_byte_us_ && response_->first_final_byte_seen()) first_byte_us_ = now_us;
  if (!was_complete && response_->facts().complete) response_complete_us_ = now_us;
}

void Http1Exchange::input_ended(std::int64_t now_us) {
  const bool was_complete = response_->facts().complete;
  response_->end_of_input();
  if (!was_complete && response_->facts().complete) response_complete_us_ = now_us;
}

void Http1Exchange::record(Observation& o, std::size_t) const {
  const ResponseFacts r = response_->settled_facts();
  o.method = spec_.method;
  o.request_headers = fields_;
  o.head_bytes = static_cast<std::int64_t>(head_.size());
  o.head_complete = head_sent_ == head_.size();
  o.request_bytes_sent = static_cast<std::int64_t>(head_sent_) + body_.sent();
  o.body_bytes_total = body_.total();
  o.body_bytes_sent = body_.sent();
  o.request_complete = request_complete();
  record_response(o, r);
  if (keep_head_) o.response_head = http1_head_lines(r.head, r.head_cut);
  o.timings.request_sent_us = request_sent_us_;
  o.timings.first_interim_us = first_interim_us_;
  o.timings.first_byte_us = first_byte_us_;
  o.timings.response_complete_us = response_complete_us_;
}

}  // namespace termprobe
