#include "cli/man_page.h"

#include <fmt/format.h>

namespace termprobe {
namespace {

// Text as roff prints it: a backslash is \e, a dash \- (so that it is not a
// hyphen a search misses), a comma may end a line (\: — lists with no space
// in them), a line starting with . or ' is not a request.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    switch (c) {
      case '\\': out += "\\e"; break;
      case '-': out += "\\-"; break;
      case ',': out += ",\\:"; break;
      default: out += c;
    }
  }
  return out;
}

std::string option_heading(const OptionEntry& option) {
  std::string heading;
  if (!option.positional.empty())
    return fmt::format("\\fI{}\\fR{}", roff(option.positional), option.repeats ? "..." : "");
  for (const std::string& name : option.names)
    heading += fmt::format("{}\\fB{}\\fR", heading.empty() ? "" : ", ", roff(name));
  if (!option.value_name.empty()) heading += fmt::format(" \\fI{}\\fR", roff(option.value_name));
  return heading;
}

std::string options_text(const std::vector<OptionEntry>& options) {
  std::string text;
  for (const OptionEntry& option : options)
    text += fmt::format(".TP\n{}\n{}\n", option_heading(option), roff(option.description));
  return text;
}

std::string synopsis(const CommandEntry& command) {
  std::string line = fmt::format("\\fBtermprobe {}\\fR [\\fIOPTIONS\\fR]", roff(command.name));
  for (const OptionEntry& option : command.options)
    if (!option.positional.empty()) line += " " + option_heading(option);
  return line;
}

std::string commands_text(const std::vector<CommandEntry>& tree, const std::string& top_footer) {
  std::string text;
  for (std::size_t i = 1; i < tree.size(); ++i) {
    const CommandEntry& command = tree[i];
    text += fmt::format(".SS \"{}\"\n.PP\n{}\n", command.name, synopsis(command));
    if (!command.description.empty()) text += ".PP\n" + roff(command.description) + "\n";
    text += ".PP\nOptions:\n" + options_text(command.options);
    if (!command.footer.empty() && command.footer != top_footer)
      text += ".PP\n" + roff(command.footer) + "\n";
  }
  return text;
}

}  // namespace

std::string man_page(const std::vector<CommandEntry>& tree, std::string_view version) {
  const CommandEntry& top = tree.front();
  std::string page = fmt::format(".TH TERMPROBE 1 \"\" \"termprobe {}\" \"User Commands\"\n", version);
  page += ".SH NAME\ntermprobe \\- how did the HTTP server end each connection?\n";
  page +=
      ".SH SYNOPSIS\n\\fBtermprobe\\fR [\\fB\\-v\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
      "[\\fIARGUMENTS\\fR]\n.br\n"
      "\\fBtermprobe help\\fR \\fICOMMAND\\fR\n";
  page += ".SH DESCRIPTION\n" + roff(top.description) + "\n.PP\nCommands:\n";
  for (std::size_t i = 1; i < tree.size(); ++i)
    page += fmt::format(".TP\n\\fB{}\\fR\n{}\n", roff(tree[i].name), roff(tree[i].description));
  page += ".SH OPTIONS\nThese go before or after the command.\n" + options_text(top.options);
  page += ".SH COMMANDS\n" + commands_text(tree, top.footer);
  page += ".SH EXIT STATUS\n" + roff(top.footer) + "\n";
  page +=
      ".SH FILES\nAs the Debian package installs them (share/ of another install "
      "prefix).\n.TP\n/usr/share/termprobe/report.schema.json\nThe JSON Schema of the reports.\n"
      ".TP\n/usr/share/termprobe/iis\\-module/\nThe IIS module's sources and its install script "
      "(install\\-iis\\-module.ps1).\n";
  page +=
      ".SH SEE ALSO\n/usr/share/doc/termprobe/ (outcomes.md: every label; report\\-format.md; clients.md; "
      "install.md)\n";
  return page;
}

}  // namespace termprobe
