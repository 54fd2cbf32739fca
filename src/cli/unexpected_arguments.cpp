#include "cli/unexpected_arguments.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "common/closest_name.h"

namespace termprobe {
namespace {

// CLI11 collects extras per command and hands them up (fallthrough) in an
// order of its own: put them back in the order of the command line.
std::vector<std::string> in_typed_order(std::vector<std::string> extras,
                                        const std::vector<std::string>& line) {
  std::vector<std::string> ordered;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const auto found = std::find(extras.begin(), extras.end(), line[i]);
    if (found == extras.end()) continue;
    ordered.push_back(*found);
    extras.erase(found);
  }
  ordered.insert(ordered.end(), extras.begin(), extras.end());  // an item CLI11 rewrote: kept, last
  return ordered;
}

const CLI::App* parsed_command(const CLI::App& app) {
  for (const CLI::App* command : app.get_subcommands({}))
    if (command->parsed()) return command;
  return &app;
}

std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

// "--max-tme: not an option of probe; did you mean --max-time?"
std::string unknown_option_problem(const CLI::App& app, const CLI::App& command, std::string_view typed) {
  std::vector<std::string> names = option_names(command);
  if (&command != &app) {
    const std::vector<std::string> global = option_names(app);
    names.insert(names.end(), global.begin(), global.end());
  }
  const std::vector<std::string_view> views(names.begin(), names.end());
  // One letter (-o) is one edit from every other letter: no letter is nearer than another.
  const bool one_letter = typed.size() == 2 && typed[1] != '-';
  const auto near = one_letter ? std::nullopt : closest_name(typed, views);
  return fmt::format("{}: not an option of {}{}", typed, &command == &app ? "termprobe" : command.get_name(),
                     near ? fmt::format("; did you mean {}?", *near) : "");
}

}  // namespace

std::string unexpected_arguments_message(const CLI::App& app, const std::vector<std::string>& command_line) {
  const CLI::App& command = *parsed_command(app);
  const std::vector<std::string> extras = in_typed_order(app.remaining(true), command_line);
  const std::string invocation = &command == &app ? "termprobe" : "termprobe " + command.get_name();
  if (command.get_name() == "run") {  // run's targets are options: "termprobe run http://..."
    for (const std::string& extra : extras)
      if (extra.find("://") != std::string::npos)
        return fmt::format(
            "run: '{}' was not expected: give a target with --target (termprobe run --target {}) (see "
            "termprobe "
            "run --help)",
            extra, extra);
  }
  const auto option = std::find_if(extras.begin(), extras.end(),
                                   [](const std::string& e) { return e.size() > 1 && e.front() == '-'; });
  const std::string problem =
      option == extras.end() ? fmt::format("{} takes no more arguments", invocation)
                             : unknown_option_problem(app, command, option->substr(0, option->find('=')));
  return fmt::format("{} (not expected, in the order typed: {}; see {} --help)", problem,
                     fmt::join(extras, " "), invocation);
}

}  // namespace termprobe
