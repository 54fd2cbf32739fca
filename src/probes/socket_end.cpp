#include "probes/socket_end.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

namespace termprobe {
namespace {

// tcpi_state values (the kernel's include/net/tcp_states.h, a stable ABI that
// <linux/tcp.h> does not export).
enum TcpState : std::uint8_t { kTimeWait = 6, kClose = 7, kCloseWait = 8, kLastAck = 9, kClosing = 11 };

bool tcp_info_of(int fd, tcp_info& info) {
  socklen_t length = sizeof(info);
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0;
}

// After recv() returned 0 or EAGAIN: a socket whose peer reset it sits in
// TCP_CLOSE; one whose peer sent FIN sits in CLOSE_WAIT.
SocketEnd end_from_state(int fd, SocketEnd end) {
  tcp_info info{};
  if (!tcp_info_of(fd, info)) {
    end.ended = true;
    end.kind = StreamEnd::error;
    end.error = errno;
    return end;
  }
  if (info.tcpi_state == kClose) {
    end.ended = true;
    end.kind = StreamEnd::rst;
    end.error = ECONNRESET;
  } else if (info.tcpi_state == kCloseWait) {
    end.ended = true;
    end.kind = StreamEnd::fin;
  }
  return end;
}

}  // namespace

SocketEnd read_socket_end(int fd) {
  SocketEnd end;
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      const auto room = kHeadBytes - std::min(kHeadBytes, end.head.size());
      end.head.append(buffer.data(), std::min(room, static_cast<std::size_t>(n)));
      end.bytes_read += n;
      continue;
    }
    if (n == 0) return end_from_state(fd, end);
    if (errno == EINTR) continue;
    // ENOTCONN: libcurl already took the pending error (SO_ERROR) of a reset
    // socket; the state still tells.
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN) return end_from_state(fd, end);
    end.ended = true;
    end.kind = errno == ECONNRESET ? StreamEnd::rst : StreamEnd::error;
    end.error = errno;
    return end;
  }
}

StreamEnd peek_socket_end(int fd) {
  tcp_info info{};
  if (!tcp_info_of(fd, info)) return StreamEnd::error;
  if (info.tcpi_state == kClose) return StreamEnd::rst;
  if (info.tcpi_state == kCloseWait) return StreamEnd::fin;
  return StreamEnd::open;
}

bool head_announces_close(std::string_view text) {
  const auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
  };
  const std::string head = lower(text.substr(0, text.find("\r\n\r\n")));
  for (std::size_t at = head.find("\r\nconnection:"); at != std::string::npos;
       at = head.find("\r\nconnection:", at + 1)) {
    const std::string_view line = std::string_view(head).substr(at + 2, head.find("\r\n", at + 2) - (at + 2));
    if (line.find("close") != std::string_view::npos) return true;
  }
  return false;
}

int status_from_head(std::string_view text) {
  // "HTTP/1.x NNN" : 12 characters at least, digits at 9..11.
  if (text.size() < 12 || text.substr(0, 7) != "HTTP/1." || text[8] != ' ') return 0;
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    status = status * 10 + (text[i] - '0');
  }
  return status >= 100 ? status : 0;
}

std::int64_t tcp_bytes_received(int fd) {
  tcp_info info{};
  if (!tcp_info_of(fd, info)) return 0;
  // bytes_received advances with rcv_nxt, which also counts the peer's FIN.
  const bool fin_received = info.tcpi_state == kCloseWait || info.tcpi_state == kLastAck ||
                            info.tcpi_state == kClosing || info.tcpi_state == kTimeWait;
  const auto received = static_cast<std::int64_t>(info.tcpi_bytes_received);
  return fin_received && received > 0 ? received - 1 : received;
}

}  // namespace termprobe
