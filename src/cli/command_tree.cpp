#include "cli/command_tree.h"

namespace termprobe {
namespace {

// The items of `text` between `separator`s.
std::vector<std::string> split_items(const std::string& text, char separator) {
  std::vector<std::string> items(1);
  for (const char c : text) {
    if (c == separator)
      items.emplace_back();
    else
      items.back() += c;
  }
  return items;
}

// The fixed set a value name spells out: CLI::IsMember's "{lines,ndjson}", or
// a validator's "TEXT:text|ndjson" (format_check, the TLS versions).
std::vector<std::string> member_values(const std::string& value_name) {
  const auto open = value_name.find('{');
  const auto close = value_name.find('}', open);
  if (open != std::string::npos && close != std::string::npos)
    return split_items(value_name.substr(open + 1, close - open - 1), ',');
  const auto colon = value_name.find(':');
  if (colon == std::string::npos) return {};
  const std::string choices = value_name.substr(colon + 1);
  if (choices.find('|') == std::string::npos || choices.find(' ') != std::string::npos) return {};
  return split_items(choices, '|');
}

// The values the shell offers for a value named `value_name`.
std::vector<std::string> offered_values(const std::string& value_name, const std::vector<std::string>& labels,
                                        const std::vector<std::string>& commands) {
  if (value_name.find("LABEL") != std::string::npos) return labels;
  if (value_name == "COMMAND") return commands;
  return member_values(value_name);
}

OptionEntry option_entry(const CLI::Option& option, const std::vector<std::string>& labels,
                         const std::vector<std::string>& commands) {
  OptionEntry entry;
  for (const std::string& name : option.get_snames()) entry.names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) entry.names.push_back("--" + name);
  if (option.get_positional() && !option.nonpositional()) entry.positional = option.get_name(true);
  if (option.get_items_expected_max() > 0) entry.value_name = option.get_type_name();
  entry.description = option.get_description();
  entry.values = offered_values(entry.value_name, labels, commands);
  entry.repeats = option.get_items_expected_max() > 1 ||
                  option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  return entry;
}

CommandEntry command_entry(const CLI::App& app, const std::vector<std::string>& labels,
                           const std::vector<std::string>& commands) {
  CommandEntry entry{app.get_parent() ? app.get_name() : "", app.get_description(), app.get_footer(), {}};
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;
    entry.options.push_back(option_entry(*option, labels, commands));
  }
  return entry;
}

}  // namespace

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
  std::vector<const CLI::App*> visible;
  for (const CLI::App* command : app.get_subcommands({}))
    if (!command->get_group().empty()) visible.push_back(command);
  return visible;
}

std::vector<CommandEntry> command_tree(const CLI::App& app, const std::vector<std::string>& labels) {
  std::vector<std::string> commands;
  for (const CLI::App* command : visible_commands(app)) commands.push_back(command->get_name());
  std::vector<CommandEntry> tree{command_entry(app, labels, commands)};
  for (const CLI::App* command : visible_commands(app))
    tree.push_back(command_entry(*command, labels, commands));
  return tree;
}

}  // namespace termprobe
