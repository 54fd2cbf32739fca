// JUnit XML for CI systems (the Ant/Jenkins shape that GitHub, GitLab and
// Jenkins read): one testsuite per target, one testcase per scenario.
#pragma once

#include <string>
#include <vector>

#include "report/compare.h"
#include "report/report.h"

namespace termprobe {

// A failing verdict is a <failure> stating expected vs observed with counts;
// an unverified one is <skipped>. A scenario that changed from the baseline
// fails (type "baseline", saying what changed) whatever its verdict, so the
// XML and the exit code agree; scenarios only the baseline has get testcases
// of their own, in a testsuite "SUITE baseline". Built with tinyxml2, so
// text is escaped.
std::string junit_xml(const Report& report, const std::string& suite_name,
                      const std::vector<ScenarioChange>& baseline_changes = {});

}  // namespace termprobe
