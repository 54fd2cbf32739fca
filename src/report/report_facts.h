// The facts `compare` looks at, read back from a report (a file or one just
// made): per target and scenario, how connections ended.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "probes/error.h"

namespace termprobe {

struct ScenarioFacts {
  std::size_t total = 0;                        // connections
  std::map<std::string, std::size_t> labels;    // label -> connections
  std::map<std::string, std::size_t> statuses;  // "200", or "none" when no status line came
  std::size_t announced = 0;                    // connections that announced Connection: close
  std::optional<std::int64_t>
      reset_bytes_min;  // bytes received before an RST cut a response (reset_mid_response)
  std::optional<std::int64_t> reset_bytes_max;
};

using ScenarioKey = std::pair<std::string, std::string>;  // target, scenario

struct ReportFacts {
  std::string origin;  // the file name, for messages
  bool interrupted = false;
  std::map<ScenarioKey, ScenarioFacts> scenarios;
};

// Refuses anything that is not a termprobe report of this schema version,
// with one line naming the file and what is wrong.
Result<ReportFacts> read_report_facts(const std::string& path);
Result<ReportFacts> report_facts_from_json(const nlohmann::ordered_json& report, const std::string& origin);

}  // namespace termprobe
