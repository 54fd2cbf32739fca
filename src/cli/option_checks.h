// CLI11 checks shared by every command, so that each kind of option is
// validated once: numbers by their NumberRule, headers by
// header_problem, file paths non-empty.
#pragma once

#include <CLI/CLI.hpp>

#include "report/input_checks.h"

namespace termprobe {

// Refuses text that parse_number refuses ("--timeout: nan: not a finite number of
// seconds") and turns what it accepts into the plain number: use with ->transform.
CLI::Validator number_check(const NumberRule& rule);

// Refuses what `parse` refuses, with its error's message: parse takes the
// text and returns a Result (parse_connect_to, parse_local_ports, ...).
template <typename Parse>
CLI::Validator parsed_check(Parse parse, std::string shown) {
  return CLI::Validator(
      [parse](const std::string& text) {
        auto parsed = parse(text);
        return parsed ? std::string() : parsed.error().message;
      },
      std::move(shown));
}

// Refuses what method_problem refuses.
CLI::Validator method_check();

// Refuses what header_problem refuses.
CLI::Validator header_check();

// -c/--concurrency, as every probing command takes it: the engine's
// max_in_flight (connections exchanging or held open by the server at once).
CLI::Option* add_concurrency_option(CLI::App* command, std::size_t& concurrency);

// --connect-timeout and --fin-watch, as every command that makes its own
// request (probe, idle, reuse) takes them, read by the check file's keys' rules.
void add_connect_and_fin_watch_options(CLI::App* command, double& connect_timeout_s, double& fin_watch_s);

// --format text|ndjson, the same two words on every command that has it;
// `old_text` (probe's "lines", run's and check's "table") still means text.
// A transform: the option holds "text" or "ndjson".
CLI::Validator format_check(std::string old_text);

// Refuses an empty file name: `--json ''` must not quietly mean "no report".
CLI::Validator path_check();

}  // namespace termprobe
