#include "cli/command_expectation.h"

#include <fmt/format.h>

#include "cli/terminal.h"
#include "report/profile.h"
#include "report/verdict_table.h"

namespace termprobe {

bool judge_command(ReportRecorder& recorder, const Expectation& expectation,
                   const std::vector<std::string>& scenarios) {
  Report& report = recorder.report();
  Profile profile;
  profile.name = "--expect";
  for (const auto& scenario : scenarios) profile.scenarios[scenario] = expectation;
  report.profile = profile.name;
  report.verdicts = judge(profile, scenarios, report.tally, report.targets.front());
  std::FILE* text = recorder.text();
  fmt::print(text, "{}",
             format_verdict_table(report.verdicts, &paint_verdict, text == stdout && colour_wanted(stdout)));
  return all_held(report.verdicts);
}

CLI::Validator idle_expectation_check() {
  return CLI::Validator(
      [](const std::string& text) {
        auto parsed = parse_idle_expectation(text);
        return parsed ? std::string() : parsed.error().message;
      },
      "IDLE");
}

CLI::Validator reuse_outcome_check() {
  return CLI::Validator(
      [](const std::string& text) {
        auto parsed = parse_reuse_outcome(text);
        return parsed ? std::string() : parsed.error().message;
      },
      "OUTCOME");
}

}  // namespace termprobe
