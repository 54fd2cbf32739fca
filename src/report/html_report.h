// The report as one self-contained HTML page, to look at offline (a CI
// artifact, a bug report): the run's parameters, the summary per label with
// each label's meaning, the verdicts, the distribution of time-to-end per
// label, and a timeline per connection drawn as inline SVG from the same
// events `-v` prints (connection_events). No script, no external URL: a
// Content-Security-Policy forbids fetching anything.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "common/error.h"
#include "report/entry_spill.h"

namespace termprobe {

struct HtmlSampling {
  std::size_t draw_all_up_to = 300;    // runs this size or smaller: every connection's timeline
  std::size_t per_label = 20;          // past that: the first N connections of each label ...
  std::size_t unexpected_limit = 500;  // ... and every unexpected one (outside its expectation), up to N
};

// Reads the report (a termprobe report, merged ones too) twice as a stream,
// seeking back to its start between: first what the page summarises, then
// the connections it draws. `path` names it in errors.
Result<void> write_html_report(std::istream& report, const std::string& path, const TextSink& sink,
                               const HtmlSampling& sampling = {});

}  // namespace termprobe
