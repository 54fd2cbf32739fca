// "Did you mean ...?" for a mistyped name: the command line's subcommands
// and --expect's labels ask the same question, answered here once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace termprobe {

// Edits (insert, delete, replace one character, or swap two neighbours) from a to b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The name nearest to `typed` when it is a plausible typo of it: a prefix
// of it ("prob" for probe), or at most a third of its letters away
// (at least one). nullopt when nothing is that near.
std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string_view>& names);

}  // namespace termprobe
