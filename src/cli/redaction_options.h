// --redact and --show-secrets: what every probing command (probe, run,
// check, idle, reuse) keeps out of its outputs (src/report/redaction.h),
// declared in one place.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "report/redaction.h"

namespace termprobe {

struct RedactionOptions {
  std::vector<std::string> names;  // --redact: more header names whose values are hidden
  bool show_secrets = false;       // --show-secrets: hide nothing
};

void add_redaction_options(CLI::App* command, RedactionOptions& options);

// The policy of the options, with `more_names` (a check file's redact keys) hidden too.
Redaction redaction_from(const RedactionOptions& options, const std::vector<std::string>& more_names = {});

}  // namespace termprobe
