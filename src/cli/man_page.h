// termprobe(1), written from the command tree that --help is written from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_tree.h"

namespace termprobe {

// One page for every command (as curl's and git's top page are not, but
// ninja's and rsync's are): the commands share most options, and one page
// is one search with `/` in the pager. roff (man(7) macros).
std::string man_page(const std::vector<CommandEntry>& tree, std::string_view version);

}  // namespace termprobe
