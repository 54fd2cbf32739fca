// `idle --expect` and `reuse --expect`: a command's own scenarios judged by
// one expectation, the same way a check file's [[idle]] and [[reuse]]
// entries are.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/report_output.h"
#include "report/expectation.h"

namespace termprobe {

// Judges every scenario of the report's one target by `expectation`, keeps
// the verdicts in the report and prints their table. True when all held.
bool judge_command(ReportRecorder& recorder, const Expectation& expectation,
                   const std::vector<std::string>& scenarios);

// CLI11 checks: what parse_idle_expectation and parse_reuse_outcome refuse.
CLI::Validator idle_expectation_check();
CLI::Validator reuse_outcome_check();

}  // namespace termprobe
