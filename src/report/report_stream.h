// A report read as a stream, one connection at a time: every results[]
// member is handed to a visitor and dropped, so memory holds one entry and
// the rest of the document, however many connections the report holds.
// merge and the HTML report read reports this way.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace termprobe {

using EntryVisitor = std::function<void(const nlohmann::ordered_json& entry)>;

// The document with "results" left empty. Refuses (ErrorKind::invalid_input,
// naming `path`) text that is not JSON.
Result<nlohmann::ordered_json> read_report_without_results(std::istream& input, const std::string& path,
                                                           const EntryVisitor& visit);

}  // namespace termprobe
