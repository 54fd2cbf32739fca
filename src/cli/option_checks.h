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

// Refuses what method_problem refuses.
CLI::Validator method_check();

// Refuses what header_problem refuses.
CLI::Validator header_check();

// Refuses an empty file name: `--json ''` must not quietly mean "no report".
CLI::Validator path_check();

}  // namespace termprobe
