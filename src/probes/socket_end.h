// Reads the fate of a socket the probe kept after libcurl let go of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "probes/outcome.h"

namespace termprobe {

struct SocketEnd {
  bool ended = false;                // FIN or RST seen; false = still open (nothing to tell yet)
  StreamEnd kind = StreamEnd::open;  // rst or fin when ended
  int error = 0;                     // errno behind an RST (ECONNRESET) or another failure
  std::int64_t bytes_read = 0;       // bytes drained from the socket by this call
  std::string head;                  // the first bytes drained (up to kHeadBytes), for a status line
};

inline constexpr std::size_t kHeadBytes = 4096;

// "HTTP/1.1 413 ..." at the start of text gives 413; anything else gives 0.
int status_from_head(std::string_view text);

// Whether the header block at the start of text has "Connection: close".
bool head_announces_close(std::string_view text);

// Drains what is readable without blocking and looks at the TCP state.
// A reset may already have been consumed by libcurl (recv then returns 0),
// which is why the TCP state decides: CLOSE means RST, CLOSE_WAIT means FIN.
SocketEnd read_socket_end(int fd);

// The ending as the TCP state shows it, without reading anything: rst
// (CLOSE), fin (CLOSE_WAIT) or open.
StreamEnd peek_socket_end(int fd);

// Payload bytes the kernel received on this connection (TCP_INFO), FIN excluded.
std::int64_t tcp_bytes_received(int fd);

}  // namespace termprobe
