// Joins reports that separate jobs wrote for parts of one fleet (CI matrix
// shards, Kubernetes Jobs) into one report of the same schema, as a stream:
// each input is checked with the report reader, then read twice more, one
// result at a time (its summary, then its results copied out), so memory
// holds one connection's entry, not the reports.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "report/entry_spill.h"

namespace termprobe {

struct MergeRequest {
  std::vector<std::string> paths;    // the shards' reports, in the order their results go in
  std::string tool_version;          // this termprobe's, for "tool"
  std::vector<std::string> command;  // the merge command line, for "command"
};

// Refuses (ErrorKind::invalid_input, one line naming the files) inputs that
// cannot be one report: not a termprobe report of this schema version, a
// target in two inputs, or inputs judged with different profiles (or some
// judged and some not).
Result<void> merge_reports(const MergeRequest& request, const TextSink& sink);

}  // namespace termprobe
