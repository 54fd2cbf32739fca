// The facts `compare` looks at, read back from a report (a file or one just
// made): per target and scenario, how connections ended.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "probes/observation.h"
#include "report/label_stats.h"

namespace termprobe {

struct Report;

struct ScenarioFacts {
  std::size_t total = 0;                        // connections
  std::map<std::string, std::size_t> labels;    // label -> connections
  std::map<std::string, std::size_t> statuses;  // "200", or "none" when no status line came
  std::size_t announced = 0;                    // connections that announced Connection: close
  std::size_t announced_close_missed = 0;       // of those, connections still open at the deadline
  std::size_t rst_after_fin = 0;                // connections whose FIN an RST followed (a "broken pipe")
  std::optional<std::int64_t>
      reset_bytes_min;  // bytes received before an RST cut a response (reset_mid_response)
  std::optional<std::int64_t> reset_bytes_max;
  // How long after a complete response the server closed or reset
  // (close_after_response, reset_after_response only: a keepalive's time is
  // the probe's own --watch, not the server's doing). compare uses its median.
  TimingHistogram closed_after_response_us;
};

// Pools another scenario's connections into these facts (compare --match scenario).
void add_facts(ScenarioFacts& into, const ScenarioFacts& other);

using ScenarioKey = std::pair<std::string, std::string>;  // target, scenario

struct ReportFacts {
  std::string origin;  // the file name, for messages
  std::string path;    // the file as given, unquoted (for JSON); empty when not read from a file
  bool interrupted = false;
  std::map<ScenarioKey, ScenarioFacts> scenarios;
};

// Every target that has a scenario in the report.
std::set<std::string> targets_of(const ReportFacts& facts);

// What one connection adds to its scenario's facts.
struct ConnectionFacts {
  std::string_view label;
  std::optional<int> status;  // nullopt: no status line
  bool announced = false;     // Connection: close
  std::int64_t wire_bytes = 0;
  bool rst_after_fin = false;                                    // an RST followed the server's FIN
  std::optional<std::int64_t> after_response_us = std::nullopt;  // from the complete response to the end
  bool announced_close_missed = false;  // announced Connection: close, still open when the probe stopped
};
void add_connection(ScenarioFacts& facts, const ConnectionFacts& connection);

// From the complete response to the connection's end; nullopt when the
// response never completed (the report's ending.after_response_us).
std::optional<std::int64_t> after_response_us(const Timings& timings);

// Reads a report file as a stream (see report_reader.h): refuses anything
// that is not a termprobe report of this schema version, with one line
// naming the file, the JSON path and what is wrong.
Result<ReportFacts> read_report_facts(const std::string& path);

// A run's own report, straight from memory.
ReportFacts report_facts_from(const Report& report, const std::string& origin);

}  // namespace termprobe
