// What `run` and `check` share: run a judged plan of probes with one engine,
// stream or draw progress, then deliver the table, JSON, JUnit and baseline
// comparison, and pick the exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/compare_options.h"
#include "cli/report_output.h"
#include "probes/engine.h"
#include "report/profile.h"
#include "report/report.h"
#include "report/report_facts.h"

namespace termprobe {

struct SuiteOptions {
  std::size_t concurrency = 1;  // connections in flight
  double rate = 0;              // new connections per second, 0 = unlimited
  std::string json_path;        // JSON report ("-" = stdout)
  std::string html_path;        // the report as an HTML page, empty = none
  std::string junit_path;       // JUnit XML
  std::string format = "text";  // "text" (the table) or "ndjson" (one JSON object per connection on stdout)
  std::string baseline_path;    // compare with this earlier report
  CompareRuleOptions compare;   // how the baseline's scenarios pair with this run's
  bool quiet = false;           // -q: no progress line; of the table only the rows that did not pass
};

void add_suite_options(CLI::App* command, SuiteOptions& options);

struct SuiteItem {
  std::string target;    // reports group by it
  std::string scenario;  // the name verdicts and baselines match on
  PlannedProbe planned;
};

// Files opened and baseline read before any probe runs, so bad paths fail fast.
struct SuiteSession {
  ReportRecorder recorder;  // the report: recorder.report()
  std::optional<AtomicFile> junit;
  std::optional<ReportFacts> baseline;
  CompareRules compare_rules;
  bool quiet = false;  // SuiteOptions::quiet
};

// Fails on unusable options or outputs (ErrorKind::invalid_input), or
// when the report's spill cannot be made. Items' targets must be named
// through session.recorder.redaction().
Result<SuiteSession> open_suite_session(const SuiteOptions& options,
                                        const std::vector<std::string>& command_line,
                                        const Redaction& redaction);

// Runs the items into the session's report; fails on a --map that names no
// target of this run, or with the engine's error.
Result<void> run_suite(const std::vector<SuiteItem>& items, const SuiteOptions& options,
                       SuiteSession& session);

// Judges every target against the profile, prints, writes, compares; returns the exit code
// (3 when something failed and no probe reached its target at all; a report
// or JUnit file that cannot be written decides it first).
int deliver_suite(const Profile& profile, const std::vector<SuiteItem>& items, SuiteSession& session,
                  const std::string& suite_name);

}  // namespace termprobe
