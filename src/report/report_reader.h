// Reads a report as a stream of JSON events (nlohmann's SAX interface) and
// keeps only what `compare` and `--baseline` use: per target and scenario,
// label and status counts, announced closes, bytes before a reset. Memory
// stays small whatever the file's size, nesting is refused past a fixed
// depth, and every field read is checked against the shipped schema's rules
// (type, label names, ranges), so a hand-edited or corrupt report is refused
// with the JSON path of the first bad value instead of compared.
#pragma once

#include <istream>
#include <string>

#include "common/error.h"
#include "report/report_facts.h"

namespace termprobe {

inline constexpr std::size_t kReportMaxDepth = 32;           // a report nests 5 deep
inline constexpr std::size_t kReportMaxScenarios = 100'000;  // target/scenario pairs one report may hold

// origin names the input in messages ("'before.json'").
Result<ReportFacts> read_report_stream(std::istream& input, const std::string& origin);

}  // namespace termprobe
