// Expectations files for `termprobe check`: probes against the user's own
// endpoints and the labels (and statuses) each may end in; idle entries
// (when and how the server closes an idle connection) and reuse entries
// (what a second request on it gets). TOML, so that mistakes can be
// reported with the file and line.
#pragma once

#include <cstddef>
#include <istream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "probes/outcome.h"
#include "probes/probe_spec.h"
#include "report/expectation.h"
#include "report/request_options.h"

namespace termprobe {

struct CheckProbe {
  std::string name;        // unique within the file; the scenario name in reports
  std::string target;      // scheme://host:port of the URL (never its user or password): reports group by it
  RequestOptions request;  // what the file asked the request to carry ([defaults], then the entry's keys)
  ProbeSpec spec;          // what to send: the request built from `request` (build_request), deadlines, TLS
  std::vector<std::string> redact;  // header names whose values outputs hide ([defaults]' and the entry's)
  std::size_t repeat = 1;           // connections
  Expectation expectation;  // labels and statuses ([[probe]]), the close ([[idle]]) or outcomes ([[reuse]])
  long line = 0;            // where the [[probe]], [[idle]] or [[reuse]] table starts
};

// The keys a [[probe]] entry takes, as its error messages list them: "name, url, method, ...".
std::string_view check_file_probe_keys();

// Every mistake is one line: "FILE:LINE: what is wrong".
Result<std::vector<CheckProbe>> load_check_file(const std::string& path);
// The same from text already open; path names it in messages.
Result<std::vector<CheckProbe>> parse_check_file(std::istream& input, const std::string& path);

}  // namespace termprobe
