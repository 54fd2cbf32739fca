// JUnit XML for CI systems (the Ant/Jenkins shape that GitHub, GitLab and
// Jenkins read): one testsuite per target, one testcase per scenario.
#pragma once

#include <string>

#include "report/report.h"

namespace termprobe {

// A failing verdict is a <failure> stating expected vs observed with counts;
// an unverified one is <skipped>. Built with tinyxml2, so text is escaped.
std::string junit_xml(const Report& report, const std::string& suite_name);

}  // namespace termprobe
