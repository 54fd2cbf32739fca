#include "report/report_facts.h"

#include <algorithm>

#include "report/input_file.h"
#include "report/report.h"
#include "report/report_reader.h"

namespace termprobe {

void add_connection(ScenarioFacts& facts, const ConnectionFacts& connection) {
  ++facts.total;
  ++facts.labels[std::string(connection.label)];
  ++facts.statuses[connection.status ? std::to_string(*connection.status) : "none"];
  if (connection.announced) ++facts.announced;
  if (connection.rst_after_fin) ++facts.rst_after_fin;
  // Only a reset that cut a response has a meaningful byte count to compare.
  if (connection.label == "reset_mid_response") {
    const std::int64_t bytes = connection.wire_bytes;
    facts.reset_bytes_min = std::min(facts.reset_bytes_min.value_or(bytes), bytes);
    facts.reset_bytes_max = std::max(facts.reset_bytes_max.value_or(bytes), bytes);
  }
}

Result<ReportFacts> read_report_facts(const std::string& path) {
  auto file = open_input_file(path, "report");
  if (!file) return tl::unexpected(file.error());
  auto facts = read_report_stream(*file, "'" + path + "'");
  if (facts) facts->path = path;
  return facts;
}

ReportFacts report_facts_from(const Report& report, const std::string& origin) {
  ReportFacts facts;
  facts.origin = origin;
  facts.interrupted = report.interrupted;
  for (const auto& [target, scenarios] : report.tally.scenarios()) {
    for (const auto& [scenario, tally] : scenarios) facts.scenarios[{target, scenario}] = tally.facts;
  }
  return facts;
}

}  // namespace termprobe
