// HTTP/1.1 framing of one response: the status line and headers with the
// first part, then the body as it is (Content-Length) or in chunks when the
// module flushed before the response was complete and declared no length.
#pragma once

#include "response_part.h"
#include "wire_bytes.h"

namespace termprobe_host {

class Http1Framer {
 public:
  WireBytes frame(const ResponsePart& part);

 private:
  bool chunked_ = false;  // chosen when the headers went out
};

}  // namespace termprobe_host
