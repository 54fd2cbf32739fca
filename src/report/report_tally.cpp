#include "report/report_tally.h"

#include "report/report.h"

#include <algorithm>

namespace termprobe {
namespace {

template <typename Map>
auto& find_or_add(Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), typename Map::mapped_type{}).first;
  return it->second;
}

void add_counts(std::map<std::string, std::size_t>& into, const std::map<std::string, std::size_t>& counts) {
  for (const auto& [label, count] : counts) into[label] += count;
}

void add_idle_end(std::map<std::string, IdleSpan>& into, const Observation& o) {
  if (!o.response_complete || !o.timings.response_complete_us || !o.timings.ended_us) {
    ++into["no response"].count;
    return;
  }
  const std::int64_t after_us = *o.timings.ended_us - *o.timings.response_complete_us;
  IdleSpan& span = into[std::string(to_string(o.end))];
  span.min_us = span.count == 0 ? after_us : std::min(span.min_us, after_us);
  span.max_us = span.count == 0 ? after_us : std::max(span.max_us, after_us);
  ++span.count;
}

}  // namespace

ScenarioTally& ReportTally::scenario_of(const ReportEntry& entry) {
  return find_or_add(find_or_add(scenarios_, entry.target), entry.scenario);
}

void ReportTally::add(const ReportEntry& entry) {
  const Observation& o = entry.observation;
  const Label label = entry.outcome.label;
  ++total_;
  if (o.opens_connection) ++connections_;
  any_connected_ = any_connected_ || o.connected;
  ScenarioTally& tally = scenario_of(entry);
  ++tally.labels[label];
  ++tally.label_statuses[{label, o.status}];
  if (o.reused)
    ++tally.reuse_outcomes[std::string(entry.outcome.reuse)];
  else
    add_idle_end(tally.idle_ends, o);
  if (!entry.outcome.tls_ending.empty()) ++tally.tls_endings[std::string(entry.outcome.tls_ending)];
  if (o.http2) ++tally.http2_endings[http2_ending(o)];
  add_connection(tally.facts, {to_string(label), o.status == 0 ? std::nullopt : std::optional<int>(o.status),
                               entry.outcome.announced, o.wire_bytes_received, o.rst_after_fin_us.has_value(),
                               after_response_us(o.timings), entry.outcome.announced_close_missed});
  tally.ended_us_total += o.timings.ended_us.value_or(0) + o.fin_watch_us;
  if (o.connected) ++tally.connected;
  timings_.add(label, o.timings);
}

std::map<std::string, std::size_t> ReportTally::label_counts() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& [target, scenarios] : scenarios_) add_counts(counts, label_counts(target));
  return counts;
}

std::map<std::string, std::size_t> ReportTally::label_counts(std::string_view target) const {
  std::map<std::string, std::size_t> counts;
  if (auto found = scenarios_.find(target); found != scenarios_.end()) {
    for (const auto& [name, tally] : found->second) add_counts(counts, tally.facts.labels);
  }
  return counts;
}

const ScenarioTally* ReportTally::scenario(std::string_view target, std::string_view scenario) const {
  const auto found = scenarios_.find(target);
  if (found == scenarios_.end()) return nullptr;
  const auto named = found->second.find(scenario);
  return named == found->second.end() ? nullptr : &named->second;
}

}  // namespace termprobe
