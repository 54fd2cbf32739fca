// termprobe: how did the server end the connection? The executable is the
// libraries plus this wiring: parse the command line, dispatch, map errors.
#include <fmt/format.h>

#include <sys/resource.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/check_command.h"
#include "cli/command_tree.h"
#include "cli/compare_command.h"
#include "cli/completion_script.h"
#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/explain_command.h"
#include "cli/idle_command.h"
#include "cli/man_page.h"
#include "cli/merge_command.h"
#include "cli/probe_command.h"
#include "cli/report_command.h"
#include "cli/reuse_command.h"
#include "cli/run_command.h"
#include "cli/serve_command.h"
#include "cli/unexpected_arguments.h"
#include "common/closest_name.h"
#include "probes/outcome.h"

namespace {

using namespace termprobe;

// A load tool holds a socket per connection in flight: take the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Every command's options, alive for the whole of main.
struct CommandOptions {
  termprobe::ProbeOptions probe;
  termprobe::ProbeOptions clients;
  termprobe::RunOptions run;
  termprobe::ServeOptions serve;
  termprobe::CheckOptions check;
  termprobe::CompareOptions compare;
  termprobe::MergeOptions merge;
  termprobe::IdleOptions idle;
  termprobe::ReuseOptions reuse;
  termprobe::ExplainOptions explain;
  termprobe::ReportCommandOptions report;
};

// One row per command: its subcommand, and what runs once it is the one parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

std::vector<Command> add_commands(CLI::App& app, CommandOptions& o, const std::vector<std::string>& line) {
  using namespace termprobe;
  return {
      {add_probe_command(app, o.probe), [&] { return run_probe_command(o.probe, line); }},
      {add_clients_command(app, o.clients), [&] { return run_probe_command(o.clients, line); }},
      {add_run_command(app, o.run), [&] { return run_run_command(o.run, line); }},
      {add_serve_command(app, o.serve), [&] { return run_serve_command(o.serve); }},
      {add_check_command(app, o.check), [&] { return run_check_command(o.check, line); }},
      {add_compare_command(app, o.compare), [&] { return run_compare_command(o.compare); }},
      {add_merge_command(app, o.merge), [&] { return run_merge_command(o.merge, line); }},
      {add_idle_command(app, o.idle), [&] { return run_idle_command(o.idle, line); }},
      {add_reuse_command(app, o.reuse), [&] { return run_reuse_command(o.reuse, line); }},
      {add_explain_command(app, o.explain), [&] { return run_explain_command(o.explain); }},
      {add_report_command(app, o.report), [&] { return run_report_command(o.report); }},
  };
}

std::vector<std::string_view> visible_command_names(const CLI::App& app) {
  std::vector<std::string_view> names;
  for (const CLI::App* command : visible_commands(app)) names.push_back(command->get_name());
  return names;
}

const CLI::App* find_command(const CLI::App& app, std::string_view name) {
  for (const CLI::App* command : app.get_subcommands({}))
    if (command->get_name() == name) return command;
  return nullptr;
}

// "'prob' is not a command: did you mean probe? (commands: ...)"
std::string not_a_command(const CLI::App& app, std::string_view typed) {
  const std::vector<std::string_view> names = visible_command_names(app);
  const auto near = closest_name(typed, names);
  return fmt::format("'{}' is not a command{} (commands: {})", typed,
                     near ? fmt::format(": did you mean {}?", *near) : "", fmt::join(names, ", "));
}

// "termprobe prob URL": CLI11 would only say a subcommand is required.
std::optional<std::string> unknown_command_problem(const CLI::App& app,
                                                   const std::vector<std::string>& line) {
  const auto first = std::find_if(line.begin() + 1, line.end(),
                                  [](const std::string& a) { return !a.empty() && a.front() != '-'; });
  if (first == line.end()) return std::nullopt;
  if (find_command(app, *first) != nullptr) return std::nullopt;
  return not_a_command(app, *first);
}

// `termprobe help [COMMAND]`: the text of `termprobe COMMAND --help`.
int run_help_command(const CLI::App& app, const std::string& name) {
  if (name.empty()) {  // app.help() would describe the command parsed: help itself
    fmt::print("{}", app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal));
    return kExitSuccess;
  }
  const CLI::App* command = find_command(app, name);
  if (command == nullptr || command->get_group().empty()) {
    print_error("help: " + not_a_command(app, name));
    return kExitUsage;
  }
  fmt::print("{}", command->help(app.get_name()));
  return kExitSuccess;
}

// `termprobe generate man|bash|zsh`, hidden: the build writes the man page and the
// completions with it, from the app that parses the command line.
int run_generate_command(const CLI::App& app, const std::string& what) {
  std::vector<std::string> labels(label_names().begin(), label_names().end());
  const std::vector<CommandEntry> tree = command_tree(app, labels);
  if (what == "man") fmt::print("{}", man_page(tree, TERMPROBE_VERSION));
  if (what == "bash") fmt::print("{}", bash_completion(tree));
  if (what == "zsh") fmt::print("{}", zsh_completion(tree));
  return kExitSuccess;
}

}  // namespace

int main(int argc, char** argv) {
  raise_open_file_limit();
  const std::vector<std::string> command_line(argv, argv + argc);
  // Named, not argv[0]: usage lines and `termprobe help` read "termprobe" wherever it is installed.
  CLI::App app{"termprobe: tells, from the client's side, how an HTTP server ended each connection.",
               "termprobe"};
  app.set_version_flag("-V,--version", TERMPROBE_VERSION);
  app.require_subcommand(1);
  app.footer(kExitCodesHelp);
  // Global flags (-v) anywhere on the line, after the subcommand too.
  app.fallthrough();
  int verbose = 0;
  app.add_flag(
      "-v,--verbose", verbose,
      "On stderr, each connection's events as it ends, marked as curl -v does ('*' what happened, "
      "'>' sent, '<' from the server: connect, TLS version, cipher, ALPN and certificate, the request "
      "head, the response head, every FIN/RST/close_notify/alert/RST_STREAM/GOAWAY, with times); -vv "
      "adds each connection's whole report entry (one JSON line) and termprobe's debug log");
  CommandOptions options;
  std::vector<Command> commands = add_commands(app, options, command_line);
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "What a command takes (the text of termprobe COMMAND --help)");
  help->add_option("command", help_topic, "A command, e.g. probe")->type_name("COMMAND");
  commands.push_back({help, [&] { return run_help_command(app, help_topic); }});
  std::string generated;
  CLI::App* generate = app.add_subcommand("generate", "")->group("");
  generate->add_option("what", generated)->required()->check(CLI::IsMember({"man", "bash", "zsh"}));
  commands.push_back({generate, [&] { return run_generate_command(app, generated); }});
  if (auto problem = unknown_command_problem(app, command_line)) {
    print_error(*problem);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError&) {
    print_error(unexpected_arguments_message(app, command_line));
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    print_error(fmt::format("{} (see termprobe --help)", e.what()));
    return kExitUsage;
  }
  set_verbosity(verbose);
  configure_logging();
  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const std::exception& e) {  // input errors are Results: this is termprobe's own failure
    print_error(e.what());
    return kExitToolFailure;
  }
  return kExitUsage;
}
