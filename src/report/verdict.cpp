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

bool labels_hold(const ScenarioVerdict& verdict) {
  return all_in(verdict.observed, *verdict.expected) &&
         std::all_of(verdict.observed_statuses.begin(), verdict.observed_statuses.end(),
                     [&](const auto& item) {
                       return label_matches(*verdict.expected, verdict.expected_statuses, item.first.first,
                                            item.first.second);
                     });
}

// Every connection ended as expected; a close within the window, when one is given.
bool idle_holds(const IdleExpectation& expected, const std::map<std::string, IdleSpan>& observed) {
  return std::all_of(observed.begin(), observed.end(), [&](const auto& item) {
    const auto end = stream_end_from_string(item.first);
    if (!end || !expected.endings.contains(*end)) return false;
    if (*end == StreamEnd::open || !expected.low_s) return true;
    const IdleSpan& span = item.second;
    return static_cast<double>(span.min_us) >= *expected.low_s * 1e6 &&
           static_cast<double>(span.max_us) <= *expected.high_s * 1e6;
  });
}

// Every connection got to its second request, and that ended as expected.
bool reuse_holds(const ScenarioVerdict& verdict) {
  std::size_t connections = 0;
  std::size_t reused = 0;
  for (const auto& [label, count] : verdict.observed) connections += count;
  for (const auto& [outcome, count] : verdict.observed_reuse) reused += count;
  return reused == connections && all_in(verdict.observed_reuse, *verdict.expected_reuse);
}

Verdict verdict_of(const ScenarioVerdict& v) {
  if (!judged(v)) return Verdict::unverified;
  const bool holds =
      !v.observed.empty() && (!v.expected || labels_hold(v)) &&
      (!v.expected_tls_endings || all_in(v.observed_tls_endings, *v.expected_tls_endings)) &&
      (!v.expected_http2_endings || all_in(v.observed_http2_endings, *v.expected_http2_endings)) &&
      (!v.expected_idle || idle_holds(*v.expected_idle, v.observed_idle)) &&
      (!v.expected_reuse || reuse_holds(v));
  return holds ? Verdict::pass : Verdict::fail;
}

// An HTTP/2 expectation judges the stream's frames, not a TLS ending.
void take_expectation(ScenarioVerdict& verdict, const Expectation& expectation, bool by_http2) {
  verdict.expected = expectation.labels;
  verdict.expected_statuses = expectation.statuses;
  verdict.note = expectation.note;
  if (verdict.tls && !by_http2) verdict.expected_tls_endings = expectation.tls_endings;
  if (verdict.http2) verdict.expected_http2_endings = expectation.http2_endings;
  verdict.expected_idle = expectation.idle;
  verdict.expected_reuse = expectation.reuse;
}

}  // namespace

bool judged(const ScenarioVerdict& verdict) {
  return verdict.expected || verdict.expected_idle || verdict.expected_reuse;
}

std::vector<ScenarioVerdict> judge(const Profile& profile, const std::vector<std::string>& scenario_order,
                                   const ReportTally& tally, const std::string& target) {
  std::vector<ScenarioVerdict> verdicts;
  for (const auto& name : scenario_order) {
    ScenarioVerdict verdict;
    verdict.target = target;
    verdict.scenario = name;
    const ScenarioTally* seen = tally.scenario(target, name);
    verdict.tls = seen != nullptr && !seen->tls_endings.empty();
    verdict.http2 = seen != nullptr && !seen->http2_endings.empty();
    const bool by_http2 = verdict.http2 && profile.http2_scenarios.contains(name);
    const auto& expectations = by_http2                                              ? profile.http2_scenarios
                               : verdict.tls && profile.tls_scenarios.contains(name) ? profile.tls_scenarios
                                                                                     : profile.scenarios;
    if (auto it = expectations.find(name); it != expectations.end())
      take_expectation(verdict, it->second, by_http2);
    if (seen != nullptr) {
      verdict.observed = seen->labels;
      verdict.observed_statuses = seen->label_statuses;
      verdict.observed_tls_endings = seen->tls_endings;
      verdict.observed_http2_endings = seen->http2_endings;
      if (verdict.expected_idle) verdict.observed_idle = seen->idle_ends;
      if (verdict.expected_reuse) verdict.observed_reuse = seen->reuse_outcomes;
    }
    verdict.verdict = verdict_of(verdict);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

bool all_held(const std::vector<ScenarioVerdict>& verdicts) {
  return std::none_of(verdicts.begin(), verdicts.end(),
                      [](const auto& v) { return v.verdict == Verdict::fail; });
}

}  // namespace termprobe
