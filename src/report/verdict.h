// Judging a run against a profile: per scenario, every observed label must
// be in the expected set, with a status the expectation accepts; over TLS,
// where the profile says so, every TLS ending too. Idle and reuse entries
// are judged by how the idle connection ended and what the second request
// got.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "probes/outcome.h"
#include "report/expectation.h"
#include "report/report_tally.h"

namespace termprobe {

struct Profile;

enum class Verdict { pass, fail, unverified };

struct ScenarioVerdict {
  std::string target;
  std::string scenario;
  std::optional<std::set<Label>> expected;  // nullopt: no expectation (unverified)
  std::map<Label, std::size_t> observed;    // label -> connections
  Verdict verdict = Verdict::unverified;
  std::string note;  // the profile's note for this scenario
  bool tls = false;  // reached over https: the profile's "tls" expectation applies, if it has one
  std::optional<std::set<std::string>> expected_tls_endings{};  // tls_ending() kinds; nullopt: not judged
  std::map<std::string, std::size_t> observed_tls_endings{};    // tls_ending() kind -> connections
  bool http2 = false;  // spoke HTTP/2: the profile's "http2" expectation applies, if it has one
  std::optional<std::set<std::string>> expected_http2_endings{};  // http2_ending() forms; nullopt: not judged
  std::map<std::string, std::size_t> observed_http2_endings{};    // http2_ending() -> connections
  StatusRules expected_statuses{};                                // for labels in `expected`
  std::map<std::pair<Label, int>, std::size_t> observed_statuses{};  // (label, status or 0) -> connections
  std::optional<IdleExpectation> expected_idle{};  // idle entries only; then `expected` is nullopt
  std::map<std::string, IdleSpan> observed_idle{};
  std::optional<std::set<std::string>> expected_reuse{};  // reuse entries only; then `expected` is nullopt
  std::map<std::string, std::size_t> observed_reuse{};
};

// True when the verdict has anything to judge by (labels, idle or reuse).
bool judged(const ScenarioVerdict& verdict);

std::string_view to_string(Verdict verdict);

// One verdict per scenario name of one target, in the given order.
std::vector<ScenarioVerdict> judge(const Profile& profile, const std::vector<std::string>& scenario_order,
                                   const ReportTally& tally, const std::string& target = "");

// True when no judged scenario failed.
bool all_held(const std::vector<ScenarioVerdict>& verdicts);

}  // namespace termprobe
