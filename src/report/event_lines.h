// `-v`: a connection's events as lines for stderr, marked as curl's -v marks
// them ('*' what happened, '>' what the probe sent, '<' what the server
// sent), each with its time from the request's start.
#pragma once

#include <string>

#include "report/connection_events.h"

namespace termprobe {

// Every line ends in '\n'; the first names the connection.
std::string format_event_lines(const ConnectionEvents& connection);

}  // namespace termprobe
