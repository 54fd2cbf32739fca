// Short human-readable lines for the terminal.
#pragma once

#include <string>

#include "report/report.h"

namespace termprobe {

// One line per connection: label and the facts behind it.
// "127.0.0.1:40122", "[::1]:40122".
std::string endpoint_text(const Endpoint& endpoint);

std::string format_entry_line(std::size_t number, const ReportEntry& entry);

// The closing line: how many connections ended how.
std::string format_summary_line(const Report& report);

}  // namespace termprobe
