// termprobe: how did the server end the connection? The executable is the
// libraries plus this wiring: parse the command line, dispatch, map errors.
#include <fmt/format.h>

#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include "cli/check_command.h"
#include "cli/compare_command.h"
#include "cli/diagnostics.h"
#include "cli/exit_status.h"
#include "cli/idle_command.h"
#include "cli/probe_command.h"
#include "cli/reuse_command.h"
#include "cli/run_command.h"
#include "cli/serve_command.h"

namespace {

// A load tool holds a socket per connection in flight: take the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace termprobe;
  raise_open_file_limit();
  const std::vector<std::string> command_line(argv, argv + argc);
  CLI::App app{"termprobe: tells, from the client's side, how an HTTP server ended each connection."};
  app.set_version_flag("--version", TERMPROBE_VERSION);
  app.require_subcommand(1);
  app.footer(kExitCodesHelp);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging on stderr");
  ProbeOptions probe_options;
  CLI::App* probe = add_probe_command(app, probe_options);
  RunOptions run_options;
  CLI::App* run = add_run_command(app, run_options);
  ServeOptions serve_options;
  CLI::App* serve = add_serve_command(app, serve_options);
  CheckOptions check_options;
  CLI::App* check = add_check_command(app, check_options);
  CompareOptions compare_options;
  CLI::App* compare = add_compare_command(app, compare_options);
  IdleOptions idle_options;
  CLI::App* idle = add_idle_command(app, idle_options);
  ReuseOptions reuse_options;
  CLI::App* reuse = add_reuse_command(app, reuse_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(fmt::format("{} (see termprobe --help)", e.what()));
    return kExitUsage;
  }
  configure_logging(verbose);
  try {
    if (probe->parsed()) return run_probe_command(probe_options, command_line);
    if (run->parsed()) return run_run_command(run_options, command_line);
    if (serve->parsed()) return run_serve_command(serve_options);
    if (check->parsed()) return run_check_command(check_options, command_line);
    if (compare->parsed()) return run_compare_command(compare_options);
    if (idle->parsed()) return run_idle_command(idle_options, command_line);
    if (reuse->parsed()) return run_reuse_command(reuse_options, command_line);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  return kExitUsage;
}
