#include "cli/completion_script.h"

#include <fmt/format.h>

namespace termprobe {
namespace {

std::vector<std::string> command_names(const std::vector<CommandEntry>& tree) {
  std::vector<std::string> names;
  for (std::size_t i = 1; i < tree.size(); ++i) names.push_back(tree[i].name);
  return names;
}

std::vector<std::string> option_names(const CommandEntry& command) {
  std::vector<std::string> names;
  for (const OptionEntry& option : command.options)
    names.insert(names.end(), option.names.begin(), option.names.end());
  return names;
}

const OptionEntry* first_positional(const CommandEntry& command) {
  for (const OptionEntry& option : command.options)
    if (!option.positional.empty()) return &option;
  return nullptr;
}

// The case arm that completes the value after one of `command`'s options.
std::string bash_value_arms(const CommandEntry& command) {
  std::string arms;
  for (const OptionEntry& option : command.options) {
    if (option.names.empty() || option.value_name.empty()) continue;
    const std::string action = option.values.empty()
                                   ? "_termprobe_words \"$(compgen -f -- \"$cur\")\""
                                   : fmt::format("_termprobe_list '{}'", fmt::join(option.values, " "));
    arms += fmt::format("        {}) {}; return ;;\n", fmt::join(option.names, "|"), action);
  }
  return arms;
}

std::string bash_command_arm(const CommandEntry& command, const CommandEntry& top) {
  std::vector<std::string> options = option_names(command);
  const std::vector<std::string> global = option_names(top);
  options.insert(options.end(), global.begin(), global.end());
  const OptionEntry* positional = first_positional(command);
  const std::string positional_action =
      positional && !positional->values.empty()
          ? fmt::format("_termprobe_list '{}'", fmt::join(positional->values, " "))
          : "_termprobe_words \"$(compgen -f -- \"$cur\")\"";
  return fmt::format(
      "    {})\n      case $prev in\n{}      esac\n"
      "      if [[ $cur == -* ]]; then _termprobe_words '{}'; else {}; fi ;;\n",
      command.name, bash_value_arms(command), fmt::join(options, " "), positional_action);
}

// zsh's _arguments quotes: the spec is in single quotes; [ ] : in a description are escaped.
std::string zsh_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\'')
      out += "'\\''";
    else if (c == '[' || c == ']' || c == ':' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
}

std::string zsh_specs(const CommandEntry& command) {
  std::string specs;
  for (const OptionEntry& option : command.options) {
    const std::string first_line = option.description.substr(0, option.description.find('\n'));
    // An option's value: each item of a comma-separated list (--expect keepalive,res<TAB>), as in bash.
    const std::string values = option.values.empty()
                                   ? "_files"
                                   : fmt::format("_sequence compadd - {}", fmt::join(option.values, " "));
    if (!option.positional.empty()) {
      const std::string one_of =
          option.values.empty() ? "_files" : fmt::format("({})", fmt::join(option.values, " "));
      specs += fmt::format(" \\\n      '{}:{}:{}'", option.repeats ? "*" : "1", zsh_text(option.positional),
                           one_of);
      continue;
    }
    for (const std::string& name : option.names) {
      const std::string value =
          option.value_name.empty() ? "" : fmt::format(":{}:{}", zsh_text(option.value_name), values);
      specs += fmt::format(" \\\n      '*{}[{}]{}'", name, zsh_text(first_line), value);
    }
  }
  return specs;
}

}  // namespace

std::string bash_completion(const std::vector<CommandEntry>& tree) {
  const CommandEntry& top = tree.front();
  const std::vector<std::string> commands = command_names(tree);
  std::string arms;
  for (std::size_t i = 1; i < tree.size(); ++i) arms += bash_command_arm(tree[i], top);
  return fmt::format(
      "# bash completion for termprobe (written by `termprobe` from its own command line: do not edit)\n"
      "_termprobe_words() {{ local IFS=$' \\n'; COMPREPLY=($(compgen -W \"$1\" -- \"$cur\")); }}\n"
      "# A comma-separated list completes its last item.\n"
      "_termprobe_list() {{\n"
      "  local IFS=$' \\n' head=\"\"\n"
      "  [[ $cur == *,* ]] && head=\"${{cur%,*}},\"\n"
      "  COMPREPLY=($(compgen -W \"$1\" -P \"$head\" -- \"${{cur##*,}}\"))\n"
      "}}\n"
      "_termprobe() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} command=\"\" word\n"
      "  COMPREPLY=()\n"
      "  for word in \"${{COMP_WORDS[@]:1:COMP_CWORD-1}}\"; do\n"
      "    case $word in {}) command=$word; break ;; esac\n"
      "  done\n"
      "  case $command in\n"
      "    \"\") _termprobe_words '{} {}' ;;\n"
      "{}"
      "  esac\n"
      "}}\n"
      "complete -F _termprobe termprobe\n",
      fmt::join(commands, "|"), fmt::join(commands, " "), fmt::join(option_names(top), " "), arms);
}

std::string zsh_completion(const std::vector<CommandEntry>& tree) {
  const CommandEntry& top = tree.front();
  std::string described;
  for (std::size_t i = 1; i < tree.size(); ++i)
    described += fmt::format("\n    '{}:{}'", tree[i].name, zsh_text(tree[i].description));
  std::string arms;
  for (std::size_t i = 1; i < tree.size(); ++i)
    arms += fmt::format("        {}) _arguments -s{} ;;\n", tree[i].name, zsh_specs(tree[i]));
  return fmt::format(
      "#compdef termprobe\n"
      "# zsh completion for termprobe (written by `termprobe` from its own command line: do not edit)\n"
      "_termprobe() {{\n"
      "  local curcontext=$curcontext state line\n"
      "  local -a commands=({})\n"
      "  _arguments -C{} \\\n"
      "      '1:command:->command' '*::argument:->argument'\n"
      "  case $state in\n"
      "    command) _describe command commands ;;\n"
      "    argument)\n"
      "      case $line[1] in\n"
      "{}"
      "      esac ;;\n"
      "  esac\n"
      "}}\n"
      "# Loaded from $fpath by compinit the file is the function's body; sourced, it registers itself.\n"
      "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _termprobe \"$@\"; else compdef _termprobe "
      "termprobe; fi\n",
      described, zsh_specs(top), arms);
}

}  // namespace termprobe
