// What a report keeps of each finished connection once the connection's own
// JSON is written out (see entry_spill.h): counts per target, scenario and
// label, the facts --baseline compares, and the timings behind the
// percentiles (as histograms). It grows with targets and scenarios, not
// with connections.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "probes/outcome.h"
#include "report/label_stats.h"
#include "report/report_facts.h"

namespace termprobe {

struct ReportEntry;

// Connections held idle after their response that ended one way (fin, rst,
// open, ...): how many, and the earliest and latest end after the response.
struct IdleSpan {
  std::size_t count = 0;
  std::int64_t min_us = 0;
  std::int64_t max_us = 0;
};

struct ScenarioTally {
  std::map<Label, std::size_t> labels;  // what verdicts judge
  // (label, status; 0 without a status line) -> connections: what status
  // expectations judge.
  std::map<std::pair<Label, int>, std::size_t> label_statuses;
  // Fresh connections by how they ended after a complete response ("fin",
  // "rst", "open", ...; "no response" when none completed): what an idle
  // expectation judges.
  std::map<std::string, IdleSpan> idle_ends;
  // Reused connections: reuse outcome -> connections (a reuse probe whose
  // first request failed is in `labels` and `idle_ends` only).
  std::map<std::string, std::size_t> reuse_outcomes;
  // https: tls_ending() kind -> connections (handshakes that never completed
  // have none); empty for plain http. Verdicts judge it over TLS.
  std::map<std::string, std::size_t> tls_endings;
  // HTTP/2: http2_ending() -> connections; empty for HTTP/1.x. Verdicts
  // judge it where the profile has an "http2" part.
  std::map<std::string, std::size_t> http2_endings;
  ScenarioFacts facts;  // what --baseline compares
  // JUnit's testcase time: each connection's, from its start to its end,
  // the watch after its response and the one for an RST after a FIN included.
  std::int64_t ended_us_total = 0;
  std::size_t connected = 0;  // entries whose connection reached the server (JUnit: none is an <error>)
};

// target -> scenario -> tally; transparent, so a lookup needs no string copy.
using ScenarioTallies = std::map<std::string, std::map<std::string, ScenarioTally, std::less<>>, std::less<>>;

class ReportTally {
 public:
  void add(const ReportEntry& entry);

  std::size_t total() const { return total_; }
  // Connections (attempts) the entries came from: fewer than total() when
  // HTTP/2 carried several streams on one.
  std::size_t connections() const { return connections_; }
  bool any_connected() const { return any_connected_; }
  // Label name -> connections, in name order: the report's "labels" objects.
  std::map<std::string, std::size_t> label_counts() const;
  std::map<std::string, std::size_t> label_counts(std::string_view target) const;
  // nullptr when no connection of that target and scenario finished.
  const ScenarioTally* scenario(std::string_view target, std::string_view scenario) const;
  const ScenarioTallies& scenarios() const { return scenarios_; }
  std::map<Label, LabelStats> label_stats() const { return timings_.stats(); }

 private:
  ScenarioTally& scenario_of(const ReportEntry& entry);
  std::size_t total_ = 0;
  std::size_t connections_ = 0;
  bool any_connected_ = false;
  ScenarioTallies scenarios_;
  LabelTimings timings_;
};

}  // namespace termprobe
