#include "report/request_options.h"

namespace termprobe {

bool has_body(const RequestOptions& request) { return !request.data.empty() || request.body_bytes > 0; }

Result<void> build_request(const RequestOptions& request, ProbeSpec& spec) {
  spec.headers = request.headers;
  spec.upload_rate = request.upload_rate;
  spec.body.clear();
  spec.body_type.clear();  // request_header_fields sends application/octet-stream for body_bytes
  spec.body_bytes = request.body_bytes;
  if (!request.data.empty()) {
    auto body = assemble_request_data(request.data);
    if (!body) return tl::unexpected(body.error());
    spec.body = std::move(*body);
    spec.body_type = kFormContentType;
    spec.body_bytes = 0;
  }
  // As curl: a body without an explicit method is a POST.
  spec.method = !request.method.empty() ? request.method : has_body(request) ? "POST" : "GET";
  return {};
}

}  // namespace termprobe
