// bash and zsh completion for termprobe, written from the command tree that
// --help is written from: commands, each command's options, and the values
// an option takes (the outcome labels, an IsMember set such as --format's).
#pragma once

#include <string>
#include <vector>

#include "cli/command_tree.h"

namespace termprobe {

// Defines _termprobe and registers it with `complete -F`; needs no
// bash-completion package. A LABEL value completes each item of a
// comma-separated list (--expect keepalive,res<TAB>).
std::string bash_completion(const std::vector<CommandEntry>& tree);

// A #compdef file for $fpath (_termprobe); sourced, it calls compdef itself.
std::string zsh_completion(const std::vector<CommandEntry>& tree);

}  // namespace termprobe
