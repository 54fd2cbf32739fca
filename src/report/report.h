// The report: what was asked, what was measured, what it means.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/capture_check.h"
#include "probes/observation.h"
#include "probes/outcome.h"
#include "report/client_verdict.h"
#include "report/entry_spill.h"
#include "report/report_tally.h"
#include "report/verdict.h"

namespace termprobe {

inline constexpr int kReportSchemaVersion = 4;

struct ReportEntry {
  std::string target;       // the target this connection belongs to (reports group by it)
  std::string scenario;     // "probe" for `termprobe probe`, the scenario name otherwise
  std::string url;          // the URL this connection requested
  std::size_t repeat = 0;   // 0-based repetition index within the scenario
  Observation observation;  // raw facts
  Outcome outcome;          // the classifier's reading of them
  // `clients` and `probe --clients`: what each real client made of the same
  // request (on the run's first entry); null elsewhere.
  std::shared_ptr<const std::vector<ClientVerdict>> clients;
  // --capture: the packets' own account of this connection's ending; empty without one.
  std::optional<CaptureCheck> capture;
};

// --capture: what the capture held and how many entries it contradicted.
struct CaptureSummary {
  std::string file;               // --capture as given
  std::string interface;          // where it captured ("lo", "any")
  std::string filter;             // the BPF filter on the targets' addresses and ports
  std::int64_t packets = 0;       // packets written
  std::int64_t dropped = 0;       // packets the kernel dropped (a gap the check may trip on)
  std::size_t compared = 0;       // entries whose ending the packets could confirm or refute
  std::size_t disagreements = 0;  // of those, entries the packets contradict
  std::size_t not_compared = 0;   // entries with no connection in the capture, or no TCP ending to check
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
  std::optional<CaptureSummary> capture;  // --capture, when the capture ran
};

// The report as nlohmann's dump(2) would lay it out, in pieces: the
// entries' text comes from the spill they were appended to as they finished
// (the same ones report.tally adds up). Stops at the first error.
Result<void> write_report_json(const Report& report, EntrySpill& entries, const TextSink& sink);

// The pieces of that layout, for a report put together from others (merge):
// `document` holds every member in order with "results" an empty array;
// write_results writes the array's members as EntrySpill::copy_to does.
using ResultsWriter = std::function<Result<void>(const TextSink&)>;
Result<void> write_report_layout(const nlohmann::ordered_json& document, bool any_results,
                                 const ResultsWriter& write_results, const TextSink& sink);
// dump(2) of a value that sits `depth` levels deep in the document.
std::string nested_dump(const nlohmann::ordered_json& value, int depth);
// The report's "summary": counts by label, and per label the timing percentiles.
nlohmann::ordered_json summary_json(std::size_t total, std::size_t requested,
                                    const std::map<std::string, std::size_t>& labels,
                                    const std::map<Label, LabelStats>& label_stats);

// The current time as RFC 3339 UTC, to the microsecond ("2026-11-24T20:00:00.123456Z").
std::string utc_timestamp_now();

// RFC 3339 in UTC to the microsecond, "2026-12-03T14:55:01.123456Z", of
// microseconds since the Unix epoch (what a server log can be matched on).
std::string utc_timestamp_us(std::int64_t unix_us);

}  // namespace termprobe
