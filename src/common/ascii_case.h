// ASCII case for protocol tokens (header names, host names): HTTP's
// case-insensitivity is ASCII's, whatever the locale. One copy for every
// layer that compares or folds such names.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace termprobe {

inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace termprobe
