#include "probes/response_head.h"

namespace termprobe {

void keep_head_line(ResponseHead& head, std::string_view line) {
  constexpr std::size_t kLineEnd = 2;
  if (head.cut) return;
  const std::size_t room = kResponseHeadKept - head.bytes;
  if (line.size() + kLineEnd > room) {
    head.cut = true;
    if (room > kLineEnd) head.lines.emplace_back(line.substr(0, room - kLineEnd));
    head.bytes = kResponseHeadKept;
    return;
  }
  head.lines.emplace_back(line);
  head.bytes += line.size() + kLineEnd;
}

ResponseHead http1_head_lines(std::string_view bytes, bool cut) {
  ResponseHead head;
  // The blank line that ends the (last) head block says nothing.
  if (bytes.ends_with("\r\n\r\n"))
    bytes.remove_suffix(4);
  else if (bytes.ends_with("\n\n"))
    bytes.remove_suffix(2);
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    keep_head_line(head, line);
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  head.cut = head.cut || cut;
  return head;
}

}  // namespace termprobe
