#include "report/report_facts.h"

#include <fstream>
#include <sstream>

#include "report/report.h"

namespace termprobe {
namespace {

// Ordered, as to_json(Report) builds it: a run's own report is read without a text round trip.
using json = nlohmann::ordered_json;

void add_connection(ScenarioFacts& facts, const json& entry) {
  const json& outcome = entry.at("outcome");
  const json& response = entry.at("response");
  ++facts.total;
  ++facts.labels[outcome.at("label").get<std::string>()];
  const json& status = response.at("status");
  ++facts.statuses[status.is_null() ? "none" : std::to_string(status.get<int>())];
  if (outcome.at("announced").get<bool>()) ++facts.announced;
  // Only a reset that cut a response has a meaningful byte count to compare.
  if (outcome.at("label").get<std::string>() == "reset_mid_response") {
    const auto bytes = response.at("wire_bytes").get<std::int64_t>();
    facts.reset_bytes_min = std::min(facts.reset_bytes_min.value_or(bytes), bytes);
    facts.reset_bytes_max = std::max(facts.reset_bytes_max.value_or(bytes), bytes);
  }
}

}  // namespace

Result<ReportFacts> report_facts_from_json(const json& report, const std::string& origin) {
  if (!report.is_object() || !report.contains("schema_version") || !report.contains("tool"))
    return fail(ErrorKind::invalid_input, origin + " is not a termprobe report (no schema_version)");
  const json& version = report.at("schema_version");
  if (!version.is_number_integer() || version.get<int>() != kReportSchemaVersion)
    return fail(ErrorKind::invalid_input, origin + " has schema_version " + version.dump() +
                                              "; this termprobe reads version " +
                                              std::to_string(kReportSchemaVersion) +
                                              " only (make the baseline again with this version)");
  ReportFacts facts;
  facts.origin = origin;
  try {
    facts.interrupted = report.at("interrupted").get<bool>();
    const json& results = report.at("results");
    for (std::size_t i = 0; i < results.size(); ++i) {
      const json& entry = results.at(i);
      const ScenarioKey key{entry.at("target").get<std::string>(), entry.at("scenario").get<std::string>()};
      add_connection(facts.scenarios[key], entry);
    }
  } catch (const json::exception& error) {
    return fail(ErrorKind::invalid_input, origin + " is not a valid termprobe report: " + error.what());
  }
  return facts;
}

Result<ReportFacts> read_report_facts(const std::string& path) {
  std::ifstream file(path);
  if (!file) return fail(ErrorKind::invalid_input, "cannot read report '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  json report;
  try {
    report = json::parse(text.str());
  } catch (const json::parse_error& error) {
    return fail(ErrorKind::invalid_input,
                "'" + path + "' is not valid JSON (truncated or corrupt): " + error.what());
  }
  return report_facts_from_json(report, "'" + path + "'");
}

}  // namespace termprobe
