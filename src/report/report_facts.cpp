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
  if (connection.announced_close_missed) ++facts.announced_close_missed;
  if (connection.rst_after_fin) ++facts.rst_after_fin;
  // Only a reset that cut a response has a meaningful byte count to compare.
  if (connection.label == "reset_mid_response") {
    const std::int64_t bytes = connection.wire_bytes;
    facts.reset_bytes_min = std::min(facts.reset_bytes_min.value_or(bytes), bytes);
    facts.reset_bytes_max = std::max(facts.reset_bytes_max.value_or(bytes), bytes);
  }
  const bool server_ended_after_response =
      connection.label == "close_after_response" || connection.label == "reset_after_response";
  if (server_ended_after_response && connection.after_response_us)
    facts.closed_after_response_us.add(*connection.after_response_us);
}

void add_facts(ScenarioFacts& into, const ScenarioFacts& other) {
  into.total += other.total;
  for (const auto& [label, count] : other.labels) into.labels[label] += count;
  for (const auto& [status, count] : other.statuses) into.statuses[status] += count;
  into.announced += other.announced;
  into.announced_close_missed += other.announced_close_missed;
  into.rst_after_fin += other.rst_after_fin;
  if (other.reset_bytes_min) {
    into.reset_bytes_min =
        std::min(into.reset_bytes_min.value_or(*other.reset_bytes_min), *other.reset_bytes_min);
    into.reset_bytes_max =
        std::max(into.reset_bytes_max.value_or(*other.reset_bytes_max), *other.reset_bytes_max);
  }
  into.closed_after_response_us.add(other.closed_after_response_us);
}

std::set<std::string> targets_of(const ReportFacts& facts) {
  std::set<std::string> targets;
  for (const auto& [key, scenario] : facts.scenarios) targets.insert(key.first);
  return targets;
}

std::optional<std::int64_t> after_response_us(const Timings& timings) {
  if (!timings.ended_us || !timings.response_complete_us) return std::nullopt;
  return *timings.ended_us - *timings.response_complete_us;
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
