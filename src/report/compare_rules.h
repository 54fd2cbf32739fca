// What `compare` and `--baseline` are told on the command line: how much a
// server's closing time may move before it counts as a change, and how
// scenarios of two reports are paired (by target, through a target mapping,
// or by scenario name across targets).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"

namespace termprobe {

// A closing time (the median of "closed after the response") moved when it
// differs from the baseline's by more than the larger of `fraction` of the
// baseline and `floor_us`: the floor keeps loopback jitter of a few ms on
// short times from counting, the fraction scales to long keep-alive timeouts.
struct TimeTolerance {
  double fraction = 0.25;
  std::int64_t floor_us = 50'000;
};

// "25%,50ms": either part, or both, comma-separated ("10%", "200ms",
// "0ms,5%"); a part left out keeps its default. Errors start with the text.
Result<TimeTolerance> parse_time_tolerance(std::string_view text);
std::string time_tolerance_text(const TimeTolerance& tolerance);  // "25% or 50 ms, whichever is larger"
bool closing_time_moved(std::int64_t baseline_us, std::int64_t current_us, const TimeTolerance& tolerance);

struct MatchRule {
  bool by_scenario = false;  // --match scenario: each scenario name, all targets' connections pooled
  std::map<std::string, std::string> target_map;  // --map OLD=NEW: baseline target -> current target
};

// "OLD=NEW", split at the first '=' (so OLD cannot hold one); an error names the text.
Result<std::pair<std::string, std::string>> parse_target_mapping(std::string_view text);

// Why the mapping does not fit the two reports' targets (a name that is not
// one of them: most likely a typo), or nullopt.
std::optional<std::string> map_problem(const MatchRule& rule, const std::set<std::string>& baseline_targets,
                                       const std::string& baseline_origin,
                                       const std::set<std::string>& current_targets,
                                       const std::string& current_origin);

struct CompareRules {
  MatchRule match;
  TimeTolerance time;
};

}  // namespace termprobe
