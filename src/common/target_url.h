// Checks a probe URL before any socket is opened, so that bad input gets
// one clear line instead of a curl error code.
#pragma once

#include <string>

#include "common/error.h"

namespace termprobe {

struct TargetUrl {
  std::string url;     // normalized by libcurl's URL parser
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;                // explicit or the scheme's default
  std::string request_target;  // path and query, as sent on the request line
  std::string host_header;     // the Host header: host, with the port when the URL names one
  // user:password@ of the URL, percent-decoded; the request sends them as
  // Basic credentials, as curl does. Empty when the URL has none.
  std::string user;
  std::string password;
};

Result<TargetUrl> parse_target_url(const std::string& text);

}  // namespace termprobe
