// One connection's events in time order, read from its report entry (the
// JSON object `results[]` holds): connected, TLS handshake, request sent and
// acknowledged, first response byte, response complete, and every ending
// (FIN, RST, close_notify, alert, RST_STREAM, GOAWAY). The HTML report's
// timeline draws them and `-v` prints them: one model, from the same data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/client_verdict.h"

namespace termprobe {

// Who the event came from, as curl's -v marks its lines.
enum class EventSide {
  note,    // '*': what happened (connected, handshake, the probe's own stop, the label)
  sent,    // '>': what the probe sent
  server,  // '<': what the server sent
};

struct ConnectionEvent {
  std::optional<std::int64_t> at_us;  // from the request's start (timings_us); nullopt: not timed
  std::int64_t stream_id = 0;         // 0: the connection's lane; else the HTTP/2 stream's
  EventSide side = EventSide::note;
  std::string mark;               // a word for the timeline: "connect", "FIN", "RST_STREAM"
  std::string text;               // the whole line, with bytes: what -v prints
  bool ending = false;            // the server ended the connection or stream here
  std::vector<std::string> head;  // the request or response head, one field a line
};

// What a packet capture says of the connection (the entry's `capture`).
struct CaptureNote {
  std::string packet_ending;   // rst, fin, open, refused; empty when the capture does not hold it
  std::optional<bool> agrees;  // nullopt: not compared
  std::string why;             // when agrees is not true
  bool operator==(const CaptureNote&) const = default;
};

struct ConnectionEvents {
  std::string label;   // outcome.label
  std::string target;  // which probe this was: target, scenario, repeat
  std::string scenario;
  std::int64_t repeat = 0;
  std::optional<std::int64_t> ended_us;               // timings_us.ended
  std::int64_t span_us = 0;                           // the latest event's time (at least 1)
  std::vector<std::int64_t> streams;                  // HTTP/2: the stream lanes under the connection's
  std::map<std::int64_t, std::string> stream_labels;  // each stream's outcome.label
  std::vector<CaptureNote> captures;    // one per distinct `capture` of the connection's entries
  std::vector<ClientVerdict> clients;   // `termprobe clients`: each real client's verdict on the request
  std::vector<ConnectionEvent> events;  // timed ones in time order, then the untimed
};

// Reads what it finds and skips what is null or absent: a connection that
// never connected has only its failure and its label.
ConnectionEvents connection_events(const nlohmann::ordered_json& entry);

// Adds another HTTP/2 stream of the same connection: its stream lane's events
// and label (the connection's own events came with the first entry). The
// entries of one connection share its start, so their times need no shift.
void add_stream(ConnectionEvents& connection, const nlohmann::ordered_json& entry);

// When the first event with this mark happened on this lane (0: the connection's).
std::optional<std::int64_t> event_time(const ConnectionEvents& connection, std::string_view mark,
                                       std::int64_t stream);

// "1.234 ms", "12.3 s": a time for people.
std::string format_us(std::int64_t us);

}  // namespace termprobe
