// What a user asks one request to carry, in the words of `probe` (-X, -H,
// -d, --data-binary, --body-bytes, --upload-rate) or of a check file
// (method, headers, data, data_binary, body_bytes, upload_rate), and the one
// function that turns those words into the spec's request: the method a
// body implies, the body and its Content-Type. The command line and check
// files both call it, so the same words cannot build two requests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "probes/probe_spec.h"
#include "report/request_data.h"

namespace termprobe {

struct RequestOptions {
  std::string method;                // empty: GET, or POST with a body (as curl)
  std::vector<std::string> headers;  // "Name: value", checked by header_problem
  std::vector<DataPart> data;        // -d and --data-binary, in the order curl joins them
  std::int64_t body_bytes = 0;       // synthetic body of 'x'; ignored when data is given
  std::int64_t upload_rate = 0;      // bytes per second; 0 = unlimited
};

// Whether the options ask for a request body (what --upload-rate needs).
bool has_body(const RequestOptions& request);

// Sets the spec's method, headers, body (data joined as curl does, with
// Content-Type application/x-www-form-urlencoded; else body_bytes of 'x',
// sent as application/octet-stream) and upload rate. Fails only when a
// data file cannot be read.
Result<void> build_request(const RequestOptions& request, ProbeSpec& spec);

}  // namespace termprobe
