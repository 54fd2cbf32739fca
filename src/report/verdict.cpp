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

namespace {

// Every key seen is one of the expected.
template <typename Key>
bool all_in(const std::map<Key, std::size_t>& seen, const std::set<Key>& expected) {
  return std::all_of(seen.begin(), seen.end(),
                     [&](const auto& item) { return expected.contains(item.first); });
}

}  // namespace

std::vector<ScenarioVerdict> judge(const Profile& profile, const std::vector<std::string>& scenario_order,
                                   const ReportTally& tally, const std::string& target) {
  std::vector<ScenarioVerdict> verdicts;
  for (const auto& name : scenario_order) {
    ScenarioVerdict verdict;
    verdict.target = target;
    verdict.scenario = name;
    if (const ScenarioTally* seen = tally.scenario(target, name)) {
      verdict.observed = seen->labels;
      verdict.observed_tls_endings = seen->tls_endings;
      verdict.tls = !seen->tls_endings.empty();
      verdict.observed_http2_endings = seen->http2_endings;
      verdict.http2 = !seen->http2_endings.empty();
    }
    const bool by_http2 = verdict.http2 && profile.http2_scenarios.contains(name);
    const auto& expectations = by_http2                                              ? profile.http2_scenarios
                               : verdict.tls && profile.tls_scenarios.contains(name) ? profile.tls_scenarios
                                                                                     : profile.scenarios;
    if (auto it = expectations.find(name); it != expectations.end()) {
      verdict.expected = it->second.labels;
      verdict.note = it->second.note;
      if (verdict.tls && !by_http2) verdict.expected_tls_endings = it->second.tls_endings;
      if (verdict.http2) verdict.expected_http2_endings = it->second.http2_endings;
    }
    if (!verdict.expected) {
      verdict.verdict = Verdict::unverified;
    } else {
      const bool endings_expected = (!verdict.expected_tls_endings ||
                                     all_in(verdict.observed_tls_endings, *verdict.expected_tls_endings)) &&
                                    (!verdict.expected_http2_endings ||
                                     all_in(verdict.observed_http2_endings, *verdict.expected_http2_endings));
      verdict.verdict =
          !verdict.observed.empty() && all_in(verdict.observed, *verdict.expected) && endings_expected
              ? Verdict::pass
              : Verdict::fail;
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
