// What one probe sends and how long it may take.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace termprobe {

struct ProbeSpec {
  std::string url;                   // http:// or https:// (validated by parse_target_url)
  std::string method = "GET";        // request method; HEAD asks for no body
  std::vector<std::string> headers;  // extra request headers, "Name: value"
  std::int64_t body_bytes = 0;       // synthetic request body size in bytes ('x' repeated); 0 = none
  std::string body;                  // exact request body; when set, body_bytes is ignored
  std::int64_t upload_rate = 0;      // request body send rate in bytes/s; 0 = unlimited
  std::chrono::milliseconds connect_timeout{5000};  // deadline for the TCP (and TLS) handshake
  std::chrono::milliseconds timeout{10000};         // deadline for the whole request/response
  std::chrono::milliseconds watch{1000};            // how long to watch after a complete response
  // After the server's FIN, how long to keep watching for an RST behind it
  // (what turns a clean close into a client's "broken pipe").
  std::chrono::milliseconds fin_watch{100};
  // Reuse probe: after the first complete response, stay idle this long, then
  // send the same request again on the same connection and observe that one.
  std::optional<std::chrono::milliseconds> reuse_after;
  // When the target is IPv4 loopback: bind the client socket to 127.0.0.N
  // (1..254; 0 = let the kernel choose). Spreading source addresses keeps
  // client-side TIME_WAIT from exhausting one address's ephemeral ports.
  int loopback_source = 0;
};

}  // namespace termprobe
