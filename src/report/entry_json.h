// One connection's report object, written as text (see json_text.h): in the
// report's "results" array, and as an ndjson line.
#pragma once

#include <string>

#include "report/json_text.h"
#include "report/report.h"

namespace termprobe {

// The same bytes as nlohmann's dump of the entry's object, in json's layout.
void write_entry_json(JsonTextWriter& json, const ReportEntry& entry);

// How entries sit in a report: two levels deep ({"results": [ here ]}).
inline constexpr int kEntryDepth = 2;

}  // namespace termprobe
