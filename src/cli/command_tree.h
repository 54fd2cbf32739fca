// The command line as data: every visible command, its options and the
// values they take, read off the CLI11 app that parses it. The man page and
// the shell completions are written from this one walk, so neither can list
// an option --help does not, nor miss one it does.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace termprobe {

struct OptionEntry {
  std::vector<std::string> names;  // "-c", "--count" as typed; empty for a positional
  std::string positional;          // the positional's name ("url"); empty for an option
  std::string value_name;   // what --help shows for the value ("TEXT:LABEL[/STATUS]"); empty for a flag
  std::string description;  // --help's text
  std::vector<std::string> values;  // the values the shell may offer (labels, an IsMember set); empty: any
  bool repeats = false;             // may be given more than once, or takes several values
};

struct CommandEntry {
  std::string name;         // "probe"; "" for termprobe itself
  std::string description;  // --help's first line
  std::string footer;       // --help's last paragraph (exit codes)
  std::vector<OptionEntry> options;
};

// The commands --help lists: not those in group "" (`generate`, the build's).
std::vector<const CLI::App*> visible_commands(const CLI::App& app);

// termprobe's options first (name ""), then each visible command in the
// order --help lists them. Hidden commands and options (group "") are left
// out. `labels` are offered for any value whose name says LABEL, the
// commands for a value named COMMAND (`termprobe help COMMAND`).
std::vector<CommandEntry> command_tree(const CLI::App& app, const std::vector<std::string>& labels);

}  // namespace termprobe
