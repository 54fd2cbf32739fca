// The module's endpoint contract as probe scenarios: one per endpoint.
#pragma once

#include <string>
#include <vector>

#include "probes/probe_spec.h"

namespace termprobe {

struct Scenario {
  std::string name;  // the endpoint name, also the key in expectation profiles
  std::string path;  // request target below the base URL, e.g. "/termprobe/reset-after-flush?bytes=2000"
  ProbeSpec spec;    // method, body and rate; url is filled in by scenario_spec()
};

// In the order docs/module-contract.md lists them.
const std::vector<Scenario>& contract_scenarios();

// Over HTTP/2: the same, then IHttpResponse4's: reset-stream with codes 0,
// 2, 8 and 1111 before the response, after the headers and mid data, and
// goaway (over HTTP/1.x these only answer 501).
const std::vector<Scenario>& http2_contract_scenarios();

// The scenario's probe against base_url ("http://host:port", a trailing
// slash or a path prefix are kept), with the caller's deadlines and headers.
ProbeSpec scenario_spec(const Scenario& scenario, const std::string& base_url, const ProbeSpec& settings);

}  // namespace termprobe
