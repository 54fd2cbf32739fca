// Expectation profiles: for each scenario, the set of labels (and statuses)
// that count as the documented (or reference) behaviour, or none where it
// is unverified.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "report/expectation.h"

namespace termprobe {

struct Profile {
  std::string name;
  std::string description;
  std::map<std::string, Expectation> scenarios;
  // A scenario's "tls" expectation, for targets reached over https; a
  // scenario without one is judged by `scenarios` there too.
  std::map<std::string, Expectation> tls_scenarios;
  // A scenario's "http2" expectation, for connections that spoke HTTP/2
  // (h2 or h2c); it wins over "tls" there. A scenario without one is judged
  // by `tls_scenarios` or `scenarios`.
  std::map<std::string, Expectation> http2_scenarios;
};

// A built-in profile name (reference, iis) or a path to a profile JSON file.
// known_scenarios: names a profile may mention; any other is an error.
Result<Profile> load_profile(const std::string& name_or_path,
                             const std::vector<std::string>& known_scenarios);

// Parses profile JSON; origin names the file in error messages.
Result<Profile> parse_profile(const std::string& text, const std::string& origin,
                              const std::vector<std::string>& known_scenarios);

std::vector<std::string> builtin_profile_names();

}  // namespace termprobe
