#include "report/verdict.h"

#include <algorithm>

#include "report/profile.h"
#include "report/report_tally.h"

namespace termprobe {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::unverified: return "unverified";
  }
  return "unverified";
}

std::vector<ScenarioVerdict> judge(const Profile& profile, const std::vector<std::string>& scenario_order,
                                   const ReportTally& tally, const std::string& target) {
  std::vector<ScenarioVerdict> verdicts;
  for (const auto& name : scenario_order) {
    ScenarioVerdict verdict;
    verdict.target = target;
    verdict.scenario = name;
    if (auto it = profile.scenarios.find(name); it != profile.scenarios.end()) {
      verdict.expected = it->second.labels;
      verdict.note = it->second.note;
    }
    if (const ScenarioTally* seen = tally.scenario(target, name)) verdict.observed = seen->labels;
    if (!verdict.expected) {
      verdict.verdict = Verdict::unverified;
    } else {
      const bool every_one_expected =
          !verdict.observed.empty() &&
          std::all_of(verdict.observed.begin(), verdict.observed.end(),
                      [&](const auto& seen) { return verdict.expected->contains(seen.first); });
      verdict.verdict = every_one_expected ? Verdict::pass : Verdict::fail;
    }
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

bool all_held(const std::vector<ScenarioVerdict>& verdicts) {
  return std::none_of(verdicts.begin(), verdicts.end(),
                      [](const auto& v) { return v.verdict == Verdict::fail; });
}

}  // namespace termprobe
