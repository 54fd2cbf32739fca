// Checks a probe URL before any socket is opened, so that bad input gets
// one clear line instead of a curl error code.
#pragma once

#include <string>

#include "probes/error.h"

namespace termprobe {

struct TargetUrl {
  std::string url;     // normalized by libcurl's URL parser
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;  // explicit or the scheme's default
};

Result<TargetUrl> parse_target_url(const std::string& text);

}  // namespace termprobe
