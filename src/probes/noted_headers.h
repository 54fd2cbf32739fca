// The response header fields an engineer matches with a server's
// configuration and logs first: which server answered, and what it said of
// the connection. Only these are kept; a body of headers is never stored.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace termprobe {

// A value longer than this is cut to it: a hostile server's 256 KiB header
// must not cost 256 KiB per connection in the report.
inline constexpr std::size_t kNotedValueLimit = 1024;

struct NotedHeaders {
  std::optional<std::string> server;      // Server
  std::optional<std::string> connection;  // Connection (HTTP/1.x; HTTP/2 forbids it)
  std::optional<std::string> keep_alive;  // Keep-Alive (HTTP/1.x; HTTP/2 forbids it)

  // Keeps name's value when name is one of the three (any case). A field
  // sent twice is joined with ", ", as RFC 9110 §5.3 reads repeated fields.
  void note(std::string_view name, std::string_view value);
};

}  // namespace termprobe
