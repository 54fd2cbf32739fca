// The message for arguments a command does not take (CLI11's ExtrasError):
// in the order they were typed, an unknown option named with the option
// it is nearest to, as mistyped commands and labels already are.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace termprobe {

// `app` has parsed `command_line` (argv, program name first) and thrown ExtrasError.
// "--max-tme: not an option of probe; did you mean --max-time? (not expected, in the
// order typed: --max-tme 5; see termprobe probe --help)"
std::string unexpected_arguments_message(const CLI::App& app, const std::vector<std::string>& command_line);

}  // namespace termprobe
