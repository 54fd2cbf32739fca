// The one place that prints termprobe's own messages on stderr, so that
// every one of them is a single line whatever text it quotes.
#pragma once

#include <string_view>

namespace termprobe {

// "termprobe: error: MESSAGE", control characters escaped.
void print_error(std::string_view message);

// "termprobe: MESSAGE" (not an error of the user's: e.g. the target is unreachable).
void print_note(std::string_view message);

// The logger (spdlog) through the same escaping: "termprobe: LEVEL: MESSAGE".
void configure_logging(bool verbose);

}  // namespace termprobe
