// What IHttpResponse hands its connection at each send, before any framing:
// HTTP/1.1 turns it into a status line and chunks (http1_framing.h), an
// HTTP/2 stream into HEADERS and DATA frames (h2_stream.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace termprobe_host {

struct ResponseHead {
  int status = 200;
  std::string reason = "OK";
  std::vector<std::pair<std::string, std::string>> headers;  // as the module set them

  const std::string* find(const std::string& name) const;  // case-insensitive
};

struct ResponsePart {
  const ResponseHead* head = nullptr;  // set on the first part of a response only
  std::vector<std::string_view> body;  // module memory, valid until the request ends
  bool final = false;                  // the response ends with this part
  bool close_after = false;            // HTTP/1.1: the host closes the connection after it
  bool goaway_first = false;           // HTTP/2: SetNeedGoAway was called before the headers went out
};

bool same_header_name(std::string_view a, std::string_view b);

}  // namespace termprobe_host
