#include "report/event_lines.h"

#include <fmt/format.h>

#include "report/printable.h"

namespace termprobe {
namespace {

char marker(EventSide side) {
  switch (side) {
    case EventSide::sent: return '>';
    case EventSide::server: return '<';
    case EventSide::note: break;
  }
  return '*';
}

}  // namespace

std::string format_event_lines(const ConnectionEvents& connection) {
  std::string lines = fmt::format("* connection to {} ({} #{}):\n", printable(connection.target),
                                  printable(connection.scenario), connection.repeat);
  for (const ConnectionEvent& event : connection.events) {
    const char mark = marker(event.side);
    const std::string at = event.at_us ? format_us(*event.at_us) : "";
    const std::string lane = event.stream_id > 0 ? fmt::format("[stream {}] ", event.stream_id) : "";
    lines += fmt::format("{} {:>12} {}{}\n", mark, at, lane, printable(event.text));
    for (const std::string& field : event.head) lines += fmt::format("{} {}\n", mark, printable(field));
  }
  return lines;
}

}  // namespace termprobe
