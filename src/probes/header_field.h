// A header field as a request carried it or a response sent it.
#pragma once

#include <string>

namespace termprobe {

struct HeaderField {
  std::string name;
  std::string value;
};

}  // namespace termprobe
