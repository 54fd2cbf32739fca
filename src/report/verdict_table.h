// The run table: scenario, expected, observed (with counts), verdict.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "report/verdict.h"

namespace termprobe {

// With several targets, each target's rows come under a "target X" line.
// paint colours the verdict column (identity when colour is off).
std::string format_verdict_table(const std::vector<ScenarioVerdict>& verdicts,
                                 std::string (*paint)(std::string_view verdict, bool colour) = nullptr,
                                 bool colour = false);

// The labels the table's rows name, expected or observed: the ones whose
// meaning a reader of the table needs.
std::set<Label> labels_named(const std::vector<ScenarioVerdict>& verdicts);

// "reset_before_response|keepalive/200", "close 0.8-1.5 s" (idle),
// "answered" (reuse), or "unverified".
std::string expected_text(const ScenarioVerdict& verdict);
// "keepalive/200 x50" or "close_after_response/200 x3, reset_before_response x2";
// "fin after 1001 ms x1" (idle); "answered x3" (reuse).
std::string observed_text(const ScenarioVerdict& verdict);

}  // namespace termprobe
