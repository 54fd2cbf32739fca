#include "http1_framing.h"

#include <cstdio>

namespace termprobe_host {
namespace {

std::size_t total_size(const std::vector<std::string_view>& pieces) {
  std::size_t total = 0;
  for (const auto piece : pieces) total += piece.size();
  return total;
}

std::string chunk_size_line(std::size_t size) {
  char line[20];
  std::snprintf(line, sizeof(line), "%zx\r\n", size);
  return line;
}

std::string head_text(const ResponseHead& head, bool chunked, bool close_after) {
  std::string text = "HTTP/1.1 " + std::to_string(head.status) + " " + head.reason + "\r\n";
  text += "Server: termprobe-module-host\r\n";
  for (const auto& [name, value] : head.headers) {
    if (same_header_name(name, "Connection") || same_header_name(name, "Transfer-Encoding")) continue;
    text += name + ": " + value + "\r\n";
  }
  if (chunked) text += "Transfer-Encoding: chunked\r\n";
  if (close_after) text += "Connection: close\r\n";
  return text + "\r\n";
}

}  // namespace

WireBytes Http1Framer::frame(const ResponsePart& part) {
  const std::size_t body_size = total_size(part.body);
  WireBytes wire;
  if (part.head != nullptr) {
    // A response flushed before it is complete needs chunked framing unless
    // the module declared Content-Length itself.
    const bool has_length = part.head->find("Content-Length") != nullptr;
    chunked_ = !part.final && !has_length;
    std::string text = head_text(*part.head, chunked_, part.close_after);
    if (!chunked_ && part.final && !has_length)
      text.insert(text.size() - 2, "Content-Length: " + std::to_string(body_size) + "\r\n");
    wire.add_text(std::move(text));
  }
  if (chunked_ && body_size > 0) wire.add_text(chunk_size_line(body_size));
  for (const auto piece : part.body) wire.add_borrowed(piece);
  if (chunked_ && body_size > 0) wire.add_text("\r\n");
  if (chunked_ && part.final) wire.add_text("0\r\n\r\n");
  return wire;
}

}  // namespace termprobe_host
