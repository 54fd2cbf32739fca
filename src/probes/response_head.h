// The response head as received, kept only when asked (-v prints it): a large
// run without -v keeps nothing of it beyond the noted headers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace termprobe {

// At most this many bytes of a response head are kept; a longer head is cut.
inline constexpr std::size_t kResponseHeadKept = 16 * 1024;

struct ResponseHead {
  // HTTP/1.1: the head's lines as they arrived, without their line ends
  // (status line, fields; interim 1xx heads first, an empty line after each).
  // HTTP/2: "name: value" of each HEADERS field in order, ":status" first.
  std::vector<std::string> lines;
  std::size_t bytes = 0;  // bytes kept, two per line end included
  bool cut = false;       // the head was longer than kResponseHeadKept: the rest was dropped
};

// Adds line, or the part of it that fits under kResponseHeadKept.
void keep_head_line(ResponseHead& head, std::string_view line);

// An HTTP/1.1 head's bytes as lines; the blank line that ends it is not one.
ResponseHead http1_head_lines(std::string_view bytes, bool cut);

}  // namespace termprobe
