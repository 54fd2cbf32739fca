#include "probes/contract_scenarios.h"

namespace termprobe {
namespace {

Scenario get(std::string name, std::string query = "") {
  Scenario scenario;
  scenario.path = name + query;
  scenario.name = std::move(name);
  return scenario;
}

// cancel-io-read needs a body still arriving when the module's read goes
// pending: 1 MiB at 1 MiB/s keeps the upload open for up to a second, and
// the module cancels the read within the first burst.
Scenario slow_upload(std::string name) {
  Scenario scenario = get(std::move(name));
  scenario.spec.method = "POST";
  scenario.spec.body_bytes = 1 << 20;
  scenario.spec.upload_rate = 1 << 20;
  return scenario;
}

// A scenario of an endpoint under a name of its own (one endpoint, several
// parameter sets).
Scenario named(Scenario scenario, std::string name) {
  scenario.name = std::move(name);
  return scenario;
}

}  // namespace

const std::vector<Scenario>& contract_scenarios() {
  static const std::vector<Scenario> scenarios = {
      get("ok"),
      get("need-disconnect"),
      get("reset"),
      get("reset-continue"),
      get("reset-after-flush", "?bytes=2000"),
      slow_upload("cancel-io-read"),
      get("cancel-io-send"),
  };
  return scenarios;
}

const std::vector<Scenario>& http2_contract_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> all = contract_scenarios();
    for (const char* code : {"0", "2", "8", "1111"})
      all.push_back(
          named(get("reset-stream", std::string("?code=") + code), std::string("reset-stream-") + code));
    all.push_back(named(get("reset-stream", "?code=8&after=headers"), "reset-stream-after-headers"));
    all.push_back(named(get("reset-stream", "?code=8&after=data&bytes=2000"), "reset-stream-mid-data"));
    all.push_back(get("goaway"));
    return all;
  }();
  return scenarios;
}

std::string endpoints_url(const std::string& base_url, std::string_view prefix) {
  const auto trimmed = [](std::string_view text) {
    while (!text.empty() && text.back() == '/') text.remove_suffix(1);
    return std::string(text);
  };
  std::string base = trimmed(base_url);
  std::string folder = trimmed(prefix);  // "/termprobe"; "" for the prefix "/"
  if (!folder.empty() && folder.front() != '/') folder.insert(0, 1, '/');
  const auto authority = base.find("://");
  const auto path_start = base.find('/', authority == std::string::npos ? 0 : authority + 3);
  const bool names_folder =
      path_start != std::string::npos && base.size() >= path_start + folder.size() && base.ends_with(folder);
  return (names_folder ? base : base + folder) + "/";
}

ProbeSpec scenario_spec(const Scenario& scenario, const std::string& endpoints, const ProbeSpec& settings) {
  ProbeSpec spec = settings;
  spec.url = endpoints + scenario.path;
  spec.method = scenario.spec.method;
  spec.body_bytes = scenario.spec.body_bytes;
  spec.upload_rate = scenario.spec.upload_rate;
  return spec;
}

}  // namespace termprobe
