// The one place that prints termprobe's own messages on stderr, so that
// every one of them is a single line whatever text it quotes.
#pragma once

#include <string_view>

namespace termprobe {

// "termprobe: error: MESSAGE", control characters escaped.
void print_error(std::string_view message);

// "termprobe: MESSAGE" (not an error of the user's: e.g. the target is unreachable).
void print_note(std::string_view message);

// How much -v asked for: 0 (no -v), 1 (-v: each connection's events as it
// ends, curl -v style), 2 (-vv: that and the debug log).
void set_verbosity(int level);
int verbosity();

// The logger (spdlog) through the same escaping: "termprobe: LEVEL: MESSAGE";
// debug messages from -vv on.
void configure_logging();

}  // namespace termprobe
