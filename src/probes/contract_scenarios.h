// The module's endpoint contract as probe scenarios: one per endpoint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "probes/probe_spec.h"

namespace termprobe {

struct Scenario {
  std::string name;  // the endpoint name, also the key in expectation profiles
  std::string path;  // request target below the endpoints' folder, e.g. "reset-after-flush?bytes=2000"
  ProbeSpec spec;    // method, body and rate; url is filled in by scenario_spec()
};

// In the order docs/module-contract.md lists them.
const std::vector<Scenario>& contract_scenarios();

// Over HTTP/2: the same, then IHttpResponse4's: reset-stream with codes 0,
// 2, 8 and 1111 before the response, after the headers and mid data, and
// goaway (over HTTP/1.x these only answer 501).
const std::vector<Scenario>& http2_contract_scenarios();

// The module's default path prefix (serve --prefix, TERMPROBE_PREFIX).
inline constexpr std::string_view kDefaultEndpointPrefix = "/termprobe/";

// The URL of the endpoints' folder, ending in '/', for a target given
// either way: a base URL whose path already ends in the prefix is that
// folder ("http://h:8080/termprobe/", as serve prints it); any other gets
// the prefix appended ("http://h:8080" and "http://h:8080/app/" become
// http://h:8080/termprobe/ and http://h:8080/app/termprobe/).
std::string endpoints_url(const std::string& base_url, std::string_view prefix);

// The scenario's probe against the endpoints' folder (endpoints_url()),
// with the caller's deadlines and headers.
ProbeSpec scenario_spec(const Scenario& scenario, const std::string& endpoints, const ProbeSpec& settings);

}  // namespace termprobe
