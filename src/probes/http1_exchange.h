// The HTTP/1.1 driver: one request out (head, then a body at an optional
// rate) and the response's accounting in, at the same time — a server that
// answers while the body is still going out is read as it answers.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "probes/connection_driver.h"
#include "probes/http1_response.h"
#include "probes/probe_spec.h"
#include "probes/request_fields.h"

namespace termprobe {

// The request head of method, fields (request_header_fields) and target
// (path and query), built once per spec and shared by its probes.
std::string http1_request_head(const std::string& method, const std::vector<HeaderField>& fields,
                               const std::string& target);

// The response's facts into the observation's response fields: what the
// probe records for its own exchange and the client relay for a client's.
void record_response(Observation& o, const ResponseFacts& facts);

class Http1Exchange final : public ConnectionDriver {
 public:
  // head must outlive the exchange (it is the spec's shared request head);
  // fields are the head's fields, shared with the report; keep_head: record
  // the response head as received.
  Http1Exchange(const ProbeSpec& spec, std::string_view head,
                std::shared_ptr<const std::vector<HeaderField>> fields, bool keep_head = false);

  std::string_view output(std::int64_t now_us) override;
  std::optional<std::int64_t> output_resumes_us() const override;
  void output_sent(std::size_t bytes, std::int64_t now_us) override;
  void input(std::string_view bytes, std::int64_t now_us) override;
  void input_ended(std::int64_t now_us) override;
  bool response_done() const override { return response_->done(); }
  bool close_announced() const override { return response_->facts().connection_close; }
  void record(Observation& o, std::size_t exchange) const override;
  void begin_next_request(std::int64_t now_us) override;

 private:
  bool request_complete() const { return head_sent_ == head_.size() && body_.complete(); }

  const ProbeSpec& spec_;
  std::string_view head_;
  std::shared_ptr<const std::vector<HeaderField>> fields_;
  bool keep_head_ = false;
  std::size_t head_sent_ = 0;
  UploadBody body_;
  std::optional<Http1Response> response_;  // made in place: the next request makes a fresh one
  std::optional<std::int64_t> request_sent_us_;
  std::optional<std::int64_t> first_interim_us_;  // the first 1xx head's first byte
  std::optional<std::int64_t> first_byte_us_;
  std::optional<std::int64_t> response_complete_us_;
};

}  // namespace termprobe
