#include "capture/capture_check.h"

#include <fmt/format.h>

namespace termprobe {
namespace {

StreamEnd packet_end_of(const PacketConnection& c) {
  const auto server_first = c.server_end.first_us();
  if (!c.established) return c.server_end.rst_us ? StreamEnd::refused : StreamEnd::open;
  const auto client_first = c.client_end.first_us();
  if (!server_first || (client_first && *client_first < *server_first)) return StreamEnd::open;
  const auto& s = c.server_end;
  return s.rst_us && (!s.fin_us || *s.rst_us <= *s.fin_us) ? StreamEnd::rst : StreamEnd::fin;
}

// What the packets say in words, for `why`.
std::string packet_story(const PacketConnection& c, StreamEnd end) {
  const auto at = [](const std::optional<std::int64_t>& us) {
    return us ? fmt::format("{} µs", *us) : "never";
  };
  std::string story = fmt::format(
      "the packets show the server's first FIN {}, first RST {}; the probe's first "
      "FIN {}, first RST {} (after the SYN)",
      at(c.server_end.fin_us), at(c.server_end.rst_us), at(c.client_end.fin_us), at(c.client_end.rst_us));
  if (end == StreamEnd::open && c.server_end.first_us()) story += ": the probe ended it first";
  return story;
}

// open and timeout both say the server had not ended it.
StreamEnd claimed_packet_end(StreamEnd claim) {
  return claim == StreamEnd::timeout ? StreamEnd::open : claim;
}

// "Open" is a claim about the time the probe watched: a server that ended
// the connection after the watch (or the deadline) ended, in the moment
// before the probe closed its socket, did not contradict it. Both clocks are
// the wall clock: the entry's start plus timings_us.ended, the packets' times.
bool ended_after_the_watch(const Observation& o, const PacketConnection& c) {
  const auto server_end = c.server_end.first_us();
  if (!server_end || !o.timings.ended_us || o.started_unix_us == 0) return false;
  return c.syn_unix_us + *server_end >= o.started_unix_us + *o.timings.ended_us;
}

}  // namespace

CaptureCheck check_against_capture(const Observation& o, const Outcome& outcome,
                                   const PacketConnections& capture) {
  CaptureCheck check;
  const std::int64_t anchor = o.started_unix_us + o.timings.connect_us.value_or(0);
  const PacketConnection* found = capture.find(o.local, o.remote, anchor);
  if (!found) {
    check.why =
        o.local.port == 0 ? "no connection was made" : "the capture holds no packet of this connection";
    return check;
  }
  check.found = true;
  check.packets = *found;
  check.packet_end = packet_end_of(*found);
  if (outcome.ending == StreamEnd::error) {
    check.why = "the entry claims no TCP ending (ending: error)";
    return check;
  }
  check.compared = true;
  const StreamEnd claim = claimed_packet_end(outcome.ending);
  const bool open_while_watched = claim == StreamEnd::open && ended_after_the_watch(o, *found);
  if (claim != check.packet_end && !open_while_watched) {
    check.why = fmt::format("the entry says {}, the packets say {}: {}", to_string(outcome.ending),
                            to_string(check.packet_end), packet_story(*found, check.packet_end));
    return check;
  }
  // TLS records and HTTP/2 frames of other streams are payload too, and a
  // reused connection carried earlier responses: only a fresh plain
  // HTTP/1.x connection's count is the entry's own.
  check.bytes_compared =
      (claim == StreamEnd::rst || claim == StreamEnd::fin) && !o.tls && !o.http2 && !o.reused;
  if (check.bytes_compared && o.wire_bytes_received != found->server_bytes) {
    check.why = fmt::format("the entry counts {} bytes from the server, the packets {} before its {}",
                            o.wire_bytes_received, found->server_bytes, to_string(claim));
    return check;
  }
  check.agrees = true;
  return check;
}

}  // namespace termprobe
