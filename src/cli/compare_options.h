// The options `compare` and `run`/`check --baseline` share: how scenarios
// pair up (--match, --map) and how far a closing time may move
// (--time-tolerance), turned into the report library's CompareRules.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/error.h"
#include "report/compare_rules.h"

namespace termprobe {

struct CompareRuleOptions {
  std::string match = "target";   // "target" or "scenario"
  std::vector<std::string> maps;  // "OLD=NEW"
  std::string time_tolerance = "25%,50ms";
};

// needs: the option they are meaningless without (run's --baseline), if any.
void add_compare_rule_options(CLI::App* command, CompareRuleOptions& options, CLI::Option* needs = nullptr);

// Refuses a bad value (ErrorKind::invalid_input, naming the option).
Result<CompareRules> compare_rules_from(const CompareRuleOptions& options);

}  // namespace termprobe
