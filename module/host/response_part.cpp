#include "response_part.h"

#include <algorithm>
#include <cctype>

namespace termprobe_host {

bool same_header_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* ResponseHead::find(const std::string& name) const {
  for (const auto& [existing, value] : headers) {
    if (same_header_name(existing, name)) return &value;
  }
  return nullptr;
}

}  // namespace termprobe_host
