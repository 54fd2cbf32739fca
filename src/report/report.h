// The report: what was asked, what was measured, what it means.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "probes/observation.h"
#include "probes/outcome.h"
#include "report/entry_spill.h"
#include "report/report_tally.h"
#include "report/verdict.h"

namespace termprobe {

inline constexpr int kReportSchemaVersion = 2;

struct ReportEntry {
  std::string target;       // the target this connection belongs to (reports group by it)
  std::string scenario;     // "probe" for `termprobe probe`, the scenario name otherwise
  std::string url;          // the URL this connection requested
  std::size_t repeat = 0;   // 0-based repetition index within the scenario
  Observation observation;  // raw facts
  Outcome outcome;          // the classifier's reading of them
};

struct Report {
  std::string tool_version;          // termprobe's version
  std::vector<std::string> command;  // argv as given
  std::string started_at;            // RFC 3339, UTC, to the microsecond
  std::vector<std::string> targets;  // every target, in the order given ("embedded" for the built-in host)
  std::size_t requested = 0;         // connections the run planned
  bool interrupted = false;          // stopped early by SIGINT/SIGTERM
  ReportTally tally;                 // what the finished connections add up to
  std::string profile;               // `run`: the expectation profile; empty for `probe`
  std::vector<ScenarioVerdict> verdicts;  // one per target and scenario, when judged
};

// The report as nlohmann's dump(2) would lay it out, in pieces: the
// entries' text comes from the spill they were appended to as they finished
// (the same ones report.tally adds up). Stops at the first error.
Result<void> write_report_json(const Report& report, EntrySpill& entries, const TextSink& sink);

// The current time as RFC 3339 UTC, to the microsecond ("2026-11-24T20:00:00.123456Z").
std::string utc_timestamp_now();

// RFC 3339 in UTC to the microsecond, "2026-12-03T14:55:01.123456Z", of
// microseconds since the Unix epoch (what a server log can be matched on).
std::string utc_timestamp_us(std::int64_t unix_us);

}  // namespace termprobe
