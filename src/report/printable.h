// Text from outside (URLs, headers, file names, server messages) made safe
// to print on one line: a CR or LF in a URL must not split an error message
// in two, and an ESC must not drive the user's terminal.
#pragma once

#include <string>
#include <string_view>

namespace termprobe {

// Control characters (C0, DEL, and C1 encoded as UTF-8) become escapes:
// \r, \n, \t, \\x1b, \\u0085. Everything else, UTF-8 included, is kept.
std::string printable(std::string_view text);

}  // namespace termprobe
